"""The Atom feed of newly published follow-ups and reports: /oppna-data/uppfoljningar.atom."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from kommun.models import Kommun
from tests.conftest import (
    make_omrade,
    make_period,
    make_publicering,
    make_rapport,
    make_uppdrag,
    make_uppfoljning,
)

ATOM = "{http://www.w3.org/2005/Atom}"
URL = "/oppna-data/uppfoljningar.atom"


def _entries(client: Client) -> list[ET.Element]:
    r = client.get(URL)
    assert r.status_code == 200
    return ET.fromstring(r.content).findall(f"{ATOM}entry")


@pytest.mark.django_db
def test_it_is_an_atom_feed_served_inline_with_absolute_links(
    client: Client, kommun: Kommun
) -> None:
    r = client.get(URL)
    assert r["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert r["Content-Disposition"] == 'inline; filename="uppfoljningar.atom"'
    feed = ET.fromstring(r.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == "http://127.0.0.1:8000/oppna-data/uppfoljningar.atom"
    assert feed.findtext(f"{ATOM}title") == (
        "Uppföljningar och rapporter – Kommungemensamma områden, Tyresö kommun"
    )


@pytest.mark.django_db
def test_it_lists_publications_and_reports_newest_first(client: Client) -> None:
    now = timezone.now()
    omrade = make_omrade(slug="unga", kortnamn="Unga")
    uppf = make_uppfoljning(omrade=omrade, period=make_period(ar=2024, tertial=2))
    make_publicering(
        uppf,
        status="gul",
        orsak="Rekryteringen drog ut",
        atgarder="Två nya ledare",
        publicerad_at=now - dt.timedelta(days=1),
    )
    assignment = make_uppfoljning(
        uppdrag=make_uppdrag(slug="overgripande", namn="Övergripande"), period=uppf.period
    )
    make_publicering(assignment, status="gron", publicerad_at=now - dt.timedelta(days=3))
    # The local date: the feed dates a report at local midnight (near midnight UTC differs).
    make_rapport(slug="februari", titel="Kommundirektörens rapport", datum=timezone.localdate(now))

    entries = _entries(client)
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Kommundirektörens rapport",
        "Unga – T2 2024: Gul",
        "Övergripande – T2 2024: Grön",
    ]
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert links == [
        "http://testserver/rapporter/februari/",
        "http://testserver/omraden/unga/",
        "http://testserver/uppdrag/overgripande/",
    ]
    # The content is HTML (type="html"), laid out as on the area's page.
    summary = entries[1].findtext(f"{ATOM}summary")
    assert "<h3>Orsak</h3><p>Rekryteringen drog ut</p>" in summary
    assert "<h3>Vidtagna åtgärder</h3><p>Två nya ledare</p>" in summary
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 3 and all(i.startswith("http://127.0.0.1:8000/") for i in ids)


@pytest.mark.django_db
def test_an_entry_is_its_markdown_as_sanitised_html(client: Client) -> None:
    uppf = make_uppfoljning(period=make_period(ar=2024, tertial=2))
    make_publicering(
        uppf,
        status="rod",
        sammanfattning="**Fet** text\n\n- en\n- två\n\n[länk](https://www.tyreso.se/)",
        orsak="<script>alert(1)</script> [klicka](javascript:alert(1))",
        atgarder='<img src=x onerror=alert(1)> [x](vbscript:msgbox(1) "t")',
    )
    make_rapport(titel="<b>Rapport</b>", sammanfattning="<svg onload=alert(1)>")
    pub, report = _entries(client)
    summary = pub.find(f"{ATOM}summary")
    assert summary is not None and summary.get("type") == "html"
    html = summary.text or ""
    assert "<p><strong>Fet</strong> text</p>" in html
    assert "<ul>\n<li>en</li>\n<li>två</li>\n</ul>" in html
    assert '<a href="https://www.tyreso.se/" rel="nofollow noopener">länk</a>' in html
    # Raw markup is text, and a script link loses its address.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a rel="nofollow noopener">klicka</a>' in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html and "<img" not in html and "script:" not in html
    # A title is plain text (Atom's default type="text"): a reader shows the tag as written.
    title = report.find(f"{ATOM}title")
    assert title is not None and title.get("type") in (None, "text")
    assert title.text == "<b>Rapport</b>"
    assert report.findtext(f"{ATOM}summary") == "<p>&lt;svg onload=alert(1)&gt;</p>"


@pytest.mark.django_db
def test_it_leaves_out_drafts_future_publications_and_hidden_areas_and_reports(
    client: Client,
) -> None:
    make_uppfoljning(status="gron", sammanfattning="UTKAST")
    planned = make_uppfoljning(status="gron", period=make_period(ar=2025))
    make_publicering(planned, publicerad_at=timezone.now() + dt.timedelta(days=1))
    hidden = make_uppfoljning(omrade=make_omrade(publik=False), period=planned.period)
    make_publicering(hidden)
    make_rapport(publik=False)
    assert _entries(client) == []


@pytest.mark.django_db
def test_it_carries_at_most_fifty_entries(client: Client) -> None:
    for i in range(30):
        make_rapport(datum=dt.date(2020, 1, 1) + dt.timedelta(days=i))
    period = make_period()
    for _ in range(30):
        make_publicering(make_uppfoljning(status="gron", period=period))
    assert len(_entries(client)) == 50


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 20])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    period = make_period()
    for _ in range(size):
        make_publicering(make_uppfoljning(status="gron", period=period))
        make_publicering(make_uppfoljning(uppdrag=make_uppdrag(), period=period))
        make_rapport()
    # 1: the newest visible publications with follow-up, period, area and assignment
    # 2: the newest visible reports
    with django_assert_num_queries(2):
        assert client.get(URL).status_code == 200
