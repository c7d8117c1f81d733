"""/arbetsyta/portfolj/: areas and overarching assignments × every period of a year, as a page,
CSV and XLSX, with the state of each follow-up from `Uppfoljning.skede()` and `Period.is_late()`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from omraden.models import Omrade
from portal import roles
from portal.viewer import Viewer
from tests.conftest import (
    make_omrade,
    make_period,
    make_publicering,
    make_uppdrag,
    make_uppfoljning,
    make_user,
)
from tests.security.xss import FORMULA_START, PAYLOADS, formula_cells
from uppfoljning import portfolio
from uppfoljning.models import Period, Uppdrag, Uppfoljning

URL = "/arbetsyta/portfolj/"
EN_URL = "/en/arbetsyta/portfolj/"
NOW = timezone.now()
YEAR = timezone.localdate(NOW).year
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _at(month: int, day: int, year: int = YEAR) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, 12))


@dataclass
class Year:
    """Two areas and the overarching assignment in a year of three periods (see `year`)."""

    a: Omrade
    b: Omrade
    uppdrag: Uppdrag
    t1: Period
    t2: Period
    ar: Period
    uppf: dict[str, Uppfoljning]


@pytest.fixture
def year(db: None) -> Year:
    return make_year()


def make_year() -> Year:
    """Last year's periods are past their deadlines; this year's ÅR is open, its deadline ahead.

    |          | T1 (deadline passed)   | T2 (deadline passed)          | ÅR (open)       |
    |----------|------------------------|-------------------------------|-----------------|
    | area A   | published in time      | ready, yellow: late + waiting | approved        |
    | area B   | draft: late            | scheduled after the deadline  | not started     |
    | uppdrag  | not started: late      | published after the deadline  | not started     |
    """
    a, b = make_omrade(), make_omrade()
    uppdrag = make_uppdrag(
        namn="Övergripande – att arbeta kommungemensamt", overgripande=True, kommunplan_ar=YEAR
    )
    # Not overarching: not shown.
    make_uppdrag(namn="Strategisk kompetensförsörjning", kommunplan_ar=YEAR)
    y = YEAR - 1
    t1 = make_period(ar=y, tertial=1, deadline=dt.date(y, 5, 15), tillstand="stangd")
    t2 = make_period(ar=y, tertial=2, deadline=dt.date(y, 9, 15), tillstand="stangd")
    ar = make_period(
        ar=y, tertial=3, deadline=timezone.localdate(NOW) + dt.timedelta(days=60), tillstand="oppen"
    )
    u: dict[str, Uppfoljning] = {}
    u["a1"] = make_uppfoljning(period=t1, omrade=a, status="gron", tillstand="publicerad")
    make_publicering(u["a1"], publicerad_at=_at(5, 1, y))
    u["a2"] = make_uppfoljning(
        period=t2, omrade=a, status="gul", orsak="Sjukdom", atgarder="Ny plan", tillstand="klar"
    )
    u["a3"] = make_uppfoljning(period=ar, omrade=a, status="gron", tillstand="godkand")
    u["b1"] = make_uppfoljning(period=t1, omrade=b, tillstand="utkast")
    later = NOW + dt.timedelta(days=14)
    u["b2"] = make_uppfoljning(
        period=t2, omrade=b, status="rod", orsak="x", atgarder="y", tillstand="publicerad",
        publicera_fran=later,
    )  # fmt: skip
    make_publicering(u["b2"], publicerad_at=later)
    u["u2"] = make_uppfoljning(period=t2, uppdrag=uppdrag, status="gron", tillstand="publicerad")
    make_publicering(u["u2"], publicerad_at=_at(10, 1, y))
    return Year(a, b, uppdrag, t1, t2, ar, u)


def _client(user: Any = None) -> Client:
    c = Client()
    c.force_login(user or make_user("kim", groups=(roles.MEDARBETARE,)))
    return c


def _state(p: portfolio.Portfolio) -> dict[tuple[str, str], tuple[str, bool]]:
    """{(row, period): (skede, late)} of the cells the filters keep."""
    return {
        (row.name, c.period.kort): (str(c.skede), c.late)
        for row in p.rows
        for c in row.cells
        if c is not None
    }


# Who may see it


@pytest.mark.django_db
def test_it_sends_anonymous_users_to_login(client: Client) -> None:
    r = client.get(URL)
    assert r.status_code == 302
    assert r["Location"].startswith("/konto/logga-in/")
    r = client.get(URL + "?format=csv")
    assert r.status_code == 302


@pytest.mark.parametrize("groups", [(roles.MEDARBETARE,), (roles.KOMMUNLEDNINGSGRUPPEN,), ()])
def test_every_staff_member_may_read_it(year: Year, groups: tuple[str, ...]) -> None:
    # roles.can_view_staff_pages: any staff login reads every follow-up, and so the portfolio.
    r = _client(make_user("vem", groups=groups)).get(URL)
    assert r.status_code == 200


def test_it_only_shows(year: Year) -> None:
    assert _client().post(URL).status_code == 405


def test_an_unknown_format_is_404(year: Year) -> None:
    assert _client().get(URL + "?format=pdf").status_code == 404


# The state of each cell: the models' one definition


def test_each_cell_has_the_state_and_lateness_the_models_define(year: Year) -> None:
    p = portfolio.build(Viewer.staff_member(NOW))
    y = YEAR - 1
    a, b, u = f"1. {year.a.kortnamn}", f"2. {year.b.kortnamn}", year.uppdrag.namn
    assert p.ar == y  # the open period's year
    assert [str(x) for x in p.periods] == [f"T1 {y}", f"T2 {y}", f"Årsredovisning {y}"]
    assert [r.name for r in p.rows] == [a, b, u]
    assert _state(p) == {
        (a, f"T1 {y}"): ("publicerad", False),
        (a, f"T2 {y}"): ("klar", True),
        (a, f"ÅR {y}"): ("godkand", False),
        (b, f"T1 {y}"): ("utkast", True),
        (b, f"T2 {y}"): ("schemalagd", True),
        (b, f"ÅR {y}"): ("", False),
        (u, f"T1 {y}"): ("", True),
        (u, f"T2 {y}"): ("publicerad", True),
        (u, f"ÅR {y}"): ("", False),
    }
    # The same answers as asking the models directly.
    cells = {(c.period.pk, c.uppf.pk): c for r in p.rows for c in r.cells if c and c.uppf}
    for uppf in year.uppf.values():
        cell = cells[(uppf.period_id, uppf.pk)]
        first = uppf.publiceringar.order_by("publicerad_at").first()
        assert cell.skede == uppf.skede(NOW)
        assert cell.late == uppf.period.is_late(first and first.publicerad_at, NOW)


def test_a_scheduled_publication_is_published_once_its_day_has_come(year: Year) -> None:
    later = NOW + dt.timedelta(days=15)
    state = _state(portfolio.build(Viewer.staff_member(later)))
    assert state[(f"2. {year.b.kortnamn}", f"T2 {YEAR - 1}")] == ("publicerad", True)


def test_the_filters_keep_late_cells_waiting_cells_or_both(year: Year) -> None:
    y, a, b, u = YEAR - 1, f"1. {year.a.kortnamn}", f"2. {year.b.kortnamn}", year.uppdrag.namn
    viewer = Viewer.staff_member(NOW)
    late = portfolio.build(viewer, filters=portfolio.Filters(late=True))
    assert set(_state(late)) == {
        (a, f"T2 {y}"),
        (b, f"T1 {y}"),
        (b, f"T2 {y}"),
        (u, f"T1 {y}"),
        (u, f"T2 {y}"),
    }
    assert (late.shown, late.total) == (5, 9)
    waiting = portfolio.build(viewer, filters=portfolio.Filters(waiting=True))
    assert set(_state(waiting)) == {(a, f"T2 {y}"), (a, f"ÅR {y}")}
    # Rows without a matching cell are left out; the others keep their columns.
    assert [r.name for r in waiting.rows] == [a]
    assert waiting.rows[0].cells[0] is None
    both = portfolio.build(viewer, filters=portfolio.Filters(late=True, waiting=True))
    assert set(_state(both)) == {(a, f"T2 {y}")}


# The page


def test_the_page_is_a_table_with_caption_headers_and_a_labelled_scroll_region(
    year: Year,
) -> None:
    html = _client().get(EN_URL).content.decode()
    region = re.search(
        r'<div class="table-scroll" role="region" aria-labelledby="([^"]+)" tabindex="0">', html
    )
    assert region is not None
    assert (
        f'<caption id="{region.group(1)}">Status and state per period, {YEAR - 1}</caption>' in html
    )
    table = html[html.index("<table") : html.index("</table>")]
    assert table.count('<th scope="col">') == 4
    assert table.count('<th scope="row">') == 3
    assert "Deadline 15 May" in table


def test_each_cell_shows_status_as_symbol_and_word_and_the_state_in_words(year: Year) -> None:
    html = _client().get(EN_URL).content.decode()
    table = html[html.index("<tbody") : html.index("</tbody>")]
    rows = table.split("<tr>")[1:]
    a, b, u = rows
    # Never colour alone: the symbol (hidden from screen readers) and the word.
    assert '<span class="status-symbol" aria-hidden="true">●</span> Green' in a
    assert '<span class="status-symbol" aria-hidden="true">▲</span> Yellow' in a
    assert '<span class="status-symbol" aria-hidden="true">■</span> Red' in b
    for word in ("Published", "Ready for sign-off", "Approved by the sponsor"):
        assert f'<span class="portfolio-state">{word}</span>' in a
    assert '<span class="portfolio-state">Draft</span>' in b
    scheduled = timezone.localtime(year.uppf["b2"].publicera_fran)
    assert f"Scheduled: published {scheduled.day} {scheduled:%B %Y}" in b
    assert b.count('<span class="portfolio-state">Not started</span>') == 1
    assert u.count('<span class="portfolio-state">Not started</span>') == 2
    assert "No status yet" in b and "No status yet" in u
    assert [row.count('<span aria-hidden="true">⚠</span> Late') for row in rows] == [1, 2, 2]


def test_each_cell_with_a_follow_up_links_to_its_workspace_page(year: Year) -> None:
    html = _client().get(URL).content.decode()
    table = html[html.index("<tbody") : html.index("</tbody>")]
    links = re.findall(r'<a href="([^"]+)">', table)
    assert sorted(links) == sorted(
        reverse("arbetsyta:uppfoljning", args=[u.pk]) for u in year.uppf.values()
    )
    # Each link names its area and period for a screen reader's list of links.
    hidden = f"– 1. {year.a.kortnamn}, T1 {YEAR - 1}"
    assert f'Öppna uppföljningen<span class="visually-hidden"> {hidden}</span>' in table


def test_the_year_is_chosen_with_a_get_form(year: Year) -> None:
    make_period(ar=YEAR + 1, tertial=1)
    c = _client()
    html = c.get(URL).content.decode()
    assert '<form method="get" action="/arbetsyta/portfolj/"' in html
    assert f'<option value="{YEAR - 1}" selected>' in html
    assert f'<option value="{YEAR + 1}">' in html
    html = c.get(f"{URL}?ar={YEAR + 1}").content.decode()
    assert f'<option value="{YEAR + 1}" selected>' in html
    assert f"T1 {YEAR + 1}" in html
    assert f"T1 {YEAR - 1}" not in html


def test_without_an_open_period_the_latest_year_is_shown(year: Year) -> None:
    Period.objects.update(tillstand="stangd")
    make_period(ar=YEAR - 5, tertial=1)
    make_period(ar=YEAR + 2, tertial=2)
    assert portfolio.build(Viewer.staff_member(NOW)).ar == YEAR + 2


@pytest.mark.parametrize("ar", ["abc", "²", "-1", "0", "1" * 5000, "2026.0"])
def test_a_year_that_is_no_number_shows_the_default_year(year: Year, ar: str) -> None:
    r = _client().get(URL, {"ar": ar})
    assert r.status_code == 200
    assert f'<option value="{YEAR - 1}" selected>' in r.content.decode()


def test_a_year_without_periods_says_so(year: Year) -> None:
    html = _client().get(EN_URL, {"ar": "1999"}).content.decode()
    assert f"No periods have been set up for 1999. Years with periods: {YEAR - 1}." in html
    assert "<table" not in html


@pytest.mark.django_db
def test_without_any_periods_it_says_so() -> None:
    make_omrade()
    html = _client().get(URL).content.decode()
    assert "Inga uppföljningsperioder har lagts upp ännu." in html
    assert "<table" not in html


def test_the_filters_work_as_a_plain_get_form(year: Year) -> None:
    html = _client().get(EN_URL, {"ar": YEAR - 1, "vantar": "1"}).content.decode()
    assert 'name="vantar" value="1" id="id_vantar" checked' in html
    assert 'name="forsenade" value="1" id="id_forsenade">' in html
    assert "2 of 9 cells match the filters." in html
    assert f"Status and state per period, {YEAR - 1} (filtered)" in html
    table = html[html.index("<tbody") : html.index("</tbody>")]
    assert table.count("<tr>") == 1
    assert table.count("Left out by the filters") == 1
    # The files carry the same filters.
    assert f'href="?ar={YEAR - 1}&amp;vantar=1&amp;format=csv"' in html


def test_filters_that_leave_nothing_say_so(year: Year) -> None:
    Uppfoljning.objects.filter(tillstand__in=["klar", "godkand"]).update(tillstand="utkast")
    html = _client().get(EN_URL, {"vantar": "1"}).content.decode()
    assert f"Nothing in {YEAR - 1} matches the filters." in html
    assert "<table" not in html


# The files


def _csv_rows(r: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(r.content.decode().removeprefix("\ufeff"), newline="")))


def _xlsx_rows(r: Any) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    return list(sheet.iter_rows(values_only=True))


def test_the_csv_has_one_row_per_cell_with_a_swedish_file_name(year: Year) -> None:
    r = _client().get(URL, {"format": "csv"})
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"] == f'attachment; filename="portfolj-{YEAR - 1}.csv"'
    assert r["Cache-Control"] == "private, no-store"
    rows = _csv_rows(r)
    assert len(rows) == 9
    first = rows[0]
    assert first["Område eller uppdrag"] == f"1. {year.a.kortnamn}"
    assert first["Period"] == f"T1 {YEAR - 1}"
    assert first["Status"] == "● Grön"
    assert first["Sista dag för rapportering"] == f"{YEAR - 1}-05-15"
    assert first["Adress"] == f"http://testserver/arbetsyta/uppfoljning/{year.uppf['a1'].pk}/"
    b2 = next(x for x in rows if x["Adress"].endswith(f"/{year.uppf['b2'].pk}/"))
    assert b2["Status"] == "■ Röd"
    scheduled = timezone.localtime(year.uppf["b2"].publicera_fran)
    assert b2[list(b2)[6]] == f"{scheduled:%Y-%m-%d %H:%M}"
    not_started = [x for x in rows if not x["Adress"]]
    assert len(not_started) == 3
    assert {x["Tillstånd"] for x in not_started} == {"Inte påbörjad"}


def test_the_files_carry_the_filters(year: Year) -> None:
    c = _client()
    late = {"forsenade": "1"}
    assert len(_csv_rows(c.get(URL, {**late, "format": "csv"}))) == 5
    assert len(_xlsx_rows(c.get(URL, {**late, "format": "xlsx"}))) == 1 + 5


def test_the_xlsx_holds_the_same_rows_as_the_csv(year: Year) -> None:
    c = _client()
    r = c.get(URL, {"format": "xlsx"})
    assert r["Content-Type"] == XLSX
    assert r["Content-Disposition"] == f'attachment; filename="portfolj-{YEAR - 1}.xlsx"'
    header, *rows = _xlsx_rows(r)
    csv_rows = _csv_rows(c.get(URL, {"format": "csv"}))
    assert list(header) == list(csv_rows[0])
    assert len(rows) == len(csv_rows) == 9
    for got, want in zip(rows, csv_rows, strict=True):
        assert [got[0], got[1], got[3], got[4], got[5], got[7] or ""] == [
            want[k] for k in (header[0], header[1], header[3], header[4], header[5], header[7])
        ]
        # The deadline is a date in the spreadsheet, not text.
        assert isinstance(got[2], dt.datetime) and got[2].date().isoformat() == want[header[2]]


def test_the_english_files_are_in_english(year: Year) -> None:
    rows = _csv_rows(_client().get(EN_URL, {"format": "csv"}))
    assert list(rows[0])[:4] == ["Area or assignment", "Period", "Reporting deadline", "Status"]
    assert rows[0]["Status"] == "● Green"


@pytest.fixture
def hostile(year: Year) -> list[str]:
    """Every payload of the security corpus as the name of an overarching assignment."""
    names = [*PAYLOADS, "-1.5", "+46 8 123"]
    for i, name in enumerate(names):
        make_uppdrag(namn=name, slug=f"fientlig-{i}", overgripande=True)
    return names


def test_the_csv_carries_the_corpus_inert(year: Year, hostile: list[str]) -> None:
    r = _client().get(URL, {"format": "csv"})
    assert formula_cells(r.content) == []
    cells = {x["Område eller uppdrag"] for x in _csv_rows(r)}
    quoted = {"'" + n if n.startswith(FORMULA_START) else n for n in hostile}
    assert quoted <= cells


def test_the_csv_quotes_an_assignment_name_that_would_start_a_formula(year: Year) -> None:
    Uppdrag.objects.filter(pk=year.uppdrag.pk).update(namn='=HYPERLINK("http://evil.example/")')
    rows = _csv_rows(_client().get(URL, {"format": "csv"}))
    assert rows[-1]["Område eller uppdrag"] == '\'=HYPERLINK("http://evil.example/")'


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if p.startswith(FORMULA_START)])
def test_no_xlsx_cell_is_a_formula(year: Year, payload: str) -> None:
    Uppdrag.objects.filter(pk=year.uppdrag.pk).update(namn=payload)
    r = _client().get(URL, {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    named = [c for c in cells if c.column == 1 and c.value == payload]
    # Stored as the text itself, marked "keep as text" (Excel's quote prefix) for editing too.
    assert len(named) == 3
    assert all(c.data_type == "s" and c.quotePrefix for c in named)
    # And in the file itself: no formula element in the sheet's XML.
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and all(b"<f>" not in z.read(n) and b"<f " not in z.read(n) for n in sheets)


def test_the_xlsx_carries_every_payload_as_text(year: Year, hostile: list[str]) -> None:
    r = _client().get(URL, {"format": "xlsx"})
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    names = {c.value for c in cells if c.column == 1}
    # XML reads a carriage return as a line break.
    assert {n.replace("\r", "\n") for n in hostile} <= {n.replace("\r", "\n") for n in names}
    assert all(c.quotePrefix for c in cells if c.column == 1 and c.value.startswith("="))


def test_text_that_xml_cannot_carry_is_left_out_of_the_xlsx(year: Year) -> None:
    Uppdrag.objects.filter(pk=year.uppdrag.pk).update(namn="Upp\x08drag\x1b")
    r = _client().get(URL, {"format": "xlsx"})
    assert r.status_code == 200
    assert _xlsx_rows(r)[-1][0] == "Uppdrag"


# A constant number of queries


def _years_of_data(years: int, areas: int) -> None:
    omraden = [make_omrade() for _ in range(areas)]
    uppdrag = make_uppdrag(overgripande=True)
    for y in range(YEAR - years + 1, YEAR + 1):
        for tertial in (1, 2, 3):
            period = make_period(ar=y, tertial=tertial, deadline=dt.date(y, 5, 15))
            for i, omrade in enumerate(omraden):
                tillstand = ["utkast", "klar", "godkand", "publicerad"][i % 4]
                uppf = make_uppfoljning(
                    period=period, omrade=omrade, status="gron", tillstand=tillstand
                )
                if i % 4 == 3:
                    make_publicering(uppf, publicerad_at=_at(5, 1, y))
            make_uppfoljning(period=period, uppdrag=uppdrag, status="gron")
    Period.objects.filter(ar=YEAR, tertial=3).update(tillstand="oppen")


@pytest.mark.parametrize(("years", "areas"), [(1, 2), (3, 9)])
@pytest.mark.parametrize("fmt", ["", "csv", "xlsx"])
@pytest.mark.parametrize("filtered", [False, True])
def test_the_page_and_files_take_a_constant_number_of_queries(
    db: None,
    years: int,
    areas: int,
    fmt: str,
    filtered: bool,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    _years_of_data(years, areas)
    c = _client()
    params = {"format": fmt} if fmt else {}
    if filtered:
        params |= {"forsenade": "1", "vantar": "1"}
    # 1 session, 2 user, 3 every period (the years, the open period's year, the year's
    # periods), 4 areas, 5 overarching assignments, 6 the year's follow-ups with when each was
    # first published.
    with django_assert_num_queries(6):
        r = c.get(URL, params)
    assert r.status_code == 200
    # Filtered: areas in "klar" or "godkand" (i % 4 in 1, 2) are late and waiting, every period.
    waiting = sum(i % 4 in (1, 2) for i in range(areas))
    if fmt == "csv":
        assert len(_csv_rows(r)) == 3 * (waiting if filtered else areas + 1)
    elif not fmt:
        rows = r.content.decode().count('<th scope="row">')
        assert rows == (waiting if filtered else areas + 1)
