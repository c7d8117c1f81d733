"""/arbetsyta/uppfoljning/<id>/: the follow-up page, its buttons, history and conflicts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.viewer import Viewer
from tests.cast import Cast
from tests.conftest import sign_off
from uppfoljning import services
from uppfoljning.models import Historik, Publicering, Uppfoljning


def _client(user: object) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def uppf(cast: Cast) -> Uppfoljning:
    u, _ = services.uppfoljning_get_or_create(
        period=cast.period, omrade=cast.omrade_a, by=cast.users["ledartroja_a"]
    )
    return u


def _url(uppf: Uppfoljning) -> str:
    return reverse("arbetsyta:uppfoljning", args=[uppf.pk])


def _data(uppf: Uppfoljning, **kwargs: str) -> dict[str, str]:
    data = {
        "status": uppf.status,
        "sammanfattning": uppf.sammanfattning,
        "orsak": uppf.orsak,
        "atgarder": uppf.atgarder,
        "intern_anteckning": uppf.intern_anteckning,
        "version": str(uppf.version),
        "handling": "spara",
    }
    data.update(kwargs)
    return data


def test_it_shows_the_form_to_the_areas_ledartroja(cast: Cast, uppf: Uppfoljning) -> None:
    r = _client(cast.users["ledartroja_a"]).get(_url(uppf))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Spara utkast" in html
    assert "Klar för beslut" in html
    assert 'value="publicera"' not in html


def _approved(cast: Cast, uppf: Uppfoljning, **changes: str) -> Uppfoljning:
    """The follow-up with a status, marked ready by the ledartröja and approved by the fadder."""
    uppf = services.uppfoljning_save(
        uppfoljning=uppf,
        version=uppf.version,
        changes={"status": "gron", **changes},
        by=cast.users["ledartroja_a"],
    )
    return sign_off(uppf, by=cast.users["ledartroja_a"], approver=cast.users["fadder_a"])


def test_it_offers_approving_to_the_fadder_and_publishing_to_klg(
    cast: Cast, uppf: Uppfoljning
) -> None:
    uppf = services.uppfoljning_save(
        uppfoljning=uppf, version=1, changes={"status": "gron"}, by=cast.users["klg"]
    )
    services.uppfoljning_mark_ready(uppfoljning=uppf, version=2, by=cast.users["ledartroja_a"])
    html = _client(cast.users["fadder_a"]).get(_url(uppf)).content.decode()
    assert 'value="godkann"' in html and 'value="publicera"' not in html
    assert (
        'value="godkann"'
        not in _client(cast.users["ledartroja_a"]).get(_url(uppf)).content.decode()
    )
    uppf = services.uppfoljning_approve(uppfoljning=uppf, version=3, by=cast.users["fadder_a"])
    assert (
        'value="publicera"' not in _client(cast.users["fadder_a"]).get(_url(uppf)).content.decode()
    )
    assert 'value="publicera"' in _client(cast.users["klg"]).get(_url(uppf)).content.decode()


def test_it_shows_a_medarbetare_the_follow_up_read_only(cast: Cast, uppf: Uppfoljning) -> None:
    r = _client(cast.users["medarbetare"]).get(_url(uppf))
    assert r.status_code == 200
    assert "Spara utkast" not in r.content.decode()


def test_it_saves_a_draft_and_records_history(cast: Cast, uppf: Uppfoljning) -> None:
    c = _client(cast.users["ledartroja_a"])
    r = c.post(
        _url(uppf),
        _data(
            uppf,
            status="gul",
            orsak="Sen start",
            atgarder="Ny plan",
            sammanfattning="Arbetet är igång.",
            intern_anteckning="Ring KLG",
        ),
    )
    assert r.status_code == 302
    uppf.refresh_from_db()
    assert (uppf.status, uppf.tillstand, uppf.version) == ("gul", "utkast", 2)
    row = Historik.objects.filter(uppfoljning=uppf).last()
    assert row.av == cast.users["ledartroja_a"]
    assert row.fore["status"] == "" and row.efter["status"] == "gul"
    # The readable timeline
    html = c.get(_url(uppf)).content.decode()
    assert "ändrade status från ingen status till Gul" in html


def test_invalid_input_is_refused_with_200_and_nothing_is_saved(
    cast: Cast, uppf: Uppfoljning
) -> None:
    r = _client(cast.users["ledartroja_a"]).post(_url(uppf), _data(uppf, status="rod"))
    assert r.status_code == 200
    assert "Beskriv orsaken" in r.content.decode()
    uppf.refresh_from_db()
    assert uppf.version == 1


def test_live_validation_returns_only_the_messages(cast: Cast, uppf: Uppfoljning) -> None:
    r = _client(cast.users["ledartroja_a"]).post(
        reverse("arbetsyta:validera", args=[uppf.pk]),
        _data(uppf, status="gul", orsak="x"),
        headers={"HX-Request": "true"},
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "<html" not in html
    assert 'id="fel-atgarder" class="field-errors" aria-live="polite" hx-swap-oob="true"' in html
    assert "Beskriv vidtagna åtgärder" in html
    assert Historik.objects.filter(uppfoljning=uppf).count() == 1


def _step(uppf: Uppfoljning, handling: str, **kwargs: str) -> dict[str, str]:
    return {"version": str(uppf.version), "handling": handling, "kommentar": "", **kwargs}


def test_marking_ready_approving_and_publishing(cast: Cast, uppf: Uppfoljning) -> None:
    _client(cast.users["ledartroja_a"]).post(
        _url(uppf), _data(uppf, status="gron", sammanfattning="Klart", handling="klar")
    )
    uppf.refresh_from_db()
    assert uppf.tillstand == "klar"
    r = _client(cast.users["fadder_a"]).post(_url(uppf), _step(uppf, "godkann"))
    assert r.status_code == 302
    uppf.refresh_from_db()
    assert uppf.tillstand == "godkand"
    r = _client(cast.users["klg"]).post(_url(uppf), _step(uppf, "publicera"))
    assert r.status_code == 302
    pub = Publicering.objects.get(uppfoljning=uppf)
    assert pub.sammanfattning == "Klart"
    assert pub in Publicering.objects.visible_to(Viewer.resident())
    assert [h.handling for h in Historik.objects.filter(uppfoljning=uppf)] == [
        "skapad",
        "andrad",
        "klar",
        "godkand",
        "publicerad",
    ]


@pytest.mark.parametrize(("handling", "user"), [("klar", "fadder_a"), ("publicera", "klg")])
def test_a_refused_ready_or_publish_saves_nothing_typed_with_it(
    cast: Cast, uppf: Uppfoljning, handling: str, user: str
) -> None:
    # Found by tests/security/test_fuzz_forms.py: the text was saved, then "no status" refused.
    r = _client(cast.users[user]).post(
        _url(uppf), _data(uppf, status="", sammanfattning="Ny text", handling=handling)
    )
    assert r.status_code == 200
    assert "Välj status innan" in r.content.decode()
    uppf.refresh_from_db()
    assert (uppf.version, uppf.sammanfattning) == (1, "")
    assert [h.handling for h in Historik.objects.filter(uppfoljning=uppf)] == ["skapad"]


def test_a_ledartroja_cannot_publish(cast: Cast, uppf: Uppfoljning) -> None:
    r = _client(cast.users["ledartroja_a"]).post(
        _url(uppf), _data(uppf, status="gron", handling="publicera")
    )
    assert r.status_code == 403
    assert not Publicering.objects.exists()


def test_a_draft_cannot_be_published_and_the_page_says_why(cast: Cast, uppf: Uppfoljning) -> None:
    uppf = services.uppfoljning_save(
        uppfoljning=uppf, version=1, changes={"status": "gron"}, by=cast.users["klg"]
    )
    r = _client(cast.users["klg"]).post(f"/en{_url(uppf)}", _step(uppf, "publicera"))
    assert r.status_code == 200
    assert "Only a follow-up approved by the sponsor (fadder) can be published" in (
        r.content.decode()
    )
    assert not Publicering.objects.exists()


def test_publishing_from_a_date_keeps_it_hidden_until_then(cast: Cast, uppf: Uppfoljning) -> None:
    later = timezone.localdate() + dt.timedelta(days=5)
    uppf = _approved(cast, uppf)
    r = _client(cast.users["klg"]).post(
        _url(uppf), _step(uppf, "publicera", publicera_fran=str(later))
    )
    assert r.status_code == 302
    pub = Publicering.objects.get(uppfoljning=uppf)
    assert timezone.localtime(pub.publicerad_at).date() == later
    assert not Publicering.objects.visible_to(Viewer.resident()).exists()


def test_a_revision_leaves_the_published_version_public(cast: Cast, uppf: Uppfoljning) -> None:
    c = _client(cast.users["klg"])
    uppf = _approved(cast, uppf, sammanfattning="Första")
    assert c.post(_url(uppf), _step(uppf, "publicera")).status_code == 302
    uppf.refresh_from_db()
    c.post(_url(uppf), _data(uppf, sammanfattning="Utkast till rättelse"))
    uppf.refresh_from_db()
    assert uppf.tillstand == "utkast"
    assert Publicering.objects.visible_to(Viewer.resident()).get().sammanfattning == "Första"


def test_a_stale_save_is_refused_shows_the_other_change_and_keeps_the_input(
    cast: Cast, uppf: Uppfoljning
) -> None:
    services.uppfoljning_save(
        uppfoljning=uppf,
        version=1,
        changes={"sammanfattning": "Faddern skrev"},
        by=cast.users["fadder_a"],
    )
    r = _client(cast.users["ledartroja_a"]).post(
        _url(uppf), _data(uppf, version="1", sammanfattning="Min egen text")
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "Inte sparat" in html
    assert "Faddern skrev" in html
    assert "Min egen text" in html
    assert 'name="version" value="2"' in html
    uppf.refresh_from_db()
    assert uppf.sammanfattning == "Faddern skrev"


def test_a_closed_period_is_read_only_with_the_reason(cast: Cast, uppf: Uppfoljning) -> None:
    cast.period.close()
    c = _client(cast.users["klg"])
    html = c.get(_url(uppf)).content.decode()
    assert "Perioden är stängd" in html
    assert c.post(_url(uppf), _data(uppf, status="gron")).status_code == 403
    assert (
        _client(cast.users["admin"]).post(_url(uppf), _data(uppf, status="gron")).status_code == 302
    )


@pytest.mark.parametrize("edits", [1, 30])
def test_the_page_takes_a_constant_number_of_queries(
    cast: Cast, uppf: Uppfoljning, edits: int, django_assert_num_queries: object
) -> None:
    for i in range(edits):
        uppf = services.uppfoljning_save(
            uppfoljning=uppf,
            version=uppf.version,
            changes={"sammanfattning": f"v{i}"},
            by=cast.users["klg"],
        )
    c = _client(cast.users["ledartroja_a"])
    # 1 session, 2 user, 3 the follow-up with period, area, assignment and editor,
    # 4 roles_for (groups, ledartröja areas, fadder areas in one query),
    # 5 history with editors and their persons, 6 the latest publication.
    with django_assert_num_queries(6):  # type: ignore[operator]
        assert c.get(_url(uppf)).status_code == 200
