"""The hostile-text corpus through every file the portal writes, each parsed as its format.

Every payload of tests/security/xss_payloads.txt goes into every free-text field of a row of
each kind the files show (area, sponsor, phase, follow-up and its publication, assignment,
activity, input, indicator, report); then the open-data files, the feed, the calendar, the
catalogue and the staff export are fetched and read by `xss.file_problems()`. The first tests
show that each check flags the fault it looks for.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import docx
import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from omraden.models import Omrade
from oppna_data.datasets import DATASETS
from portal.lib import csvsafe
from portal.templatetags.formatted import render_markdown
from tests.conftest import (
    make_aktivitet,
    make_fas,
    make_indikator,
    make_inspel,
    make_kommun,
    make_matvarde,
    make_omrade,
    make_period,
    make_publicering,
    make_rapport,
    make_uppdrag,
    make_uppfoljning,
    make_user,
)
from tests.security.urlmap import SAMPLES, url_patterns
from tests.security.xss import (
    FORMULA_START,
    PAYLOADS,
    Fingerprints,
    file_problems,
    formula_cells,
    html_problems,
    plant_into,
)
from uppfoljning.report_files import NOT_XML

ATOM = "application/atom+xml; charset=utf-8"
ATOM_NS = "{http://www.w3.org/2005/Atom}"
MARKUP = [p for p in PAYLOADS if re.search(r"<[a-zA-Z]", p)]
FORMULAS = [p for p in PAYLOADS if p.startswith(FORMULA_START)]
PRINTS = Fingerprints.of(set(PAYLOADS))


def test_the_corpus_has_every_kind_of_payload() -> None:
    assert len(PAYLOADS) >= 40
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    for kind in ["javascript:", "data:text/html", "vbscript:", "<svg", "&#x", "&NewLine;"]:
        assert any(kind in p for p in PAYLOADS), kind
    for link in ["](javascript:", "](data:", "](vbscript:", "](&#"]:
        assert any(link in p for p in PAYLOADS), link
    assert {p[0] for p in FORMULAS} == set(FORMULA_START)
    assert any("HYPERLINK" in p for p in FORMULAS)


# The checks flag what they look for


def _atom(description: str, *, title: str = "Rubrik", link: str = "https://x.example/") -> bytes:
    feed = Atom1Feed(title="Flöde", link="https://x.example/", description="")
    feed.add_item(title=title, link=link, description=description)
    return feed.writeString("utf-8").encode()


def test_the_atom_check_flags_every_markup_payload_sent_as_html() -> None:
    assert len(MARKUP) >= 40
    for payload in MARKUP:
        assert file_problems(ATOM, _atom(payload), PRINTS) != [], payload


def test_the_atom_check_flags_a_script_link() -> None:
    assert file_problems(ATOM, _atom("", link="javascript:alert(1)"), PRINTS) != []
    assert file_problems(ATOM, _atom("", link=" JaVa\tScRiPt:alert(1)"), PRINTS) != []


def test_the_atom_check_accepts_every_payload_as_markdown_html_and_as_a_plain_title() -> None:
    for payload in PAYLOADS:
        body = _atom(render_markdown(payload), title=payload)
        assert file_problems(ATOM, body, PRINTS) == [], payload


def _csv(cells: list[Any], writer: Any = csv.writer) -> bytes:
    out = io.StringIO()
    if writer is csv.writer:
        csv.writer(out).writerow(cells)
    else:
        w = writer(out, fieldnames=[str(i) for i in range(len(cells))])
        w.writerow({str(i): c for i, c in enumerate(cells)})
    return out.getvalue().encode()


def test_the_csv_check_flags_every_formula_written_as_it_is() -> None:
    assert len(FORMULAS) >= 6
    for payload in FORMULAS:
        assert formula_cells(_csv(["1", payload])) == [payload]
        assert file_problems("text/csv", _csv([payload]), PRINTS) != []


def test_the_csv_check_accepts_the_corpus_through_csvsafe_and_negative_numbers() -> None:
    body = _csv([*PAYLOADS, -1.5, Decimal("-2"), "-3", "1e-05"], writer=csvsafe.DictWriter)
    assert formula_cells(body) == []
    # A UTF-8 byte order mark (the staff export has one) does not hide a formula.
    assert formula_cells(b"\xef\xbb\xbf=1+1,x\r\n") == ["=1+1"]


def _calendar(**props: Any) -> bytes:
    cal = icalendar.Calendar()
    event = icalendar.Event()
    event.add("summary", "Möte")
    for name, value in props.items():
        event.add(name.replace("_", "-"), value)
    cal.add_component(event)
    return cal.to_ical()


def test_the_calendar_check_flags_a_script_address_and_html_that_runs() -> None:
    ics = "text/calendar; charset=utf-8"
    assert file_problems(ics, _calendar(url="javascript:alert(1)"), PRINTS) != []
    assert file_problems(ics, _calendar(attach="data:text/html,x"), PRINTS) != []
    html = _calendar(x_alt_desc="<p><img src=x onerror=alert(1)></p>")
    assert file_problems(ics, html, PRINTS) != []
    assert file_problems(ics, _calendar(url="https://x.example/", description="<b>"), PRINTS) == []


def test_the_calendar_check_flags_an_event_smuggled_through_raw_line_breaks() -> None:
    [smuggled] = [p for p in PAYLOADS if "BEGIN:VEVENT" in p]
    body = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//SV\r\nBEGIN:VEVENT\r\n"
        f"UID:1\r\nDTSTAMP:20240101T000000Z\r\nSUMMARY:{smuggled}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert file_problems("text/calendar", body.encode(), PRINTS) != []


def test_the_json_check_flags_a_script_address() -> None:
    for key in ["url", "next", "page_url"]:
        body = json.dumps({"items": [{key: "javascript:alert(1)", "text": "javascript:x"}]})
        assert file_problems("application/json", body.encode(), PRINTS) != [], key
    body = json.dumps({"url": "https://x.example/", "next": None, "text": "javascript:x"})
    assert file_problems("application/json", body.encode(), PRINTS) == []


def test_the_rdf_check_flags_a_script_resource_and_an_xml_literal() -> None:
    rdf = (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:dcat="http://www.w3.org/ns/dcat#">'
        '<dcat:Dataset rdf:about="https://x.example/#d">{}</dcat:Dataset></rdf:RDF>'
    )
    rdf_type = "application/rdf+xml; charset=utf-8"
    bad = [
        '<dcat:landingPage rdf:resource="javascript:alert(1)"/>',
        '<dcat:landingPage rdf:parseType="Literal"><b>x</b></dcat:landingPage>',
    ]
    for element in bad:
        assert file_problems(rdf_type, rdf.format(element).encode(), PRINTS) != [], element
    good = '<dcat:landingPage rdf:resource="mailto:a@example.org"/>'
    assert file_problems(rdf_type, rdf.format(good).encode(), PRINTS) == []


def test_a_file_of_a_format_without_a_check_is_a_problem() -> None:
    assert file_problems("application/x-msdownload", b"MZ", PRINTS) != []


# The portal's files


# Up to 15 payloads at a time: the feed carries 50 entries, and each payload makes three.
CHUNK = 15
CHUNKS = [PAYLOADS[i : i + CHUNK] for i in range(0, len(PAYLOADS), CHUNK)]
FILE_ROUTES = {"open_data_csv", "open_data_json", "open_data_feed", "open_data_ical"}
# Where each dataset's CSV and JSON carry a text field of its rows in full (a TextField).
TEXT_COLUMN = {
    "omraden": "description",
    "uppfoljningar": "summary",
    "aktiviteter": "description",
    "indikatorer": "name",
    "inspel": "text",
}


def _plant_everywhere(payloads: list[str]) -> list[Omrade]:
    """For each payload, one row of each kind the files show, every free-text field holding it;
    returns the areas (one per payload)."""
    period = make_period(ar=2024, tertial=2)
    areas = []
    for payload in payloads:
        omrade = make_omrade(fas=make_fas())
        areas.append(omrade)
        for obj in (omrade, omrade.fadder, omrade.fas):
            plant_into(obj, payload)
        for subject in ({"omrade": omrade}, {"uppdrag": make_uppdrag()}):
            uppfoljning = make_uppfoljning(period=period, **subject)
            plant_into(uppfoljning, payload)
            plant_into(uppfoljning.uppdrag or uppfoljning.omrade, payload)
            # Publications are append-only: made from the planted follow-up.
            make_publicering(uppfoljning, status="gul")
        plant_into(make_aktivitet(omraden=[omrade], teman=[payload]), payload)
        inspel = make_inspel(omrade=omrade, visa_namn=True, besvarad_at=timezone.now())
        plant_into(inspel, payload)
        indikator = make_indikator(omrade=omrade)
        make_matvarde(indikator, ar=2023, kommun=Decimal("-1.5"))
        plant_into(indikator, payload)
        plant_into(make_rapport(), payload)
    return areas


# The feeds of one area, fetched for every planted area (its name is in their titles).
AREA_ROUTES = {"open_data_area_feed", "open_data_area_ical"}


def _file_urls(areas: list[Omrade]) -> list[str]:
    """The open-data files (every route named open_data_*) and the staff export."""
    urls = []
    for route in url_patterns():
        if route.name in AREA_ROUTES:
            for omrade in areas:
                urls.append(reverse(route.name, kwargs={"slug": omrade.slug}))
        elif route.name.startswith("open_data") or route.name == "inspel_export":
            for kwargs in SAMPLES[route.name]({}) if route.arguments else [{}]:
                urls.append(reverse(route.name, kwargs=kwargs))
    return urls


def _expected_cell(payload: str) -> str:
    return "'" + payload if payload.startswith(FORMULA_START) else payload


def _lines(text: str) -> str:
    # XML and iCalendar parsers read any line break as "\n".
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _strings(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*map(_strings, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(_strings, value)) if value else set()
    return {value} if isinstance(value, str) else set()


@pytest.mark.django_db
@pytest.mark.parametrize("chunk", range(len(CHUNKS)))
def test_every_file_carries_the_corpus_inert(chunk: int) -> None:
    payloads = CHUNKS[chunk]
    areas = _plant_everywhere(payloads)
    client = Client()
    client.force_login(make_user("granskare", is_staff=True, is_superuser=True))
    responses = {url: client.get(url) for url in _file_urls(areas)}
    assert len(responses) == 2 * len(DATASETS) + 6 + len(AREA_ROUTES) * len(areas)
    assert all(r.status_code == 200 for r in responses.values())
    problems = [p for u, r in responses.items() for p in html_problems(u, r, set(payloads), PRINTS)]
    assert problems == []

    # The payloads reached every file, so the checks above read them.
    def csv_column(url: str, column: str) -> list[str]:
        text = responses[url].content.decode().removeprefix("\ufeff")
        return [row[column] for row in csv.DictReader(io.StringIO(text, newline=""))]

    for dataset, column in TEXT_COLUMN.items():
        cells = csv_column(f"/oppna-data/{dataset}.csv", column)
        assert {_expected_cell(p) for p in payloads} <= set(cells), dataset
        page = json.loads(responses[f"/oppna-data/{dataset}.json"].content)
        assert set(payloads) <= _strings(page["items"]), dataset
    export = csv_column("/arbetsyta/inspel/export.csv", "text")
    assert {_expected_cell(p) for p in payloads} <= set(export)
    exported = json.loads(responses["/arbetsyta/inspel/export.json"].content)
    assert set(payloads) <= {i["text"] for i in exported["inspel"]}

    feed = ET.fromstring(responses["/oppna-data/uppfoljningar.atom"].content)
    entries = feed.findall(f"{ATOM_NS}entry")
    assert len(entries) == 3 * len(payloads)
    titles = {e.findtext(f"{ATOM_NS}title") for e in entries}
    assert {_lines(p) for p in payloads} <= titles
    assert all(e.findtext(f"{ATOM_NS}summary") for e in entries)

    # One event per activity: no payload smuggles in another.
    cal = icalendar.Calendar.from_ical(responses["/oppna-data/aktiviteter.ics"].content)
    events = cal.walk("VEVENT")
    assert len(events) == len(payloads)
    descriptions = {_lines(str(e["DESCRIPTION"])) for e in events}
    assert {_lines(p) for p in payloads} <= descriptions

    # Each area's feed and calendar: its one publication and its one activity, the area's
    # name (a payload) in the feed's and the calendar's title.
    for payload, omrade in zip(payloads, areas, strict=True):
        feed = ET.fromstring(responses[reverse("open_data_area_feed", args=[omrade.slug])].content)
        assert _lines(omrade.kortnamn) in _lines(feed.findtext(f"{ATOM_NS}title") or "")
        (entry,) = feed.findall(f"{ATOM_NS}entry")
        assert (entry.findtext(f"{ATOM_NS}title") or "").startswith(_lines(omrade.kortnamn))
        ics = responses[reverse("open_data_area_ical", args=[omrade.slug])].content
        cal = icalendar.Calendar.from_ical(ics)
        # Written as TEXT (escaped); icalendar reads an X- property back as it stands.
        name = icalendar.vText(omrade.kortnamn).to_ical().decode()
        assert name in cal["X-WR-CALNAME"].to_ical().decode()
        (event,) = cal.walk("VEVENT")
        assert _lines(str(event["DESCRIPTION"])) == _lines(payload)


# The municipality's name (kommun.Kommun) in the feeds, the calendars, the catalogue, the
# JSON files and the Word file: a hostile name stays text there too.


@pytest.mark.django_db
@pytest.mark.parametrize("chunk", range(len(CHUNKS)))
def test_a_hostile_municipality_name_stays_inert_in_every_file(chunk: int) -> None:
    omrade = make_omrade(slug="park")
    make_aktivitet(omraden=[omrade])
    period = make_period(ar=2024, tertial=2, tillstand="stangd", stangd_at=timezone.now())
    make_publicering(make_uppfoljning(omrade=omrade, period=period, status="gron"))
    kommun = make_kommun()
    client = Client()
    urls = {
        "atom": reverse("open_data_feed"),
        "area_atom": reverse("open_data_area_feed", args=[omrade.slug]),
        "ics": reverse("open_data_ical"),
        "area_ics": reverse("open_data_area_ical", args=[omrade.slug]),
        "dcat": reverse("open_data_dcat"),
        "json": reverse("open_data_json", args=["omraden"]),
        "docx": reverse("uppfoljning:period_docx", args=[period.slug]),
    }
    for payload in CHUNKS[chunk]:
        # As an administrator could write them; the save drops the cached record and pages.
        kommun.namn = kommun.utgivare = payload[:100]
        kommun.save()
        name = kommun.namn
        responses = {key: client.get(url) for key, url in urls.items()}
        problems = [
            p for key, r in responses.items() for p in html_problems(urls[key], r, {name}, PRINTS)
        ]
        assert problems == [], payload
        # The name reached every file, as the text it is.
        for key in ("atom", "area_atom"):
            title = ET.fromstring(responses[key].content).findtext(f"{ATOM_NS}title") or ""
            assert _lines(name) in title, key
        for key in ("ics", "area_ics"):
            cal = icalendar.Calendar.from_ical(responses[key].content)
            assert str(cal["PRODID"]) == _lines(f"-//{name}//Kommungemensamt//SV"), key
            assert (
                icalendar.vText(name).to_ical().decode() in cal["X-WR-CALNAME"].to_ical().decode()
            )
            assert len(cal.walk("VEVENT")) == 1, key  # nothing smuggled in
        dcat = ET.fromstring(responses["dcat"].content)
        assert _lines(name) in {e.text for e in dcat.iter("{http://xmlns.com/foaf/0.1/}name")}
        assert json.loads(responses["json"].content)["publisher"] == name
        document = docx.Document(io.BytesIO(responses["docx"].content))
        assert document.core_properties.author == re.sub(NOT_XML, "", name)
