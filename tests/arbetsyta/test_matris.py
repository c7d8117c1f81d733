"""/arbetsyta/: the matrix of areas and the overarching assignment × the open period."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.cast import Cast
from tests.conftest import make_omrade, make_publicering, make_uppfoljning
from uppfoljning import services
from uppfoljning.models import Historik, Period, Uppfoljning
from uppfoljning.staff_forms import CellForm

URL = "/arbetsyta/"


def _client(user: object) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_it_redirects_anonymous_users_to_login(cast: Cast, client: Client) -> None:
    r = client.get(URL)
    assert r.status_code == 302
    assert r["Location"].startswith("/konto/logga-in/")


def test_it_shows_every_area_and_the_overarching_assignment(cast: Cast) -> None:
    r = _client(cast.users["medarbetare"]).get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    assert cast.omrade_a.kortnamn in html
    assert cast.omrade_b.kortnamn in html
    assert cast.uppdrag.namn in html
    assert str(cast.period) in html


def test_it_shows_a_medarbetare_no_status_form(cast: Cast) -> None:
    html = _client(cast.users["medarbetare"]).get(URL).content.decode()
    assert 'class="cell-form"' not in html


def test_it_shows_a_ledartroja_the_form_of_their_own_area_only(cast: Cast) -> None:
    html = _client(cast.users["ledartroja_a"]).get(URL).content.decode()
    assert reverse("arbetsyta:cell", args=[cast.period.pk, "omrade", cast.omrade_a.pk]) in html
    assert reverse("arbetsyta:cell", args=[cast.period.pk, "omrade", cast.omrade_b.pk]) not in html
    assert reverse("arbetsyta:cell", args=[cast.period.pk, "uppdrag", cast.uppdrag.pk]) not in html


def test_it_says_so_when_no_period_is_open(cast: Cast) -> None:
    Period.objects.update(tillstand=Period.Tillstand.STANGD)
    html = _client(cast.users["admin"]).get(URL).content.decode()
    assert "Ingen period är öppen" in html
    assert reverse("admin:uppfoljning_period_changelist") in html


def test_it_flags_follow_ups_not_published_by_the_deadline(cast: Cast) -> None:
    Period.objects.filter(pk=cast.period.pk).update(deadline=dt.date(2020, 1, 1))
    published = make_uppfoljning(period=cast.period, omrade=cast.omrade_a, status="gron")
    make_publicering(published, publicerad_at=dt.datetime(2019, 12, 1, tzinfo=dt.UTC))
    html = _client(cast.users["klg"]).get(URL).content.decode()
    # Area B and the assignment are late; area A was published in time. (Väntar på dig above
    # the matrix names late work too: the cells' own flags are counted.)
    assert html.count('<p class="flag-late">') == 2


def test_it_sets_status_in_place_and_creates_the_follow_up_on_first_edit(cast: Cast) -> None:
    c = _client(cast.users["ledartroja_a"])
    url = reverse("arbetsyta:cell", args=[cast.period.pk, "omrade", cast.omrade_a.pk])
    key = f"omrade-{cast.omrade_a.pk}"
    r = c.post(url, {f"{key}-status": "gron", f"{key}-version": "0"})
    assert r.status_code == 302
    uppf = Uppfoljning.objects.get(period=cast.period, omrade=cast.omrade_a)
    assert uppf.status == "gron"
    assert uppf.version == 2
    assert list(Historik.objects.filter(uppfoljning=uppf).values_list("handling", flat=True)) == [
        "skapad",
        "andrad",
    ]


def test_an_htmx_save_returns_only_the_cell(cast: Cast) -> None:
    c = _client(cast.users["klg"])
    url = reverse("arbetsyta:cell", args=[cast.period.pk, "uppdrag", cast.uppdrag.pk])
    key = f"uppdrag-{cast.uppdrag.pk}"
    r = c.post(
        url,
        {
            f"{key}-status": "gul",
            f"{key}-orsak": "Sen start",
            f"{key}-atgarder": "Ny plan",
            f"{key}-version": "0",
        },
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "<html" not in html
    assert f'id="{key}"' in html
    assert "Gul" in html


def test_yellow_without_cause_is_refused_with_the_errors_in_the_cell(cast: Cast) -> None:
    c = _client(cast.users["klg"])
    url = reverse("arbetsyta:cell", args=[cast.period.pk, "uppdrag", cast.uppdrag.pk])
    key = f"uppdrag-{cast.uppdrag.pk}"
    r = c.post(url, {f"{key}-status": "rod", f"{key}-version": "0"}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert "Beskriv orsaken" in r.content.decode()
    assert not Uppfoljning.objects.exists()


def test_a_refusal_without_javascript_shows_the_matrix_with_one_token_for_every_form(
    cast: Cast,
) -> None:
    c = _client(cast.users["klg"])
    url = reverse("arbetsyta:cell", args=[cast.period.pk, "uppdrag", cast.uppdrag.pk])
    key = f"uppdrag-{cast.uppdrag.pk}"
    r = c.post(url, {f"{key}-status": "rod", f"{key}-version": "0"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "<html" in html
    assert "Beskriv orsaken" in html
    # The cells' forms (the header's log-out form has its own token, as on every page).
    matrix = html[html.index('<div class="matris">') :]
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', matrix)
    # klg edits every cell: a status form in each, and the refused one is among them.
    assert html.count('class="cell-form"') == 3
    assert len(tokens) >= 3
    assert len(set(tokens)) == 1
    assert not Uppfoljning.objects.exists()


def test_a_stale_cell_save_is_refused_and_says_who_changed_what(cast: Cast) -> None:
    uppf = make_uppfoljning(period=cast.period, omrade=cast.omrade_a, status="gron", version=3)
    Historik.objects.create(
        uppfoljning=uppf,
        av=cast.users["fadder_a"],
        handling="andrad",
        version=3,
        fore={"status": ""},
        efter={"status": "gron"},
    )
    c = _client(cast.users["ledartroja_a"])
    url = reverse("arbetsyta:cell", args=[cast.period.pk, "omrade", cast.omrade_a.pk])
    key = f"omrade-{cast.omrade_a.pk}"
    r = c.post(
        url,
        {
            f"{key}-status": "rod",
            f"{key}-orsak": "x",
            f"{key}-atgarder": "y",
            f"{key}-version": "2",
        },
        headers={"HX-Request": "true"},
    )
    html = r.content.decode()
    assert "Inte sparat" in html
    assert "Fadder" in html
    uppf.refresh_from_db()
    assert uppf.status == "gron"
    assert uppf.version == 3


def _inputs(form: CellForm) -> list[str]:
    """Every input of a cell form as Django's own widgets render it."""
    radios = [str(radio.tag()) for radio in form["status"]]
    return [str(form["version"]), *radios, str(form["orsak"]), str(form["atgarder"])]


