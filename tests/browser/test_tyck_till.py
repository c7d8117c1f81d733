"""Giving input and signing up, in a real browser: with and without JavaScript, and axe-clean."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from omraden.models import Aktivitet, Anmalan, Inspel


def test_the_input_page_has_no_axe_violations_also_with_errors(visit: Any) -> None:
    v = visit()
    assert v.page.goto("/tyck-till/").status == 200
    assert v.axe_violations() == []
    # An empty submission shows the errors tied to the fields: still no violations.
    v.page.get_by_role("button", name="Skicka").click()
    v.page.wait_for_selector("#id_text_error")
    assert v.axe_violations() == []
    assert v.foreign_requests() == []


def test_the_honeypot_is_not_reachable_with_the_keyboard(visit: Any) -> None:
    v = visit()
    v.page.goto("/tyck-till/")
    focused = []
    for _ in range(40):
        v.page.keyboard.press("Tab")
        focused.append(v.page.evaluate("document.activeElement.name || ''"))
    assert "webbplats" not in focused
    assert "text" in focused


def test_input_is_sent_without_javascript(visit: Any) -> None:
    v = visit(javascript=False)
    v.page.goto("/omraden/unga/")
    v.page.get_by_role("textbox", name="Ditt inspel").fill(
        "Fler mötesplatser för unga i Trollbäcken."
    )
    v.page.get_by_role("button", name="Skicka").click()
    assert v.page.url.endswith("/tyck-till/tack/")
    assert "Tack – ditt inspel har kommit in" in v.page.content()
    inspel = Inspel.objects.get()
    assert inspel.omrade.slug == "unga" and inspel.status == Inspel.Status.NY


def test_with_javascript_htmx_swaps_in_the_confirmation(visit: Any) -> None:
    v = visit()
    v.page.goto("/tyck-till/")
    v.page.get_by_label("Antikrångel").check()
    v.page.get_by_role("textbox", name="Ditt inspel").fill("Blanketten för bygglov är krånglig.")
    v.page.get_by_role("button", name="Skicka").click()
    v.page.get_by_text("Tack – ditt inspel har kommit in").wait_for()
    assert v.page.url.endswith("/tyck-till/")  # no page load: the form was swapped
    assert Inspel.objects.get().typ == "antikrangel"
    assert v.axe_violations() == []


def test_the_sign_up_form_and_the_personal_page_are_axe_clean(visit: Any) -> None:
    aktivitet = Aktivitet.objects.create(
        titel="Workshop om återbruk",
        datum=timezone.localdate() + dt.timedelta(days=10),
        kapacitet=1,
    )
    v = visit()  # axe-core runs as JavaScript in the page
    v.page.goto(f"/aktiviteter/{aktivitet.pk}/")
    assert v.axe_violations() == []
    v.page.get_by_role("button", name="Anmäl dig").click()  # empty: errors shown
    v.page.wait_for_selector("#id_namn_error")
    assert v.axe_violations() == []
    v.page.get_by_role("textbox", name="Namn").fill("Eva Ek")
    v.page.get_by_role("textbox", name="E-post").fill("eva@example.se")
    v.page.get_by_role("button", name="Anmäl dig").click()
    v.page.get_by_text("Din plats är bekräftad.").wait_for()
    assert v.axe_violations() == []


def test_signing_up_and_cancelling_work_without_javascript(visit: Any) -> None:
    aktivitet = Aktivitet.objects.create(
        titel="Workshop om återbruk",
        datum=timezone.localdate() + dt.timedelta(days=10),
        kapacitet=1,
    )
    v = visit(javascript=False)
    v.page.goto(f"/aktiviteter/{aktivitet.pk}/")
    v.page.get_by_role("textbox", name="Namn").fill("Eva Ek")
    v.page.get_by_role("textbox", name="E-post").fill("eva@example.se")
    v.page.get_by_role("button", name="Anmäl dig").click()
    assert "Din plats är bekräftad." in v.page.content()
    v.page.get_by_role("button", name="Avboka min anmälan").click()
    assert "Din anmälan är avbokad." in v.page.content()
    assert Anmalan.objects.get().status == Anmalan.Status.AVBOKAD
