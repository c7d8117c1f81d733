"""One rule, one place: change one visibility rule and it changes everywhere at once.

Every public page (Swedish and English), search, every open-data file, the feeds and the DCAT
catalogue read what residents may see through the models' `visible_to(viewer)`; the page
cache decides on the same querysets. Each test marks content with words found nowhere else,
checks where residents find them, changes one rule (an area made non-public, an approved
input rejected, a publication scheduled for tomorrow) and fetches every public address again.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omraden.models import Initiativ, Inspel
from tests.conftest import (
    make_aktivitet,
    make_fas,
    make_indikator,
    make_inspel,
    make_publicering,
)
from tests.portal.test_nothing_leaks import public_urls
from tests.world import World, make_world
from uppfoljning.models import Uppfoljning

pytestmark = pytest.mark.django_db

FILES = (
    "/oppna-data/omraden.csv",
    "/oppna-data/omraden.json",
    "/oppna-data/uppfoljningar.csv",
    "/oppna-data/uppfoljningar.json",
    "/oppna-data/inspel.csv",
    "/oppna-data/inspel.json",
    "/oppna-data/indikatorer.csv",
    "/oppna-data/indikatorer.json",
    "/oppna-data/uppfoljningar.atom",
    "/oppna-data/aktiviteter.ics",
    "/datasets/dcat",
)


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def _area_files(world: World) -> tuple[str, str]:
    """Area A's own feed and calendar."""
    slug = world.cast.omrade_a.slug
    return (
        reverse("open_data_area_feed", args=[slug]),
        reverse("open_data_area_ical", args=[slug]),
    )


def _addresses(world: World, words: list[str]) -> list[str]:
    """Every public address, the open-data files and feeds (area A's too), and a search for
    each word."""
    urls = set(public_urls(world)) | set(FILES) | set(_area_files(world))
    for word in words:
        urls |= {_search(word), f"/en{_search(word)}"}
    return sorted(urls)


def _search(word: str) -> str:
    # In lower case: the page repeats the query, and only a hit shows the word as written.
    return f"/sok/?q={word.lower()}"


def _found(world: World, words: list[str]) -> dict[str, set[str]]:
    """For each word, the addresses whose answer (page, file, feed) contains it."""
    found: dict[str, set[str]] = {word: set() for word in words}
    client = Client()
    for url in _addresses(world, words):
        response = client.get(url)
        assert response.status_code in (200, 302, 404, 405), url
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", errors="replace")
        for word in words:
            if word in text:
                found[word].add(url)
    return found


def _public_follow_up(world: World, text: str, *, at: dt.datetime | None = None) -> None:
    """A new version of area A's follow-up in the open period, published at `at`."""
    uppf = Uppfoljning.objects.get(pk=world.uppf.pk)
    version = max(uppf.publiceringar.values_list("version", flat=True)) + 1
    make_publicering(uppf, version=version, sammanfattning=text, publicerad_at=at or timezone.now())


def test_an_area_made_non_public_disappears_with_everything_about_it(world: World) -> None:
    area = world.cast.omrade_a
    area.beskrivning = "Zebraomrade beskriver området."
    area.save()
    _public_follow_up(world, "Zebrapublik uppföljning av området.")
    make_inspel(omrade=area, text="Zebrainspel om området.")
    make_indikator(omrade=area, namn="Zebraindikator för området")
    Initiativ.objects.create(omrade=area, titel="Zebrainitiativ", fas=make_fas())
    make_aktivitet(titel="Zebrakalender", omraden=[area])
    words = ["Zebraomrade", "Zebrapublik", "Zebrainspel", "Zebraindikator", "Zebrainitiativ"]
    area_feed, area_ical = _area_files(world)

    before = _found(world, [*words, "Zebrakalender"])
    assert {area_ical, "/oppna-data/aktiviteter.ics"} <= before["Zebrakalender"]
    area_page, area_page_en = area.get_absolute_url(), f"/en{area.get_absolute_url()}"
    assert {area_page, area_page_en} <= before["Zebraomrade"]
    assert {area_page, area_page_en} <= before["Zebrainitiativ"]
    assert {area_page, "/sok/?q=zebrainspel", "/oppna-data/inspel.csv"} <= before["Zebrainspel"]
    assert {
        area_page,
        "/sok/?q=zebrapublik",
        "/en/sok/?q=zebrapublik",
        "/oppna-data/uppfoljningar.csv",
        "/oppna-data/uppfoljningar.json",
        "/oppna-data/uppfoljningar.atom",
        area_feed,
    } <= before["Zebrapublik"]
    assert {"/indikatorer/", "/oppna-data/indikatorer.csv"} <= before["Zebraindikator"]

    area.publik = False
    area.save()

    after = _found(world, [*words, "Zebrakalender"])
    assert {word: after[word] for word in words} == {word: set() for word in words}
    # The public activity stays in the site-wide calendar; the area's calendar is gone (404).
    assert area_ical not in after["Zebrakalender"]
    assert "/oppna-data/aktiviteter.ics" in after["Zebrakalender"]


def test_an_approved_input_rejected_disappears(world: World) -> None:
    inspel = make_inspel(omrade=world.cast.omrade_a, text="Zebrafraga om bänkar.")
    before = _found(world, ["Zebrafraga"])["Zebrafraga"]
    assert {
        world.cast.omrade_a.get_absolute_url(),
        "/sok/?q=zebrafraga",
        "/en/sok/?q=zebrafraga",
        "/oppna-data/inspel.csv",
        "/oppna-data/inspel.json",
    } <= before

    inspel = Inspel.objects.get(pk=inspel.pk)
    inspel.reject(reason="Innehåller personuppgifter.", by=None)

    assert _found(world, ["Zebrafraga"]) == {"Zebrafraga": set()}


def test_a_publication_scheduled_for_tomorrow_shows_nowhere_until_then(world: World) -> None:
    _public_follow_up(world, "Zebranu gäller i dag.")
    tomorrow = timezone.now() + dt.timedelta(days=1)
    _public_follow_up(world, "Zebrasen gäller från i morgon.", at=tomorrow)
    words = ["Zebranu", "Zebrasen"]

    today = _found(world, words)
    assert today["Zebrasen"] == set()
    # Until tomorrow the version before it is the one in force.
    assert {
        "/sok/?q=zebranu",
        "/en/sok/?q=zebranu",
        "/oppna-data/uppfoljningar.csv",
        "/oppna-data/uppfoljningar.atom",
        _area_files(world)[0],
    } <= today["Zebranu"]
    area_page = world.cast.omrade_a.get_absolute_url()
    assert {area_page, f"/en{area_page}"} <= today["Zebranu"]

    later = tomorrow + dt.timedelta(hours=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        after = _found(world, words)
    # Once due, the new version is on the pages, files and feed, and search finds it instead.
    assert {
        area_page,
        f"/en{area_page}",
        "/sok/?q=zebrasen",
        "/en/sok/?q=zebrasen",
        "/oppna-data/uppfoljningar.csv",
        "/oppna-data/uppfoljningar.atom",
        _area_files(world)[0],
    } <= after["Zebrasen"]
    assert not {"/sok/?q=zebranu", "/en/sok/?q=zebranu"} & after["Zebranu"]