def test_the_written_out_inputs_are_what_djangos_widgets_render(cast: Cast) -> None:
    uppf = make_uppfoljning(
        period=cast.period,
        omrade=cast.omrade_a,
        status="gul",
        orsak='Sen <start> & "paus"',
        atgarder="\nNy plan",
    )
    html = _client(cast.users["klg"]).get(URL).content.decode()
    key = f"omrade-{cast.omrade_a.pk}"
    initial = {"status": "gul", "orsak": uppf.orsak, "atgarder": uppf.atgarder, "version": 1}
    for tag in _inputs(CellForm(prefix=key, initial=initial)):
        assert tag in html


def test_a_refused_cell_marks_its_inputs_invalid_as_djangos_widgets_do(cast: Cast) -> None:
    url = reverse("arbetsyta:cell", args=[cast.period.pk, "uppdrag", cast.uppdrag.pk])
    key = f"uppdrag-{cast.uppdrag.pk}"
    data = {f"{key}-status": "rod", f"{key}-version": "0"}
    r = _client(cast.users["klg"]).post(url, data, headers={"HX-Request": "true"})
    html = r.content.decode()
    form = CellForm(data, prefix=key)
    assert not form.is_valid()
    for tag in _inputs(form):
        assert tag in html
    assert 'aria-invalid="true"' in str(form["orsak"])
    assert str(form["orsak"].errors) in html


