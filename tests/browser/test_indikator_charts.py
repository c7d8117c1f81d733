"""Indicator charts with several years of values: readable and accessible in the browser."""

from __future__ import annotations

from typing import Any

from tests.conftest import make_indikator, make_matvarde
from uppfoljning.models import Indikator, Matvarde

URL = "/indikatorer/delaktighetsindex/"


def _add_values() -> None:
    indikator = Indikator.objects.get(slug="delaktighetsindex")
    for ar, tyreso, riket in [(2022, 60, "57.5"), (2023, 61, 58), (2024, 63, 58)]:
        Matvarde.objects.create(
            indikator=indikator, ar=ar, kommun=tyreso, riket=riket, kalla=Matvarde.Kalla.KOLADA
        )


def test_a_chart_over_several_years_has_no_axe_violations(visit: Any) -> None:
    v = visit()
    _add_values()
    assert v.page.goto(URL).status == 200
    assert v.axe_violations() == []
    assert v.foreign_requests() == []


def test_the_chart_is_drawn_without_javascript_and_has_an_accessible_name(visit: Any) -> None:
    v = visit(javascript=False)
    _add_values()
    v.page.goto(URL)
    chart = v.page.get_by_role("img", name="Tyresö och riket över åren")
    assert chart.count() == 1
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 80
    assert v.page.get_by_text("2024: Tyresö 63 %, riket 58 %", exact=True).is_visible()
    assert v.page.locator("table caption").first.inner_text().startswith("Värden per år")


def test_the_list_shows_a_trend_line_per_indicator_without_axe_violations(visit: Any) -> None:
    v = visit()
    _add_values()
    assert v.page.goto("/indikatorer/").status == 200
    assert v.axe_violations() == []
    assert v.foreign_requests() == []
    trend = v.page.get_by_role("img", name="Tyresö 2021–2024: från 58 % till 63 %")
    assert trend.count() == 1
    assert trend.is_visible()
    box = trend.bounding_box()
    assert box is not None and box["width"] >= 100 and box["height"] >= 30
    # The table of every year is one link away.
    v.page.get_by_role("link", name="Diagrammet och värdena för 4 år").first.click()
    assert v.page.locator("table caption").first.inner_text().startswith("Värden per år")


def test_the_list_pages_through_every_indicator_without_javascript_or_axe_violations(
    visit: Any,
) -> None:
    for n in range(1, 6):
        indikator = make_indikator(slug=f"extra-{n}", namn=f"Extra indikator {n}", ordning=100 + n)
        make_matvarde(indikator, ar=2023, kommun=50 + n, riket=48, kalla=Matvarde.Kalla.KOLADA)
    for path in ("/indikatorer/", "/indikatorer/?sida=2"):
        v = visit()
        assert v.page.goto(path).status == 200
        assert v.axe_violations() == [], path
    # The pager is plain links: it works without JavaScript.
    v = visit(javascript=False)
    v.page.goto("/indikatorer/")
    pager = v.page.get_by_role("navigation", name="Sidor med indikatorer")
    assert pager.get_by_text("Sida 1 av 2").is_visible()
    pager.get_by_role("link", name="Nästa sida").click()
    assert v.page.url.endswith("/indikatorer/?sida=2")
    assert v.page.title().startswith("Indikatorer – Sida 2 av 2")
    headings = v.page.locator("main h2").all_inner_texts()
    assert headings == [f"Extra indikator {n}" for n in range(1, 6)]
    pager.get_by_role("link", name="Föregående sida").click()
    assert v.page.url.endswith("/indikatorer/?sida=1")
