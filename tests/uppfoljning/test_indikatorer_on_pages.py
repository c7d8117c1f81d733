"""The area and assignment pages show their indicators' latest values (the shared partial)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from omraden.models import Omrade
from tests.conftest import make_indikator, make_matvarde, make_omrade, make_uppdrag
from uppfoljning.models import Indikator, Matvarde


@pytest.mark.django_db
def test_the_assignment_page_shows_the_ten_indicators_with_latest_values(
    client: Client, tyreso: None
) -> None:
    indikator = Indikator.objects.get(slug="delaktighetsindex")
    make_matvarde(indikator, ar=2023, kommun=61, riket=58, kalla=Matvarde.Kalla.KOLADA)
    html = client.get("/uppdrag/overgripande-att-arbeta-kommungemensamt/").content.decode()
    assert html.count('<th scope="row"><a href="/indikatorer/') == 10
    assert "2023: Tyresö 61 %, riket 58 %" in html
    assert "Källa: Kolada" in html
    assert "2021: Tyresö 27 %, riket 19 %" in html
    assert "Bedöms i ord" in html


@pytest.mark.django_db
def test_the_area_page_shows_the_areas_own_indicators(client: Client, tyreso: None) -> None:
    omrade = Omrade.objects.get(slug="unga")
    indikator = make_indikator(
        slug="trygga-unga", namn="Andel unga som känner sig trygga", omrade=omrade
    )
    make_matvarde(indikator, ar=2024, kommun=71, riket=None)
    html = client.get("/omraden/unga/").content.decode()
    assert "Andel unga som känner sig trygga" in html
    assert "2024: Tyresö 71 %" in html


@pytest.mark.django_db
def test_an_area_without_indicators_shows_no_indicator_section(
    client: Client, tyreso: None
) -> None:
    html = client.get("/omraden/unga/").content.decode()
    assert 'id="indikatorer-rubrik"' not in html


def _queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.usefixtures("kommun")
@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/omraden/unga/", "/uppdrag/overgripande-att-arbeta-kommungemensamt/"]
)
def test_the_indicators_cost_two_queries_whatever_their_number(client: Client, url: str) -> None:
    # The pages themselves belong to their own tests (tests/omraden/test_detail.py, …);
    # here: the indicator part adds exactly two queries, with 1 or 20 indicators.
    omrade = make_omrade(slug="unga")
    uppdrag = make_uppdrag(slug="overgripande-att-arbeta-kommungemensamt")
    counts = []
    for size in (1, 20):
        Indikator.objects.all().delete()
        for _ in range(size):
            indikator = make_indikator(omrade=omrade, uppdrag=uppdrag)
            for ar in range(2000, 2000 + size):
                make_matvarde(indikator, ar=ar)
        queries = _queries(client, url)
        # 1: the indicators (with assignment and area)  2: their values
        assert sum('FROM "uppfoljning_indikator"' in q for q in queries) == 1
        assert sum('FROM "uppfoljning_matvarde"' in q for q in queries) == 1
        counts.append(len(queries))
    assert counts[0] == counts[1]
