"""Following areas by e-mail, in a real browser: axe-clean with and without errors, and the
whole double opt-in, from an area page to stopping, without JavaScript."""

from __future__ import annotations

import re
from typing import Any

from prenumeration.models import Prenumeration
from utskick.models import Utskick


def test_the_follow_page_has_no_axe_violations_also_with_errors(visit: Any) -> None:
    v = visit()
    assert v.page.goto("/folj/").status == 200
    assert v.axe_violations() == []
    # Nothing filled in: the error summary, each error tied to its field.
    v.page.locator("main form button[type=submit]").click()
    v.page.wait_for_selector("#fel")
    assert v.page.locator("#id_epost_error").count() == 1
    assert v.axe_violations() == []
    assert v.foreign_requests() == []


def test_following_an_area_and_stopping_without_javascript(visit: Any) -> None:
    v = visit(javascript=False)
    v.page.goto("/omraden/unga/")
    section = v.page.locator("section.folj")
    # Labelled: the field is found by its label within the section.
    assert section.get_by_label(re.compile("e-?post|e-mail", re.I)).count() == 1
    section.locator("input[name=epost]").fill("eva@example.net")
    section.locator("button[type=submit]").click()
    assert v.page.url.endswith("/folj/tack/")
    p = Prenumeration.objects.get()
    assert [o.slug for o in p.omraden.all()] == ["unga"] and not p.is_active
    confirm = re.search(r"https?://[^/\s]+(/folj/bekrafta/\S+/)", Utskick.objects.get().text)
    assert confirm is not None
    v.page.goto(confirm.group(1))
    v.page.locator("main form button[type=submit]").click()
    assert "/folj/andra/" in v.page.url
    p.refresh_from_db()
    assert p.is_active
    # Stop following from the personal page: a link, then the button that asks.
    v.page.locator("main a[href*='/folj/avsluta/']").click()
    v.page.locator("main form button[type=submit]").click()
    assert v.page.url.endswith("/folj/avslutad/")
    p.refresh_from_db()
    assert not p.is_active


def test_the_personal_pages_have_no_axe_violations(visit: Any) -> None:
    from prenumeration import links
    from tests.prenumeration.conftest import make_prenumeration

    v = visit()
    p = make_prenumeration(confirmed=False)
    for path in (
        f"/folj/bekrafta/{links.confirm_token(p)}/",
        f"/folj/andra/{links.token(p)}/",
        f"/folj/avsluta/{links.token(p)}/",
        "/folj/tack/",
        "/folj/avslutad/",
        "/folj/andra/trasig-lank/",
    ):
        v.page.goto(path)
        assert v.axe_violations() == [], path
