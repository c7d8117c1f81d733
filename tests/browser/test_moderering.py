"""The moderation queue in Chromium: accessible, and each decision works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, User

from omraden.models import Inspel

PASSWORD = "moderera-med-tangentbordet-7"


def _log_in_as_moderator(page: Any) -> None:
    user = User.objects.create_user("mona", password=PASSWORD, email="mona@tyreso.se")
    user.groups.add(Group.objects.get_or_create(name="moderator")[0])
    page.goto("/konto/logga-in/")
    page.locator("#id_username").fill("mona")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/arbetsyta/")


def test_the_queue_and_an_input_have_no_axe_violations_and_approving_works(visit: Any) -> None:
    inspel = Inspel.objects.create(typ="synpunkt", text="Jag heter Eva och vill ha fler bänkar.")
    v = visit()
    _log_in_as_moderator(v.page)
    assert "1 inspel från invånare väntar på moderering" in v.page.content()
    v.page.goto("/arbetsyta/inspel/")
    assert v.axe_violations() == []
    v.page.locator("table a").first.click()
    v.page.wait_for_url(f"**/arbetsyta/inspel/{inspel.pk}/")
    assert v.axe_violations() == []
    v.page.get_by_role("textbox", name="Text att publicera").fill(
        "En invånare vill ha fler bänkar."
    )
    v.page.get_by_role("button", name="Godkänn").click()
    v.page.wait_for_url(f"**/arbetsyta/inspel/{inspel.pk}/")
    inspel.refresh_from_db()
    assert inspel.status == Inspel.Status.GODKAND
    assert inspel.text == "Jag heter Eva och vill ha fler bänkar."
    # A rejection needs its reason; then the input is hidden from the public, not removed.
    v.page.get_by_role("textbox", name="Skäl till avvisning").fill("Innehåller personuppgifter.")
    v.page.get_by_role("button", name="Avvisa").click()
    v.page.wait_for_url(f"**/arbetsyta/inspel/{inspel.pk}/")
    assert "Avvisat:" in v.page.content()
    assert v.axe_violations() == []


def test_personal_data_is_masked_and_publishing_it_needs_a_confirmation(visit: Any) -> None:
    received = "Fler bänkar! Mitt personnummer är 19800101-1234, ring 070-123 45 67."
    inspel = Inspel.objects.create(typ="ide", text=received, epost="eva@example.se")
    # On a phone's width; every step is a plain form (POST, then the page again).
    v = visit()
    v.page.set_viewport_size({"width": 375, "height": 800})
    _log_in_as_moderator(v.page)
    v.page.goto(f"/arbetsyta/inspel/{inspel.pk}/")
    text_to_publish = v.page.get_by_role("textbox", name="Text att publicera")
    assert text_to_publish.input_value() == (
        "Fler bänkar! Mitt personnummer är [personnummer borttaget], "
        "ring [telefonnummer borttaget]."
    )
    masked = v.page.locator("section.masked li").all_inner_texts()
    assert masked == [
        "Personnummer på rad 1: 19800101-1234",
        "Telefonnummer på rad 1: 070-123 45 67",
    ]
    assert v.page.locator("blockquote.received mark").all_inner_texts() == [
        "19800101-1234",
        "070-123 45 67",
    ]
    assert v.page.evaluate("document.documentElement.scrollWidth") <= 375
    assert v.axe_violations() == []
    # Putting a number back is refused, with the reason and the way on.
    text_to_publish.fill("Fler bänkar! Ring 070-123 45 67.")
    v.page.get_by_role("button", name="Godkänn").click()
    error = v.page.locator("#id_publicerad_text_error")
    assert "Texten verkar innehålla personuppgifter: telefonnummer 070-123 45 67." in (
        error.inner_text()
    )
    assert v.axe_violations() == []
    inspel.refresh_from_db()
    assert inspel.status == Inspel.Status.NY
    # The moderator confirms explicitly: published as written.
    v.page.get_by_role(
        "checkbox", name="Jag har kontrollerat: detta är inte personuppgifter"
    ).check()
    v.page.get_by_role("button", name="Godkänn").click()
    v.page.wait_for_url(f"**/arbetsyta/inspel/{inspel.pk}/")
    inspel.refresh_from_db()
    assert inspel.status == Inspel.Status.GODKAND
    assert inspel.publicerad_text == "Fler bänkar! Ring 070-123 45 67."
    assert inspel.text == received
