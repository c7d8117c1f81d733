"""The matrix and the status change show what changed on the very next request.

Within one test client (and one database connection) a save, a publication, another period
or another user shows on the next request, and the user's roles are asked for every time.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast
from tests.conftest import make_period, make_publicering, make_uppfoljning
from uppfoljning.models import Period, Uppfoljning

URL = "/arbetsyta/"


def _client(user: object) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _save(c: Client, period: Period, kind: str, pk: int, status: str, version: int) -> str:
    key = f"{kind}-{pk}"
    r = c.post(
        reverse("arbetsyta:cell", args=[period.pk, kind, pk]),
        {
            f"{key}-status": status,
            f"{key}-orsak": "x",
            f"{key}-atgarder": "y",
            f"{key}-version": str(version),
        },
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200
    return r.content.decode()


def _cell_of(html: str, key: str) -> str:
    start = html.index(f'<article class="cell" id="{key}"')
    return html[start : html.index("</article>", start)]


def test_a_status_saved_in_the_matrix_shows_on_the_next_request(cast: Cast) -> None:
    c = _client(cast.users["ledartroja_a"])
    key = f"omrade-{cast.omrade_a.pk}"
    assert "status-gron" not in _cell_of(c.get(URL).content.decode(), key)
    _save(c, cast.period, "omrade", cast.omrade_a.pk, "gron", 0)  # creates the follow-up
    assert "status-gron" in _cell_of(c.get(URL).content.decode(), key)
    version = Uppfoljning.objects.get(period=cast.period, omrade=cast.omrade_a).version
    fragment = _save(c, cast.period, "omrade", cast.omrade_a.pk, "gul", version)
    # The fragment shows the row as saved now, with the version the next save is based on.
    assert "status-gul" in fragment
    assert f'name="{key}-version" value="{version + 1}"' in fragment
    cell = _cell_of(c.get(URL).content.decode(), key)
    assert "status-gul" in cell and "status-gron" not in cell


def test_a_publication_shows_on_the_next_request(cast: Cast) -> None:
    uppf = make_uppfoljning(period=cast.period, omrade=cast.omrade_a, status="gron")
    c = _client(cast.users["klg"])
    key = f"omrade-{cast.omrade_a.pk}"
    Uppfoljning.objects.filter(pk=uppf.pk).update(tillstand=Uppfoljning.Tillstand.UTKAST)
    assert "en tidigare version är publicerad" not in _cell_of(c.get(URL).content.decode(), key)
    make_publicering(uppf)
    assert "en tidigare version är publicerad" in _cell_of(c.get(URL).content.decode(), key)


def test_a_newly_opened_period_shows_on_the_next_request(cast: Cast) -> None:
    c = _client(cast.users["klg"])
    assert str(cast.period) in c.get(URL).content.decode()
    Period.objects.filter(pk=cast.period.pk).update(tillstand=Period.Tillstand.STANGD)
    later = make_period(ar=cast.period.ar, tertial=2, tillstand=Period.Tillstand.OPPEN)
    make_uppfoljning(period=later, omrade=cast.omrade_b, status="rod", orsak="x", atgarder="y")
    html = c.get(URL).content.decode()
    assert str(later) in html and str(cast.period) not in html
    assert reverse("arbetsyta:cell", args=[later.pk, "omrade", cast.omrade_a.pk]) in html
    assert "status-rod" in _cell_of(html, f"omrade-{cast.omrade_b.pk}")


def test_each_user_gets_their_own_roles_on_one_connection(cast: Cast) -> None:
    area_a = reverse("arbetsyta:cell", args=[cast.period.pk, "omrade", cast.omrade_a.pk])
    area_b = reverse("arbetsyta:cell", args=[cast.period.pk, "omrade", cast.omrade_b.pk])
    assignment = reverse("arbetsyta:cell", args=[cast.period.pk, "uppdrag", cast.uppdrag.pk])
    html = _client(cast.users["klg"]).get(URL).content.decode()
    assert area_a in html and area_b in html and assignment in html
    html = _client(cast.users["ledartroja_a"]).get(URL).content.decode()
    assert area_a in html and area_b not in html and assignment not in html
    html = _client(cast.users["medarbetare"]).get(URL).content.decode()
    assert 'class="cell-form"' not in html
    r = Client().get(URL)
    assert r.status_code == 302 and r["Location"].startswith("/konto/logga-in/")


def test_a_save_is_refused_to_users_without_the_role_after_a_permitted_save(
    cast: Cast,
) -> None:
    uppf = make_uppfoljning(period=cast.period, omrade=cast.omrade_a, status="gron")
    _save(_client(cast.users["klg"]), cast.period, "omrade", cast.omrade_a.pk, "gul", 1)
    key = f"omrade-{cast.omrade_a.pk}"
    data = {f"{key}-status": "rod", f"{key}-version": "2"}
    url = reverse("arbetsyta:cell", args=[cast.period.pk, "omrade", cast.omrade_a.pk])
    for name in ("medarbetare", "ledartroja_b"):
        r = _client(cast.users[name]).post(url, data, headers={"HX-Request": "true"})
        assert r.status_code == 403
    r = Client().post(url, data, headers={"HX-Request": "true"})
    assert r.status_code == 302
    uppf.refresh_from_db()
    assert (uppf.status, uppf.version) == ("gul", 2)


def test_both_kinds_of_cell_are_saved_on_one_connection(cast: Cast) -> None:
    make_uppfoljning(period=cast.period, omrade=cast.omrade_a, status="gron")
    make_uppfoljning(period=cast.period, uppdrag=cast.uppdrag, status="gron")
    c = _client(cast.users["klg"])
    assert "status-gul" in _save(c, cast.period, "omrade", cast.omrade_a.pk, "gul", 1)
    assert "status-rod" in _save(c, cast.period, "uppdrag", cast.uppdrag.pk, "rod", 1)
    assert Uppfoljning.objects.get(uppdrag=cast.uppdrag).status == "rod"
    assert Uppfoljning.objects.get(omrade=cast.omrade_a).status == "gul"
    # An unknown kind is refused before anything is read for it.
    url = reverse("arbetsyta:cell", args=[cast.period.pk, "annat", cast.omrade_a.pk])
    assert c.post(url, {}).status_code == 404


def test_a_conflicting_save_shows_the_row_as_it_is_now(cast: Cast) -> None:
    uppf = make_uppfoljning(period=cast.period, omrade=cast.omrade_a, status="gron")
    c = _client(cast.users["ledartroja_a"])
    _save(c, cast.period, "omrade", cast.omrade_a.pk, "gul", 1)
    # Somebody else saves version 2 first; a save based on version 1 again is a conflict.
    _save(_client(cast.users["klg"]), cast.period, "omrade", cast.omrade_a.pk, "rod", 2)
    fragment = _save(c, cast.period, "omrade", cast.omrade_a.pk, "gron", 1)
    key = f"omrade-{cast.omrade_a.pk}"
    assert 'class="conflict"' in fragment
    assert f'name="{key}-version" value="3"' in fragment
    uppf.refresh_from_db()
    assert (uppf.status, uppf.version) == ("rod", 3)


# 1 session, 2 user, 3 roles_for (groups, ledartröja areas, fadder areas in one UNION ALL),
# 4 the open periods, 5 areas, 6 overarching assignments, 7 follow-ups of the period with
# editor, person and first publication, 8 "Waiting for you": the user's follow-ups in the
# open periods (staff_views.waiting_for); a ledartröja is also asked for the resident input
# waiting for their moderation (9, omraden.services).
@pytest.mark.parametrize(("user", "queries"), [("klg", 8), ("ledartroja_a", 9)])
def test_the_matrix_takes_the_same_queries_on_every_request(
    cast: Cast, user: str, queries: int, django_assert_num_queries: object
) -> None:
    make_uppfoljning(period=cast.period, omrade=cast.omrade_a, status="gron")
    c = _client(cast.users[user])
    with django_assert_num_queries(queries):  # type: ignore[operator]
        c.get(URL)
    with django_assert_num_queries(queries):  # type: ignore[operator]
        assert c.get(URL).status_code == 200
