"""Every public page: zero axe-core WCAG 2.1 A/AA violations, works without JavaScript,
requests nothing from other hosts, and stays under 100 KB (HTML + CSS + JS)."""

from __future__ import annotations

from typing import Any

import pytest

PUBLIC_PAGES = [
    "/",
    "/omraden/unga/",
    "/omraden/delaktighet/",
    "/oppna-data/",
    "/indikatorer/",
    "/indikatorer/delaktighetsindex/",
    "/indikatorer/samla-de-som-behovs/",
    "/uppfoljning/",
    "/uppfoljning/?ar=2023",
    "/uppfoljning/2023-t2/",
    "/uppdrag/overgripande-att-arbeta-kommungemensamt/",
    "/uppdrag/",
    "/aktiviteter/",
    "/rapporter/",
    "/rapporter/kommundirektorens-rapport-november-2023/",
    "/ordlista/",
    "/om-personuppgifter/",
    "/tillganglighet/",
    "/en/",
    "/en/omraden/unga/",
    "/en/uppfoljning/2023-t2/",
    "/en/tillganglighet/",
    "/en/aktiviteter/",
    "/en/uppdrag/",
]
MAX_BYTES = 100 * 1024


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_axe_violations(visit: Any, path: str) -> None:
    v = visit()
    response = v.page.goto(path)
    assert response.status == 200
    assert v.axe_violations() == []
    assert v.foreign_requests() == []
    size = v.transferred_bytes()
    print(f"\n{path}: {size} bytes transferred (HTML+CSS+JS)")
    assert 0 < size < MAX_BYTES


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_works_without_javascript(visit: Any, path: str) -> None:
    v = visit(javascript=False)
    assert v.page.goto(path).status == 200
    assert v.page.locator("h1").count() == 1
    assert v.page.locator("main#main").is_visible()


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(visit: Any) -> None:
    v = visit()
    v.page.goto("/")
    v.page.keyboard.press("Tab")
    focused = v.page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Hoppa till innehållet"
    v.page.keyboard.press("Enter")
    assert v.page.evaluate("document.activeElement.id") == "main"


def test_language_switch_shows_the_page_in_english_without_javascript(visit: Any) -> None:
    v = visit(javascript=False)
    v.page.goto("/")
    v.page.get_by_role("link", name="English").click()
    assert v.page.url.endswith("/en/")
    assert v.page.locator("html").get_attribute("lang") == "en"
    assert v.page.locator("h1").inner_text() == "The joint areas"


def test_the_tertial_report_prints_without_navigation(visit: Any) -> None:
    v = visit()
    v.page.goto("/uppfoljning/2023-t2/")
    assert v.page.locator("nav.breadcrumbs").is_visible()
    v.page.emulate_media(media="print")
    assert not v.page.locator("header.site-header").is_visible()
    assert not v.page.locator("nav.breadcrumbs").is_visible()
    assert not v.page.locator("footer.site-footer").is_visible()
    assert v.page.locator("h1").is_visible()
    # Every area starts on a new A4 page.
    breaks = v.page.eval_on_selector_all(
        ".report-section", "els => els.map(e => getComputedStyle(e).breakBefore)"
    )
    assert breaks and set(breaks) == {"page"}


def test_the_footer_links_to_the_accessibility_statement_and_personal_data(visit: Any) -> None:
    v = visit(javascript=False)
    v.page.goto("/uppfoljning/")
    v.page.get_by_role("link", name="Tillgänglighetsredogörelse").click()
    assert v.page.url.endswith("/tillganglighet/")
    assert "delvis förenlig" in v.page.locator("main").inner_text()
    v.page.get_by_role("link", name="Så hanterar vi personuppgifter").click()
    assert v.page.url.endswith("/om-personuppgifter/")


def test_the_year_filter_works_without_javascript(visit: Any) -> None:
    v = visit(javascript=False)
    v.page.goto("/uppfoljning/")
    v.page.get_by_label("År", exact=True).select_option("2023")
    v.page.get_by_role("button", name="Visa").click()
    assert v.page.url.endswith("/uppfoljning/?ar=2023")
    assert v.page.locator("table caption").inner_text() == "Publicerad status per period, 2023"
