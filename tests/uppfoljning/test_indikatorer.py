from __future__ import annotations

import re

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from tests.conftest import make_indikator, make_matvarde, make_omrade, make_uppdrag, make_user
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
    client.force_login(make_user(groups=("medarbetare",)))
    assert "Dold" not in client.get("/indikatorer/").content.decode()


@pytest.mark.usefixtures("kommun")
@pytest.mark.django_db
@pytest.mark.parametrize(("size", "url"), [(1, "/indikatorer/"), (25, "/indikatorer/?sida=2")])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int, url: str
) -> None:
    uppdrag = make_uppdrag()
    for n in range(size):
        indikator = make_indikator(uppdrag=uppdrag, omrade=make_omrade(), startlage_ar=2015)
        for ar in range(2016, 2016 + size):
            make_matvarde(indikator, ar=ar, kommun=40 + n, riket=38, kalla=Matvarde.Kalla.KOLADA)
    # 1: the number of public indicators (for the pager)
    # 2: the page's indicators with their assignment
    # 3: the values of the page's indicators
    with django_assert_num_queries(3):
        assert client.get(url).status_code == 200


def _names(html: str) -> list[str]:
    return re.findall(r'<h2 id="indikator-[^"]+"><a href="[^"]+">([^<]+)</a></h2>', html)


@pytest.mark.usefixtures("kommun")
@pytest.mark.django_db
def test_it_shows_ten_indicators_a_page_in_their_order_and_the_rest_on_page_two(
    client: Client,
) -> None:
    # Made in reverse order, so the page's order comes from `ordning`, not from the pk.
    for n in reversed(range(1, 13)):
        make_indikator(slug=f"i{n}", namn=f"Indikator {n:02}", ordning=n)
    first = client.get("/indikatorer/").content.decode()
    assert _names(first) == [f"Indikator {n:02}" for n in range(1, 11)]
    assert '<nav aria-label="Sidor med indikatorer" class="pager">' in first
    assert '<li aria-current="page">Sida 1 av 2</li>' in first
    assert '<a href="?sida=2" rel="next">Nästa sida</a>' in first
    assert 'rel="prev"' not in first
    assert "<title>Indikatorer – Tyresö kommun</title>" in first

    second = client.get("/indikatorer/?sida=2").content.decode()
    assert _names(second) == ["Indikator 11", "Indikator 12"]
    assert '<li aria-current="page">Sida 2 av 2</li>' in second
    assert '<a href="?sida=1" rel="prev">Föregående sida</a>' in second
    assert 'rel="next"' not in second
    # Each page has a title of its own.
    assert "<title>Indikatorer – Sida 2 av 2 – Tyresö kommun</title>" in second


@pytest.mark.django_db
def test_indicators_sharing_an_order_number_are_each_on_exactly_one_page(client: Client) -> None:
    for n in range(15):
        make_indikator(namn=f"Lika {n:02}", ordning=1)
    pages = [client.get(f"/indikatorer/?sida={n}").content.decode() for n in (1, 2)]
    assert sorted(_names(pages[0]) + _names(pages[1])) == [f"Lika {n:02}" for n in range(15)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sida", "shown"), [("abc", "Indikator 01"), ("0", "Indikator 12"), ("99", "Indikator 12")]
)
def test_an_invalid_page_gives_the_first_and_one_out_of_range_the_last(
    client: Client, sida: str, shown: str
) -> None:
    # As on the other lists (Paginator.get_page): never an error page for a hand-typed address.
    for n in range(1, 13):
        make_indikator(namn=f"Indikator {n:02}", ordning=n)
    r = client.get(f"/indikatorer/?sida={sida}")
    assert r.status_code == 200
    assert shown in _names(r.content.decode())


@pytest.mark.django_db
def test_there_is_no_pager_when_every_indicator_fits_on_one_page(
    client: Client, tyreso: None
) -> None:
    html = client.get("/indikatorer/").content.decode()
    assert 'class="pager"' not in html
    # Every indicator with every year stays one link away, as open data.
    assert '<a href="/oppna-data/#indikatorer">' in html


@pytest.mark.django_db
def test_page_two_is_cached_and_emptied_by_a_change_like_page_one(client: Client) -> None:
    for n in range(1, 13):
        make_indikator(slug=f"i{n}", namn=f"Indikator {n:02}", ordning=n)
    miss, hit = client.get("/indikatorer/?sida=2"), client.get("/indikatorer/?sida=2")
    assert (miss.headers.get("X-Public-Cache"), hit.headers.get("X-Public-Cache")) == (
        None,
        "hit",
    )
    assert hit.content == miss.content
    # Page one is an entry of its own: its own address, its own indicators.
    assert "Indikator 11" not in client.get("/indikatorer/").content.decode()
    make_indikator(slug="ny", namn="Indikator 13", ordning=13)
    fresh = client.get("/indikatorer/?sida=2")
    assert fresh.headers.get("X-Public-Cache") is None
    assert _names(fresh.content.decode()) == ["Indikator 11", "Indikator 12", "Indikator 13"]


@pytest.mark.usefixtures("kommun")
@pytest.mark.django_db
def test_each_indicator_has_a_trend_line_with_its_numbers_in_words(client: Client) -> None:
    indikator = make_indikator(
        slug="delaktighet", startlage_ar=2021, startlage_kommun=58, startlage_riket=58
    )
    make_matvarde(indikator, ar=2022, kommun=60, riket="57.5", kalla=Matvarde.Kalla.KOLADA)
    make_matvarde(indikator, ar=2023, kommun=61, riket=58, kalla=Matvarde.Kalla.KOLADA)
    html = client.get("/indikatorer/").content.decode()
    svg = re.search(r'<svg class="sparkline".*?</svg>', html, re.S).group(0)
    assert 'role="img" aria-labelledby="trend-delaktighet"' in svg
    assert (
        '<title id="trend-delaktighet">Tyresö 2021–2023: från 58 % till 61 %; '
        "riket 2021–2023: från 58 % till 58 %</title>"
    ) in svg
    # Solid line and round marker for Tyresö, dashed line and square marker for the nation.
    assert svg.count("<polyline") == 2 and svg.count("<circle") == 1 and svg.count("<rect") == 1
    assert "style=" not in svg
    assert '2023: Tyresö 61 %, riket 58 % <span class="muted">– Källa: Kolada</span>' in html
    assert '<a href="/indikatorer/delaktighet/">Diagrammet och värdena för 3 år' in html


@pytest.mark.django_db
@pytest.mark.parametrize("years", [2, 20])
def test_the_page_does_not_grow_with_the_years(client: Client, years: int) -> None:
    indikator = make_indikator(slug="x", startlage_ar=2000, startlage_kommun=40)
    for ar in range(2001, 2001 + years):
        make_matvarde(indikator, ar=ar, kommun=40 + ar % 7, riket=41, kalla=Matvarde.Kalla.KOLADA)
    html = client.get("/indikatorer/").content.decode()
    # The table of every year is on the indicator's own page only.
    assert "<table" not in html and "<li>2001:" not in html
    assert html.count("<polyline") == 2
    assert len(re.search(r'<svg class="sparkline".*?</svg>', html, re.S).group(0)) < 1500
