from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from tests.conftest import make_indikator, make_matvarde, make_omrade, make_uppdrag, make_user
from uppfoljning.models import Indikator, Matvarde


@pytest.mark.django_db
def test_it_shows_baseline_target_and_latest_value(client: Client, tyreso: None) -> None:
    indikator = Indikator.objects.get(slug="delaktighetsindex")
    make_matvarde(indikator, ar=2023, kommun=61, riket=58, kalla=Matvarde.Kalla.KOLADA)
    html = client.get("/indikatorer/delaktighetsindex/").content.decode()
    assert "<h1>Kommunens delaktighetsindex (KKiK) har ökat</h1>" in html
    assert "Startläge 2021" in html and "Tyresö 58 %, riket 58 %" in html
    assert "Öka" in html
    assert '2023: Tyresö 61 %, riket 58 % <span class="muted">– Källa: Kolada</span>' in html


@pytest.mark.django_db
def test_the_chart_is_an_accessible_svg_with_summary_and_table(
    client: Client, tyreso: None
) -> None:
    indikator = Indikator.objects.get(slug="delaktighetsindex")
    make_matvarde(indikator, ar=2022, kommun=60, riket="57.5", kalla=Matvarde.Kalla.KOLADA)
    make_matvarde(indikator, ar=2023, kommun=61, riket=58, kalla=Matvarde.Kalla.KOLADA)
    html = client.get("/indikatorer/delaktighetsindex/").content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    assert (
        'aria-labelledby="diagram-titel-delaktighetsindex diagram-beskrivning-delaktighetsindex"'
        in svg
    )
    assert '<title id="diagram-titel-delaktighetsindex">' in svg
    # Two series that differ without colour: solid + circles, dashed + squares, end labels.
    assert svg.count("<circle") == 3 and svg.count("<rect") == 3
    assert 'stroke-dasharray="8 5"' in svg
    assert "Tyresö 61 %" in svg and "Riket 58 %" in svg
    assert "style=" not in svg
    # The text summary and the data table say the same in words.
    assert "<li>2023: Tyresö 61 %, riket 58 %</li>" in html
    assert "<li>2022: Tyresö 60 %, riket 57,5 %</li>" in html
    assert "<caption>Värden per år: Kommunens delaktighetsindex (KKiK) har ökat</caption>" in html
    assert '<th scope="row">2022</th><td>60 %</td><td>57,5 %</td><td>Källa: Kolada</td>' in html
    assert "Startläge i kommunplanen; källa: KKiK (Kommunens kvalitet i korthet)" in html
    # The chart names its sources right below it, too.
    assert (
        '<span class="diagram-kallor">Startläge i kommunplanen; källa: KKiK (Kommunens '
        "kvalitet i korthet). Källa: Kolada.</span>"
    ) in html


@pytest.mark.usefixtures("kommun")
@pytest.mark.django_db
def test_a_stored_value_for_the_baseline_year_replaces_the_baseline_point(
    client: Client,
) -> None:
    indikator = make_indikator(slug="x", startlage_ar=2021, startlage_kommun=58, startlage_riket=58)
    make_matvarde(indikator, ar=2021, kommun="58.4", riket="58.1", kalla=Matvarde.Kalla.KOLADA)
    html = client.get("/indikatorer/x/").content.decode()
    assert "<li>2021: Tyresö 58,4 %, riket 58,1 %</li>" in html
    assert html.count('<th scope="row">2021</th>') == 1


@pytest.mark.django_db
def test_sources_are_labelled_kolada_own_calculation_and_staff(client: Client) -> None:
    indikator = make_indikator(slug="x", kalla="SCB:s medborgarundersökning")
    make_matvarde(indikator, ar=2021, kommun=50, kalla=Matvarde.Kalla.KOLADA)
    make_matvarde(indikator, ar=2022, kommun=51, kalla=Matvarde.Kalla.EGEN)
    make_matvarde(indikator, ar=2023, kommun=52, kalla=Matvarde.Kalla.MANUELL)
    html = client.get("/indikatorer/x/").content.decode()
    assert "<td>Källa: Kolada</td>" in html
    assert "<td>Portalens egen beräkning</td>" in html
    assert "<td>Källa: SCB:s medborgarundersökning, inmatat av kommunen</td>" in html


@pytest.mark.usefixtures("kommun")
@pytest.mark.django_db
def test_a_missing_national_value_is_a_dash_never_zero(client: Client) -> None:
    indikator = make_indikator(slug="x")
    make_matvarde(indikator, ar=2023, kommun=52, riket=None)
    html = client.get("/indikatorer/x/").content.decode()
    assert "<li>2023: Tyresö 52 %</li>" in html
    assert '<th scope="row">2023</th><td>52 %</td><td>–</td>' in html
    assert "<rect" not in html


@pytest.mark.django_db
def test_an_assessed_indicator_is_explained_in_words(client: Client, tyreso: None) -> None:
    html = client.get("/indikatorer/samla-de-som-behovs/").content.decode()
    assert "<svg" not in html
    assert "mäts inte med en siffra" in html
    assert 'href="/uppdrag/overgripande-att-arbeta-kommungemensamt/"' in html


@pytest.mark.django_db
def test_an_indicator_without_values_says_so(client: Client) -> None:
    make_indikator(slug="x", enhet=Indikator.Enhet.ANTAL)
    html = client.get("/indikatorer/x/").content.decode()
    assert "Inga värden har publicerats" in html
    assert "<svg" not in html


@pytest.mark.django_db
def test_it_returns_404_for_an_unknown_or_hidden_indicator(client: Client) -> None:
    make_indikator(slug="dold", omrade=make_omrade(publik=False))
    assert client.get("/indikatorer/finns-inte/").status_code == 404
    assert client.get("/indikatorer/dold/").status_code == 404
    # The public page is the residents' page, for staff too (they have the workspace's).
    client.force_login(make_user(groups=("medarbetare",)))
    assert client.get("/indikatorer/dold/").status_code == 404
    assert client.get("/arbetsyta/indikatorer/dold/").status_code == 200


@pytest.mark.usefixtures("kommun")
@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 30])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    indikator = make_indikator(slug="x", uppdrag=make_uppdrag(), omrade=make_omrade())
    for ar in range(1990, 1990 + size):
        make_matvarde(indikator, ar=ar, kommun=50, riket=48)
    # 1: the indicator with its assignment and area
    # 2: its values
    with django_assert_num_queries(2):
        assert client.get("/indikatorer/x/").status_code == 200


@pytest.mark.usefixtures("kommun")
@pytest.mark.django_db
def test_a_new_value_shows_at_once_although_the_page_is_cached(client: Client) -> None:
    indikator = make_indikator(slug="x")
    make_matvarde(indikator, ar=2022, kommun=50)
    assert "2023: Tyresö 52 %" not in client.get("/indikatorer/x/").content.decode()
    indikator.set_value(ar=2023, kommun=Decimal(52), riket=None, kalla=Matvarde.Kalla.KOLADA)
    assert "<li>2023: Tyresö 52 %</li>" in client.get("/indikatorer/x/").content.decode()
