"""Absolute links in responses come from the request (scheme and host); SITE_URL names only
identifiers that must not change with the address (Atom ids, iCal UIDs) and e-mail sent by
commands, which have no request."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client
from icalendar import Calendar

from tests.conftest import make_aktivitet, make_omrade, make_rapport

ATOM = "{http://www.w3.org/2005/Atom}"
HOST = "portal.example.org"
SITE_URL = "https://kommungemensamt.tyreso.se"


@pytest.fixture
def hosts(settings: Any) -> None:
    settings.ALLOWED_HOSTS = [HOST, "intern.example.org"]
    settings.SITE_URL = SITE_URL


def get(client: Client, path: str, host: str = HOST) -> str:
    r = client.get(path, HTTP_HOST=host, secure=True)
    assert r.status_code == 200
    return r.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("hosts")
def test_the_open_data_page_links_on_the_requests_address(client: Client) -> None:
    html = get(client, "/oppna-data/")
    assert f'href="https://{HOST}/oppna-data/omraden.csv"' in html
    assert f'href="https://{HOST}/datasets/dcat"' in html
    assert "kommungemensamt.tyreso.se" not in html and "127.0.0.1" not in html


@pytest.mark.django_db
@pytest.mark.usefixtures("hosts")
def test_a_cached_page_is_kept_per_address(client: Client) -> None:
    get(client, "/oppna-data/")
    r = client.get("/oppna-data/", HTTP_HOST=HOST, secure=True)
    assert r["X-Public-Cache"] == "hit"
    # Another host the site answers to never gets the links cached for the first one.
    html = get(client, "/oppna-data/", host="intern.example.org")
    assert 'href="https://intern.example.org/datasets/dcat"' in html
    assert HOST not in html
    plain = client.get("/oppna-data/", HTTP_HOST=HOST).content.decode()
    assert f'href="http://{HOST}/datasets/dcat"' in plain


@pytest.mark.django_db
@pytest.mark.usefixtures("hosts")
def test_a_json_page_links_its_pages_on_the_requests_address(client: Client) -> None:
    body = json.loads(get(client, "/oppna-data/omraden.json"))
    assert body["first"] == f"https://{HOST}/oppna-data/omraden.json"
    assert body["csv"] == f"https://{HOST}/oppna-data/omraden.csv"
    assert body["documentation"] == f"https://{HOST}/oppna-data/#omraden"


@pytest.mark.django_db
@pytest.mark.usefixtures("hosts")
def test_the_feed_links_on_the_requests_address_with_ids_on_site_url(client: Client) -> None:
    make_rapport(slug="februari")
    feed = ET.fromstring(get(client, "/oppna-data/uppfoljningar.atom"))
    hrefs = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    assert hrefs == [
        f"https://{HOST}/oppna-data/",
        f"https://{HOST}/oppna-data/uppfoljningar.atom",
        f"https://{HOST}/rapporter/februari/",
    ]
    ids = [e.text for e in feed.iter(f"{ATOM}id")]
    assert ids[0] == f"{SITE_URL}/oppna-data/uppfoljningar.atom"
    assert ids[1].startswith(f"{SITE_URL}/oppna-data/uppfoljningar.atom#rapport-")


@pytest.mark.django_db
@pytest.mark.usefixtures("hosts")
def test_the_calendar_links_on_the_requests_address_with_uids_on_site_url(
    client: Client,
) -> None:
    aktivitet = make_aktivitet(datum=dt.date(2030, 5, 1))
    (event,) = Calendar.from_ical(get(client, "/oppna-data/aktiviteter.ics")).events
    assert str(event["URL"]) == f"https://{HOST}/aktiviteter/{aktivitet.pk}/"
    assert str(event["UID"]) == f"aktivitet-{aktivitet.pk}@kommungemensamt.tyreso.se"


@pytest.mark.django_db
@pytest.mark.usefixtures("hosts")
def test_the_catalogue_is_built_on_the_requests_address(client: Client) -> None:
    make_omrade()
    xml = get(client, "/datasets/dcat")
    assert f'rdf:about="https://{HOST}/datasets/dcat#katalog"' in xml
    assert f"https://{HOST}/oppna-data/omraden.csv" in xml
    assert "kommungemensamt.tyreso.se" not in xml


@pytest.mark.django_db
def test_a_host_outside_allowed_hosts_gets_no_page(client: Client, settings: Any) -> None:
    settings.ALLOWED_HOSTS = [HOST]
    assert client.get("/oppna-data/", HTTP_HOST="angripare.example").status_code == 400
