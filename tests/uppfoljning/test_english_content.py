"""A follow-up's English versions (issue #24 point 3): written in the workspace, recorded in
the history and the version check, and copied into each publication, which the pages read."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast
from tests.conftest import sign_off
from uppfoljning import services
from uppfoljning.models import Historik, Publicering, Uppfoljning

ENGLISH = {
    "sammanfattning_en": "The work has started.",
    "orsak_en": "A late start.",
    "atgarder_en": "A new plan.",
}


@pytest.fixture
def uppf(cast: Cast) -> Uppfoljning:
    u, _ = services.uppfoljning_get_or_create(
        period=cast.period, omrade=cast.omrade_a, by=cast.users["ledartroja_a"]
    )
    return u


def _client(user: object) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _data(uppf: Uppfoljning, **kwargs: str) -> dict[str, str]:
    return {
        "status": "gul",
        "sammanfattning": "Arbetet är igång.",
        "orsak": "Sen start.",
        "atgarder": "Ny plan.",
        "intern_anteckning": "",
        "version": str(uppf.version),
        "handling": "spara",
        **kwargs,
    }


def test_the_workspace_form_offers_the_english_versions(cast: Cast, uppf: Uppfoljning) -> None:
    html = _client(cast.users["ledartroja_a"]).get(reverse("arbetsyta:uppfoljning", args=[uppf.pk]))
    page = html.content.decode()
    # The legend in Swedish once the catalogue has it.
    start = max(page.find("<legend>Engelsk version</legend>"), page.find("<legend>English version"))
    assert start > 0
    fieldset = page[start : page.index("</fieldset>", start)]
    for name in ENGLISH:
        assert f'name="{name}"' in fieldset
        assert f'id="id_{name}_helptext"' in fieldset
    assert 'lang="en"' in fieldset


def test_the_workspace_saves_the_english_versions_with_their_history(
    cast: Cast, uppf: Uppfoljning
) -> None:
    c = _client(cast.users["ledartroja_a"])
    r = c.post(reverse("arbetsyta:uppfoljning", args=[uppf.pk]), _data(uppf, **ENGLISH))
    assert r.status_code == 302
    uppf.refresh_from_db()
    assert {name: getattr(uppf, name) for name in ENGLISH} == ENGLISH
    row = Historik.objects.filter(uppfoljning=uppf).last()
    assert row.fore["sammanfattning_en"] == "" and row.efter == row.efter | ENGLISH

    # Only an English text changed: still a change, recorded and versioned.
    version = uppf.version
    r = c.post(
        reverse("arbetsyta:uppfoljning", args=[uppf.pk]),
        _data(uppf, **(ENGLISH | {"orsak_en": "A later start."})),
    )
    assert r.status_code == 302
    uppf.refresh_from_db()
    assert (uppf.version, uppf.orsak_en) == (version + 1, "A later start.")
    row = Historik.objects.filter(uppfoljning=uppf).last()
    assert (row.fore, row.efter) == ({"orsak_en": "A late start."}, {"orsak_en": "A later start."})


def test_an_english_change_by_somebody_else_is_refused_as_stale(
    cast: Cast, uppf: Uppfoljning
) -> None:
    started_from = uppf.version
    services.uppfoljning_save(
        uppfoljning=Uppfoljning.objects.get(pk=uppf.pk),
        version=started_from,
        changes={"sammanfattning_en": "Theirs."},
        by=cast.users["ledartroja_a"],
    )
    with pytest.raises(services.StaleVersion) as refused:
        services.uppfoljning_save(
            uppfoljning=uppf,
            version=started_from,  # the version before their save
            changes={"sammanfattning_en": "Mine."},
            by=cast.users["fadder_a"],
        )
    assert [c.field for c in refused.value.changes] == ["sammanfattning_en"]
    uppf.refresh_from_db()
    assert uppf.sammanfattning_en == "Theirs."


def test_publishing_copies_the_english_versions(cast: Cast, uppf: Uppfoljning) -> None:
    uppf = services.uppfoljning_save(
        uppfoljning=uppf,
        version=uppf.version,
        changes={
            "status": "gul",
            "sammanfattning": "Arbetet är igång.",
            "orsak": "Sen start.",
            "atgarder": "Ny plan.",
            **ENGLISH,
        },
        by=cast.users["ledartroja_a"],
    )
    uppf = sign_off(uppf, by=cast.users["ledartroja_a"], approver=cast.users["fadder_a"])
    pub = services.uppfoljning_publish(uppfoljning=uppf, version=uppf.version, by=cast.users["klg"])
    pub = Publicering.objects.get(pk=pub.pk)
    assert {name: getattr(pub, name) for name in ENGLISH} == ENGLISH
    assert pub.sammanfattning == "Arbetet är igång."
    # The English area page reads the publication.
    html = Client().get(f"/en/omraden/{cast.omrade_a.slug}/").content.decode()
    assert "<p>The work has started.</p>" in html
    assert "<p>A late start.</p>" in html and "<p>A new plan.</p>" in html