@pytest.mark.parametrize(
    ("last_editor", "queries"), [("klg", 10), ("ledartroja_a", 9)], ids=["another", "same"]
)
def test_an_htmx_save_takes_nine_or_ten_queries(
    cast: Cast, last_editor: str, queries: int, django_assert_num_queries: object
) -> None:
    uppf = make_uppfoljning(
        period=cast.period,
        omrade=cast.omrade_a,
        status="gron",
        andrad_av=cast.users[last_editor],
    )
    c = _client(cast.users["ledartroja_a"])
    url = reverse("arbetsyta:cell", args=[cast.period.pk, "omrade", cast.omrade_a.pk])
    key = f"omrade-{cast.omrade_a.pk}"
    data = {f"{key}-status": "gul", f"{key}-orsak": "x", f"{key}-atgarder": "y"}
    # 1 session, 2 user, 3 the follow-up with its period, area, editor and first publication,
    # 4 roles_for (groups, ledartröja areas, fadder areas in one query), 5 BEGIN, 6 the row as
    # it is now, 7 the conditional UPDATE, 8 the history row, 9 COMMIT, and, when somebody
    # else saved last, 10 the new editor's person (the saved row is shown as written).
    with django_assert_num_queries(queries):  # type: ignore[operator]
        r = c.post(url, {**data, f"{key}-version": "1"}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'value="2"' in html
    assert services.display_name(cast.users["ledartroja_a"]) in html
    uppf.refresh_from_db()
    assert (uppf.status, uppf.version, uppf.andrad_av) == ("gul", 2, cast.users["ledartroja_a"])
    assert Historik.objects.filter(uppfoljning=uppf, version=2).count() == 1


def test_a_first_htmx_save_creates_the_follow_up(cast: Cast) -> None:
    c = _client(cast.users["ledartroja_a"])
    url = reverse("arbetsyta:cell", args=[cast.period.pk, "omrade", cast.omrade_a.pk])
    key = f"omrade-{cast.omrade_a.pk}"
    data = {f"{key}-status": "gron", f"{key}-version": "0"}
    r = c.post(url, data, headers={"HX-Request": "true"})
    assert r.status_code == 200
    uppf = Uppfoljning.objects.get(period=cast.period, omrade=cast.omrade_a)
    assert (uppf.status, uppf.andrad_av) == ("gron", cast.users["ledartroja_a"])
    assert f'name="{key}-version" value="{uppf.version}"' in r.content.decode()


@pytest.mark.parametrize("kind", ["omrade", "uppdrag", "annat"])
def test_a_save_for_a_missing_period_or_subject_is_404(cast: Cast, kind: str) -> None:
    c = _client(cast.users["klg"])
    pk = cast.omrade_a.pk if kind == "omrade" else 999_999
    url = reverse(
        "arbetsyta:cell", args=[999_999 if kind == "omrade" else cast.period.pk, kind, pk]
    )
    r = c.post(url, {f"{kind}-{pk}-status": "gron", f"{kind}-{pk}-version": "0"})
    assert r.status_code == 404
    assert not Uppfoljning.objects.exists()


def test_a_ledartroja_cannot_set_another_areas_status(cast: Cast) -> None:
    c = _client(cast.users["ledartroja_b"])
    url = reverse("arbetsyta:cell", args=[cast.period.pk, "omrade", cast.omrade_a.pk])
    key = f"omrade-{cast.omrade_a.pk}"
    r = c.post(url, {f"{key}-status": "gron", f"{key}-version": "0"})
    assert r.status_code == 403
    assert not Uppfoljning.objects.exists()


@pytest.mark.parametrize("extra_areas", [0, 20])
def test_the_matrix_takes_a_constant_number_of_queries(
    cast: Cast, extra_areas: int, django_assert_num_queries: object
) -> None:
    for _ in range(extra_areas):
        o = make_omrade()
        make_uppfoljning(period=cast.period, omrade=o, status="gron")
    c = _client(cast.users["ledartroja_a"])
    # 1 session, 2 user, 3 roles_for (groups, ledartröja areas, fadder areas in one query),
    # 4 the open periods, 5 areas, 6 overarching assignments,
    # 7 follow-ups of the period with editor and person and publication flags,
    # 8 "Waiting for you": the user's follow-ups in the open periods (staff_views.waiting_for),
    # 9 the resident input waiting for this user's moderation (omraden.services).
    with django_assert_num_queries(9):  # type: ignore[operator]
        r = c.get(URL)
    assert r.status_code == 200


@pytest.mark.parametrize("prefix", ["", "/en"], ids=["sv", "en"])
def test_the_formatted_cell_addresses_are_the_reversed_ones(cast: Cast, prefix: str) -> None:
    uppf = make_uppfoljning(period=cast.period, omrade=cast.omrade_a, status="gron")
    html = _client(cast.users["klg"]).get(f"{prefix}{URL}").content.decode()
    language = "en" if prefix else "sv"
    with translation.override(language):
        expected = [
            reverse("arbetsyta:cell", args=[cast.period.pk, "omrade", cast.omrade_a.pk]),
            reverse("arbetsyta:uppfoljning", args=[uppf.pk]),
            reverse("arbetsyta:cell", args=[cast.period.pk, "uppdrag", cast.uppdrag.pk]),
            reverse("arbetsyta:ny", args=[cast.period.pk, "uppdrag", cast.uppdrag.pk]),
        ]
    assert expected[0].startswith(f"{prefix}/")
    for url in expected:
        assert f'="{url}"' in html


def test_the_status_labels_follow_the_language(cast: Cast) -> None:
    c = _client(cast.users["klg"])
    assert "> Gul</label>" in c.get(URL).content.decode()
    assert "> Yellow</label>" in c.get(f"/en{URL}").content.decode()
    assert "> Gul</label>" in c.get(URL).content.decode()
