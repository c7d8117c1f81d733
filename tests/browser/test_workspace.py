"""The staff workspace in Chromium: accessible, and usable with the keyboard alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from omraden.models import Omrade
from uppfoljning.models import Period, Uppdrag, Uppfoljning

PASSWORD = "tangentbord-och-inget-annat-42"


@pytest.fixture
def klg_user(visit: Any) -> User:
    # The real data has only closed 2023 periods: open one to report in.
    Period.objects.create(
        ar=timezone.localdate().year + 1, tertial=1, tillstand=Period.Tillstand.OPPEN
    )
    user = User.objects.create_user("karin", password=PASSWORD, email="karin@tyreso.se")
    # get_or_create: transactional tests empty the tables, migration data included.
    user.groups.add(Group.objects.get_or_create(name="kommunledningsgruppen")[0])
    return user


def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got focus with Tab")


def log_in(page: Any) -> None:
    page.goto("/konto/logga-in/")
    tab_to(page, "#id_username")
    page.keyboard.type("karin")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/arbetsyta/")


def test_the_workspace_has_no_axe_violations(visit: Any, klg_user: User) -> None:
    v = visit()
    log_in(v.page)
    assert v.axe_violations() == []
    assert v.foreign_requests() == []
    # The follow-up page too, once it exists.
    omrade = Omrade.objects.order_by("nummer").first()
    v.page.goto("/arbetsyta/")
    v.page.locator(f"#omrade-{omrade.pk} form:not(.cell-form) button").click()
    v.page.wait_for_url("**/arbetsyta/uppfoljning/*/")
    assert v.axe_violations() == []


def test_a_keyboard_user_sets_yellow_with_cause_and_actions_in_place(
    visit: Any, klg_user: User
) -> None:
    v = visit()
    page = v.page
    log_in(page)
    omrade = Omrade.objects.order_by("nummer").first()
    key = f"omrade-{omrade.pk}"
    # Into the first cell's status radio group, then one step right: Gul.
    tab_to(page, f"#{key} input[type=radio]")
    page.keyboard.press("ArrowRight")
    assert page.locator(f"#{key} input[value=gul]").is_checked()
    # Choosing yellow opened the cause and actions fields.
    assert page.locator(f"#{key} details[data-cause]").get_attribute("open") is not None
    tab_to(page, f"#{key} textarea[name$=orsak]")
    page.keyboard.type("Rekryteringen av ledartröjor drog ut på tiden.")
    page.keyboard.press("Tab")
    page.keyboard.type("Ny ledartröja börjar i januari; workshop flyttad till februari.")
    tab_to(page, f"#{key}-spara")
    page.keyboard.press("Enter")

    cell = page.locator(f"#{key}")
    cell.locator("p.saved").wait_for()
    assert "Gul" in cell.locator(".cell-status").inner_text()
    # Only the cell was swapped: still the same page, and focus stayed in the cell.
    assert page.url.endswith("/arbetsyta/")
    assert page.evaluate("k => document.activeElement.closest('#' + k) !== null", key)
    uppf = Uppfoljning.objects.get(omrade=omrade)
    assert (uppf.status, uppf.orsak[:13]) == ("gul", "Rekryteringen")


def test_without_javascript_the_same_form_saves_with_a_full_page(
    visit: Any, klg_user: User
) -> None:
    v = visit(javascript=False)
    page = v.page
    log_in(page)
    omrade = Omrade.objects.order_by("nummer").first()
    key = f"omrade-{omrade.pk}"
    page.locator(f"#{key} input[value=rod]").check()
    page.locator(f"#{key} summary").click()
    page.locator(f"#{key} textarea[name$=orsak]").fill("Inte startat")
    page.locator(f"#{key} textarea[name$=atgarder]").fill("Start i mars")
    page.locator(f"#{key}-spara").click()
    page.wait_for_url("**/arbetsyta/#*")
    assert "Röd" in page.locator(f"#{key} .cell-status").inner_text()


def test_a_refused_status_shows_its_errors_in_the_cell_and_saves_once_fixed(
    visit: Any, klg_user: User
) -> None:
    v = visit()
    page = v.page
    log_in(page)
    omrade = Omrade.objects.order_by("nummer").first()
    key = f"omrade-{omrade.pk}"
    page.locator(f"#{key} input[value=rod]").check()
    page.locator(f"#{key}-spara").click()
    # Red without cause and actions: refused in place, the rest of the page untouched.
    cell = page.locator(f"#{key}")
    cell.locator(f"#id_{key}-orsak_error").wait_for()
    assert cell.locator(f"#id_{key}-orsak").get_attribute("aria-invalid") == "true"
    assert cell.locator("details[data-cause]").get_attribute("open") is not None
    assert cell.locator("input[value=rod]").is_checked()
    assert page.url.endswith("/arbetsyta/")
    assert not Uppfoljning.objects.filter(omrade=omrade).exists()
    # The swapped-in form posts again over htmx, with the CSRF token it brought.
    cell.locator(f"#id_{key}-orsak").fill("Inte startat")
    cell.locator(f"#id_{key}-atgarder").fill("Start i mars")
    page.locator(f"#{key}-spara").click()
    page.locator(f"#{key} p.saved").wait_for()
    assert "Röd" in page.locator(f"#{key} .cell-status").inner_text()
    assert Uppfoljning.objects.get(omrade=omrade).status == "rod"


def test_without_javascript_a_refused_status_shows_the_matrix_with_its_errors(
    visit: Any, klg_user: User
) -> None:
    v = visit(javascript=False)
    page = v.page
    log_in(page)
    omrade = Omrade.objects.order_by("nummer").first()
    key = f"omrade-{omrade.pk}"
    page.locator(f"#{key} input[value=gul]").check()
    page.locator(f"#{key}-spara").click()
    page.wait_for_load_state()
    # The whole matrix again, the refused cell with its errors and the user's choice.
    assert page.locator("h1").count() == 1
    assignments = Uppdrag.objects.filter(overgripande=True).count()
    assert page.locator(".cell").count() == Omrade.objects.count() + assignments
    page.locator(f"#id_{key}-orsak_error").wait_for()
    assert page.locator(f"#{key} input[value=gul]").is_checked()
    # Any form on that page saves with its token: here another area's.
    other = Omrade.objects.order_by("nummer")[1]
    page.locator(f"#omrade-{other.pk} input[value=gron]").check()
    page.locator(f"#omrade-{other.pk}-spara").click()
    page.wait_for_url("**/arbetsyta/#*")
    assert Uppfoljning.objects.get(omrade=other).status == "gron"
