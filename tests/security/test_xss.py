"""Hostile text in every free-text field renders inert on every page, public and staff."""

from __future__ import annotations

import re
from typing import Any

import markdown
import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils.html import escape

from portal.templatetags.formatted import render_markdown
from tests.security.urlmap import admin_urls, build_world, concrete_urls
from tests.security.xss import (
    PAYLOADS,
    Fingerprints,
    html_problems,
    plant,
    planted_models,
    text_fields,
)

# Each round rotates the payloads over the fields; three rounds put every payload into
# three different fields of each model and keep the suite fast.
ROUNDS = [0, 1, 2]


def test_the_corpus_has_at_least_thirty_payloads() -> None:
    assert len(PAYLOADS) >= 30
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def test_resident_input_names_and_follow_up_texts_are_planted() -> None:
    fields = {(m._meta.label, f.name) for m in planted_models() for f in text_fields(m)}
    for needed in [
        ("omraden.Inspel", "text"),
        ("omraden.Inspel", "namn"),
        ("omraden.Inspel", "svar"),
        ("omraden.Anmalan", "namn"),
        ("omraden.Person", "namn"),
        ("uppfoljning.Uppfoljning", "sammanfattning"),
        ("uppfoljning.Publicering", "orsak"),
        ("auth.User", "first_name"),
    ]:
        assert needed in fields


# Payloads that hold a tag ("<" and an ASCII letter); "<åäö@…>" is text to a browser too.
MARKUP = [p for p in PAYLOADS if re.search(r"<[a-zA-Z]", p)]


def _page(body: str) -> HttpResponse:
    return HttpResponse(f"<!doctype html><html><body><main>{body}</main></body></html>")


def test_the_check_flags_every_markup_payload_rendered_raw() -> None:
    assert len(MARKUP) >= 30
    for payload in MARKUP:
        assert html_problems("/", _page(payload), {payload}) != [], payload


def test_the_check_flags_a_harmless_element_too() -> None:
    # Escaping is the requirement: <b> from a planted value is a fault even if it runs nothing.
    assert html_problems("/", _page("<p><b>mall</b></p>"), {"<b>mall</b>"}) != []


def test_the_check_flags_attribute_breakouts_rendered_raw() -> None:
    for payload, quote in [('" onmouseover="alert(1)', '"'), ("' onfocus='alert(1)' x='", "'")]:
        page = _page(f"<input value={quote}{payload}{quote}>")
        assert html_problems("/", page, {payload}) != [], payload


def test_the_check_flags_script_links_from_an_unsanitised_markdown() -> None:
    for payload in ["[klicka](javascript:alert(1))", '[klicka](JaVaScRiPt:alert(1) "x")']:
        assert html_problems("/", _page(markdown.markdown(payload)), {payload}) != []


def test_the_check_accepts_every_payload_escaped_or_as_formatted_text() -> None:
    planted = set(PAYLOADS)
    prints = Fingerprints.of(planted)
    for payload in PAYLOADS:
        assert html_problems("/", _page(f"<p>{escape(payload)}</p>"), planted, prints) == []
        formatted = render_markdown(payload)
        assert html_problems("/", _page(f"<div>{formatted}</div>"), planted, prints) == []
    # Markdown leaves quotes raw in text (inert there): the check must not mistake that.
    assert '" onmouseover="alert(1)' in render_markdown('" onmouseover="alert(1)')


@pytest.fixture
def world(tyreso: None) -> dict[str, Any]:
    return build_world()


@pytest.mark.django_db
@pytest.mark.parametrize("round_no", ROUNDS)
def test_planted_payloads_are_inert_on_every_public_page(
    world: dict[str, Any], round_no: int
) -> None:
    planted = plant(round_no)
    prints = Fingerprints.of(planted)
    client = Client()
    urls = list(concrete_urls(world, english=False))
    responses = {url: client.get(url) for url in urls}
    problems = [p for url, r in responses.items() for p in html_problems(url, r, planted, prints)]
    assert len(planted) >= len(PAYLOADS)
    assert problems == []
    # The payloads did reach the pages (escaped): the check above is not vacuous.
    # (The report's PDF and Word files are binary: their text is checked by their parsers.)
    bodies = "".join(r.content.decode("utf-8", "replace") for r in responses.values())
    assert sum(escape(v) in bodies for v in planted) >= 20


@pytest.mark.django_db
def test_planted_payloads_are_inert_on_every_english_public_page(world: dict[str, Any]) -> None:
    # Under /en/ the English versions (`<field>_en`) are shown where the Swedish pages show
    # the Swedish texts; plant() fills them as every other free-text field. One round.
    planted = plant(1)
    prints = Fingerprints.of(planted)
    client = Client()
    urls = [url for url in concrete_urls(world) if url.startswith("/en/")]
    responses = {url: client.get(url) for url in urls}
    problems = [p for url, r in responses.items() for p in html_problems(url, r, planted, prints)]
    assert len(urls) > 20
    assert problems == []
    bodies = "".join(r.content.decode("utf-8", "replace") for r in responses.values())
    assert sum(escape(v) in bodies for v in planted) >= 20


@pytest.mark.django_db
@pytest.mark.parametrize("round_no", ROUNDS)
def test_planted_payloads_are_inert_on_every_staff_page(
    world: dict[str, Any], round_no: int
) -> None:
    planted = plant(round_no)
    prints = Fingerprints.of(planted)
    client = Client()
    client.force_login(world["staff"])
    urls = [*concrete_urls(world, english=False), *admin_urls()]
    problems = [p for url in urls for p in html_problems(url, client.get(url), planted, prints)]
    assert problems == []
