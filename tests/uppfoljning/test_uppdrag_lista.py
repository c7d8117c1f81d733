"""/uppdrag/: every political assignment with its areas and its latest public status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tests.conftest import (
    make_omrade,
    make_period,
    make_publicering,
    make_uppdrag,
    make_uppfoljning,
)

pytestmark = pytest.mark.django_db


def _card(html: str, name: str) -> str:
    start = html.index(f">{name}</a></h3>")
    return html[start : html.index("</li>\n", start)]


def test_it_lists_the_ten_real_assignments(client: Client, tyreso: None) -> None:
    r = client.get("/uppdrag/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1>Politiska uppdrag</h1>" in html
    assert html.count('<li class="area-card">') == 10
    assert 'href="/uppdrag/ordning-och-reda-i-ekonomin/"' in html
    # The overarching assignment's T2 2023 status, with its symbol and word.
    card = _card(html, "Övergripande – att arbeta kommungemensamt")
    assert "●" in card and "Grön" in card and "(T2 2023)" in card


def test_it_shows_each_assignments_areas_and_says_when_there_are_none(client: Client) -> None:
    unga = make_omrade(kortnamn="Unga", slug="unga")
    make_omrade(kortnamn="Dold", slug="dold", publik=False).uppdrag.add(
        skola := make_uppdrag(namn="Skola")
    )
    skola.omraden.add(unga)
    make_uppdrag(namn="Ekonomi")
    html = client.get("/uppdrag/").content.decode()
    skola_card = _card(html, "Skola")
    assert 'href="/omraden/unga/"' in skola_card and "Unga" in skola_card
    # An area residents do not see is never named.
    assert "Dold" not in html
    assert "Inte kopplat till något område" in _card(html, "Ekonomi")


def test_the_latest_status_is_the_public_one_never_a_draft_or_a_scheduled_one(
    client: Client,
) -> None:
    uppdrag = make_uppdrag(namn="Skola")
    t1 = make_uppfoljning(uppdrag=uppdrag, period=make_period(ar=2024, tertial=1))
    make_publicering(t1, status="gul", orsak="x", atgarder="y")
    # A later period: a draft only, and a version due tomorrow.
    t2 = make_uppfoljning(
        uppdrag=uppdrag,
        period=make_period(ar=2024, tertial=2),
        status="rod",
        orsak="Ej påbörjat",
        atgarder="Planeras",
    )
    make_publicering(
        t2,
        status="gron",
        publicerad_at=timezone.now() + dt.timedelta(days=1),
    )
    card = _card(client.get("/uppdrag/").content.decode(), "Skola")
    assert "▲" in card and "Gul" in card and "(T1 2024)" in card
    assert "Grön" not in card and "Röd" not in card


def test_an_assignment_without_a_publication_says_so(client: Client) -> None:
    make_uppdrag(namn="Skola")
    card = _card(client.get("/uppdrag/").content.decode(), "Skola")
    assert "Ingen publicerad status ännu" in card


@pytest.mark.parametrize("size", [1, 10])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    omraden = [make_omrade() for _ in range(7)]
    periods = [make_period(ar=2024 + i // 3, tertial=i % 3 + 1) for i in range(size)]
    for n in range(size):
        uppdrag = make_uppdrag()
        uppdrag.omraden.set(omraden[: n % 7 + 1])
        for period in periods:
            make_publicering(make_uppfoljning(uppdrag=uppdrag, period=period, status="gron"))
    # 1: the assignments, each with the id of its latest current public version (a subquery)
    # 2: their areas residents see
    # 3: those versions with follow-up and period
    with django_assert_num_queries(3):
        assert client.get("/uppdrag/").status_code == 200
