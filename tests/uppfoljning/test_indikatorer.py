from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from tests.conftest import make_indikator, make_matvarde, make_omrade, make_uppdrag
from uppfoljning.models import Matvarde


@pytest.mark.django_db
def test_it_lists_the_ten_real_indicators_with_baselines_and_targets(
    client: Client, tyreso: None
) -> None:
    r = client.get("/indikatorer/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1>Indikatorer</h1>" in html
    assert html.count('class="indikator"') == 10
    assert "Startläge 2021" in html
    assert "Tyresö 27 %, riket 19 %" in html
    assert "Tyresö 54 %, riket 39 %" in html
    assert "Bland de 25 % bästa" in html
    assert "Bibehålla eller öka" in html


@pytest.mark.django_db
def test_it_draws_a_chart_only_for_indicators_with_figures(client: Client, tyreso: None) -> None:
    html = client.get("/indikatorer/").content.decode()
    # Three indicators have a baseline; the other figure indicators have no values yet.
    assert html.count('role="img"') == 3
    assert "bedöms i ord" in html


@pytest.mark.django_db
def test_it_is_in_english_under_en(client: Client, tyreso: None) -> None:
    html = client.get("/en/indikatorer/").content.decode()
    assert "<h1>Indicators</h1>" in html
    assert "Baseline 2021" in html


@pytest.mark.django_db
def test_it_hides_the_indicators_of_a_non_public_area(client: Client) -> None:
    make_indikator(namn="Synlig", uppdrag=make_uppdrag())
    make_indikator(namn="Dold", omrade=make_omrade(publik=False))
    html = client.get("/indikatorer/").content.decode()
    assert "Synlig" in html
    assert "Dold" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 12])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    uppdrag = make_uppdrag()
    for n in range(size):
        indikator = make_indikator(uppdrag=uppdrag, omrade=make_omrade(), startlage_ar=2015)
        for ar in range(2016, 2016 + size):
            make_matvarde(indikator, ar=ar, tyreso=40 + n, riket=38, kalla=Matvarde.Kalla.KOLADA)
    # 1: the public indicators with their assignment and area
    # 2: all their values
    with django_assert_num_queries(2):
        assert client.get("/indikatorer/").status_code == 200
