"""The calendar of activities: /oppna-data/aktiviteter.ics (iCalendar, RFC 5545)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from icalendar import Calendar
from pytest_django import DjangoAssertNumQueries

from kommun.models import Kommun
from tests.conftest import make_aktivitet, make_omrade

URL = "/oppna-data/aktiviteter.ics"


def _calendar(client: Client) -> Calendar:
    r = client.get(URL)
    assert r.status_code == 200
    return Calendar.from_ical(r.content)


@pytest.mark.django_db
def test_it_is_a_calendar_served_inline(client: Client, kommun: Kommun) -> None:
    r = client.get(URL)
    assert r["Content-Type"] == "text/calendar; charset=utf-8"
    assert r["Content-Disposition"] == 'inline; filename="aktiviteter.ics"'
    cal = Calendar.from_ical(r.content)
    assert cal["VERSION"] == "2.0"
    assert cal["PRODID"] == "-//Tyresö kommun//Kommungemensamt//SV"


@pytest.mark.django_db
def test_an_activity_without_a_time_is_an_all_day_event(client: Client) -> None:
    make_aktivitet(titel="Checkpoint", datum=dt.date(2023, 11, 29), plats="Tyresö centrum")
    (event,) = _calendar(client).events
    assert str(event["SUMMARY"]) == "Checkpoint"
    assert event.decoded("DTSTART") == dt.date(2023, 11, 29)
    assert event.decoded("DTEND") == dt.date(2023, 11, 30)
    assert str(event["LOCATION"]) == "Tyresö centrum"
    assert str(event["UID"]).startswith("aktivitet-")
    assert str(event["URL"]).startswith("http://testserver/aktiviteter/")


@pytest.mark.django_db
def test_an_activity_with_times_is_in_stockholm_time(client: Client) -> None:
    make_aktivitet(
        titel="Fokusgrupp",
        datum=dt.date(2024, 3, 5),
        starttid=dt.time(18, 0),
        sluttid=dt.time(19, 30),
        omraden=[make_omrade(kortnamn="Unga"), make_omrade(kortnamn="Dolt", publik=False)],
    )
    cal = _calendar(client)
    (event,) = cal.events
    stockholm = ZoneInfo("Europe/Stockholm")
    assert event.decoded("DTSTART") == dt.datetime(2024, 3, 5, 18, 0, tzinfo=stockholm)
    assert event.decoded("DTEND") == dt.datetime(2024, 3, 5, 19, 30, tzinfo=stockholm)
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    assert event["CATEGORIES"].cats == ["Unga"]


@pytest.mark.django_db
def test_it_leaves_out_activities_that_are_not_public(client: Client) -> None:
    make_aktivitet(titel="Öppen")
    make_aktivitet(titel="Intern planering", publik=False)
    assert [str(e["SUMMARY"]) for e in _calendar(client).events] == ["Öppen"]


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 20])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    for i in range(size):
        make_aktivitet(
            datum=dt.date(2024, 1, 1) + dt.timedelta(days=i),
            starttid=dt.time(10) if i % 2 else None,
            omraden=[make_omrade()],
        )
    # 1: the visible activities; 2: their visible areas
    with django_assert_num_queries(2):
        assert client.get(URL).status_code == 200
