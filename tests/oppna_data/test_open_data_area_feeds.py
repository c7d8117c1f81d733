"""The feeds of one area: /oppna-data/omraden/<slug>/uppfoljningar.atom and aktiviteter.ics.

They are the site-wide feed and calendar with an area filter: the same entries, ids and
events, only those of the area.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar
from pytest_django import DjangoAssertNumQueries

from omraden.models import Omrade
from tests.conftest import (
    make_aktivitet,
    make_omrade,
    make_period,
    make_publicering,
    make_rapport,
    make_uppdrag,
    make_uppfoljning,
    make_user,
)

ATOM = "{http://www.w3.org/2005/Atom}"
FEED = "/oppna-data/omraden/unga/uppfoljningar.atom"
ICAL = "/oppna-data/omraden/unga/aktiviteter.ics"


@pytest.fixture
def unga(db: None) -> Omrade:
    return make_omrade(slug="unga", kortnamn="Unga")


def _feed(client: Client, url: str = FEED) -> ET.Element:
    r = client.get(url)
    assert r.status_code == 200
    return ET.fromstring(r.content)


def _titles(feed: ET.Element) -> list[str | None]:
    return [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]


def test_it_is_an_atom_feed_named_after_the_area(client: Client, unga: Omrade) -> None:
    r = client.get(FEED)
    assert r.status_code == 200
    assert r["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert r["Content-Disposition"] == 'inline; filename="uppfoljningar-unga.atom"'
    assert r["Access-Control-Allow-Origin"] == "*"
    feed = ET.fromstring(r.content)
    assert "Unga" in (feed.findtext(f"{ATOM}title") or "")
    # A stable id on SITE_URL; the feed's own address and the area's page as links.
    assert feed.findtext(f"{ATOM}id") == f"http://127.0.0.1:8000{FEED}"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {
        "alternate": "http://testserver/omraden/unga/",
        "self": f"http://testserver{FEED}",
    }


def test_it_lists_the_areas_published_versions_newest_first(client: Client, unga: Omrade) -> None:
    now = timezone.now()
    t1 = make_uppfoljning(omrade=unga, period=make_period(ar=2024, tertial=1), status="gron")
    make_publicering(t1, publicerad_at=now - dt.timedelta(days=40))
    t2 = make_uppfoljning(omrade=unga, period=make_period(ar=2024, tertial=2), status="gron")
    make_publicering(
        t2, status="gul", orsak="O", atgarder="A", publicerad_at=now - dt.timedelta(days=2)
    )
    # A correction: a second version of the same follow-up, newer still.
    make_publicering(t2, status="gron", version=2, publicerad_at=now - dt.timedelta(days=1))
    # Not the area's: another area, an assignment, a report.
    other = make_uppfoljning(omrade=make_omrade(kortnamn="Trygghet"), period=t1.period)
    make_publicering(other, publicerad_at=now)
    make_publicering(make_uppfoljning(uppdrag=make_uppdrag(), period=t1.period), publicerad_at=now)
    make_rapport(datum=timezone.localdate(now))

    feed = _feed(client)
    assert _titles(feed) == ["Unga – T2 2024: Grön", "Unga – T2 2024: Gul", "Unga – T1 2024: Grön"]
    # The same entries, with the same ids, as in the site-wide feed.
    site = _feed(client, "/oppna-data/uppfoljningar.atom")
    ids = [e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")]
    site_ids = {e.findtext(f"{ATOM}id") for e in site.findall(f"{ATOM}entry")}
    assert len(set(ids)) == 3 and set(ids) <= site_ids
    assert all(
        i and i.startswith("http://127.0.0.1:8000/oppna-data/uppfoljningar.atom#") for i in ids
    )


def test_it_leaves_out_drafts_and_future_versions(client: Client, unga: Omrade) -> None:
    make_uppfoljning(omrade=unga, status="gron", sammanfattning="UTKAST")
    planned = make_uppfoljning(omrade=unga, status="gron", period=make_period(ar=2025))
    make_publicering(planned, publicerad_at=timezone.now() + dt.timedelta(days=1))
    assert _titles(_feed(client)) == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", [FEED, ICAL])
@pytest.mark.parametrize("logged_in", [False, True], ids=["resident", "staff"])
def test_an_unknown_or_non_public_area_has_no_feeds(
    client: Client, url: str, logged_in: bool
) -> None:
    # Staff download what residents download: a hidden area has no feed for anyone.
    if logged_in:
        client.force_login(make_user("medarbetare", is_staff=True))
    assert client.get(url).status_code == 404
    make_omrade(slug="unga", publik=False)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [FEED, ICAL])
def test_a_post_is_refused(client: Client, unga: Omrade, url: str) -> None:
    assert client.post(url).status_code == 405


def test_the_calendar_holds_the_areas_public_activities(client: Client, unga: Omrade) -> None:
    make_aktivitet(
        titel="Fokusgrupp",
        datum=dt.date(2024, 3, 5),
        omraden=[unga, make_omrade(kortnamn="Trygghet")],
    )
    make_aktivitet(titel="Annat område", omraden=[make_omrade()])
    make_aktivitet(titel="Intern planering", publik=False, omraden=[unga])
    r = client.get(ICAL)
    assert r.status_code == 200
    assert r["Content-Type"] == "text/calendar; charset=utf-8"
    assert r["Content-Disposition"] == 'inline; filename="aktiviteter-unga.ics"'
    cal = Calendar.from_ical(r.content)
    assert "Unga" in str(cal["X-WR-CALNAME"])
    (event,) = cal.events
    assert str(event["SUMMARY"]) == "Fokusgrupp"
    assert event["CATEGORIES"].cats == ["Unga", "Trygghet"]
    # The same event as in the site-wide calendar: one UID whichever calendar holds it.
    site = Calendar.from_ical(client.get("/oppna-data/aktiviteter.ics").content)
    assert str(event["UID"]) in {str(e["UID"]) for e in site.events}


@pytest.mark.parametrize("size", [1, 20])
def test_the_feeds_queries_do_not_grow_with_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, unga: Omrade, size: int
) -> None:
    for i in range(size):
        period = make_period(ar=2000 + i)
        make_publicering(make_uppfoljning(omrade=unga, period=period, status="gron"))
        make_publicering(make_uppfoljning(omrade=make_omrade(), period=period, status="gron"))
        make_rapport()
        make_aktivitet(
            datum=dt.date(2024, 1, 1) + dt.timedelta(days=i),
            starttid=dt.time(10) if i % 2 else None,
            omraden=[unga, make_omrade()],
        )
    # 1: the visible area; 2: its newest visible publications with follow-up, period, area
    # and assignment
    with django_assert_num_queries(2):
        assert len(_titles(_feed(client))) == size
    # 1: the visible area; 2: its visible activities; 3: their visible areas
    with django_assert_num_queries(3):
        r = client.get(ICAL)
    assert len(Calendar.from_ical(r.content).events) == size


def test_a_cached_feed_changes_at_once_when_the_area_publishes_or_is_hidden(
    client: Client, unga: Omrade
) -> None:
    uppf = make_uppfoljning(omrade=unga, period=make_period(ar=2024, tertial=1), status="gron")
    make_publicering(uppf)
    client.get(FEED)
    assert client.get(FEED)["X-Public-Cache"] == "hit"
    assert client.get(ICAL).status_code == 200

    make_publicering(uppf, status="gul", orsak="O", atgarder="A")
    assert _titles(_feed(client)) == ["Unga – T1 2024: Gul", "Unga – T1 2024: Grön"]
    make_aktivitet(titel="Ny träff", omraden=[unga])
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(client.get(ICAL).content).events] == [
        "Ny träff"
    ]

    unga.publik = False
    unga.save()
    assert client.get(FEED).status_code == 404
    assert client.get(ICAL).status_code == 404


def test_the_area_page_links_its_feeds(client: Client, unga: Omrade) -> None:
    for prefix in ("", "/en"):
        html = client.get(f"{prefix}/omraden/unga/").content.decode()
        head, body = html.split("</head>")
        # Feed readers find the feed from the page's address; the calendar is linked below.
        assert (
            '<link rel="alternate" type="application/atom+xml" title="' in head
            and f'href="{FEED}">' in head
        )
        assert f'<a href="{FEED}" type="application/atom+xml">' in body
        assert f'<a href="{ICAL}" type="text/calendar">' in body
        assert 'id="floden-rubrik"' in body
