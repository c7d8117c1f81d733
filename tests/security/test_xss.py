"""Hostile text in every free-text field renders inert on every page, public and staff."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from tests.security.urlmap import admin_urls, build_world, concrete_urls
from tests.security.xss import PAYLOADS, html_problems, plant, planted_models, text_fields

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


@pytest.fixture
def world(tyreso: None) -> dict[str, Any]:
    return build_world()


@pytest.mark.django_db
@pytest.mark.parametrize("round_no", ROUNDS)
def test_planted_payloads_are_inert_on_every_public_page(
    world: dict[str, Any], round_no: int
) -> None:
    planted = plant(round_no)
    client = Client()
    urls = list(concrete_urls(world, english=False))
    responses = {url: client.get(url) for url in urls}
    problems = [p for url, r in responses.items() for p in html_problems(url, r, planted)]
    assert len(planted) >= len(PAYLOADS)
    assert problems == []
    # The payloads did reach the pages (escaped): the check above is not vacuous.
    bodies = "".join(r.content.decode() for r in responses.values())
    assert sum(escape(v) in bodies for v in planted) >= 20


@pytest.mark.django_db
@pytest.mark.parametrize("round_no", ROUNDS)
def test_planted_payloads_are_inert_on_every_staff_page(
    world: dict[str, Any], round_no: int
) -> None:
    planted = plant(round_no)
    client = Client()
    client.force_login(world["staff"])
    urls = [*concrete_urls(world, english=False), *admin_urls()]
    problems = [p for url in urls for p in html_problems(url, client.get(url), planted)]
    assert problems == []
