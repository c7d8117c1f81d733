"""The portfolio (/arbetsyta/portfolj/): areas and overarching assignments × a year's periods.

For kommunledningsgruppen's meetings: each cell the follow-up's status and where it is in the
sign-off (`Uppfoljning.skede()`), late or not (`Period.is_late()`), filtered to what is late or
waits for a decision, and the same rows as CSV (`portal.lib.csvsafe`) and XLSX (openpyxl).
Any staff member may read it (`roles.can_view_staff_pages`), as they may read every follow-up.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from omraden.models import Omrade
from portal import roles
from portal.lib import csvsafe
from portal.lib.choices import labels
from portal.viewer import Viewer, viewer_of
from uppfoljning.models import (
    STATUS_DEFINITIONS,
    STATUS_SYMBOLS,
    Period,
    Skede,
    Status,
    Uppdrag,
    Uppfoljning,
)

TEMPLATE = "uppfoljning/portfolj.html"
# Waiting for a decision: marked ready, or approved by the sponsor and not yet published.
WAITING = frozenset({Skede.KLAR, Skede.GODKAND})
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Filters:
    """What the GET form asks for; both filters together mean "late and waiting"."""

    late: bool = False
    waiting: bool = False

    @property
    def active(self) -> bool:
        return self.late or self.waiting


@dataclass(frozen=True)
class Cell:
    """One area or assignment in one period: its follow-up (None: not started) and state."""

    period: Period
    uppf: Uppfoljning | None
    skede: str  # a Skede value, or "" when no follow-up exists yet
    late: bool

    @property
    def skede_label(self) -> str:
        return labels(Skede)[self.skede] if self.skede else _("Not started")

    @property
    def waiting(self) -> bool:
        return self.skede in WAITING

    @property
    def scheduled(self) -> bool:
        return self.skede == Skede.SCHEMALAGD

    def matches(self, filters: Filters) -> bool:
        return (self.late or not filters.late) and (self.waiting or not filters.waiting)


@dataclass(frozen=True)
class Row:
    name: str
    # Per period of the year: the cell, or None where the filters leave it out.
    cells: list[Cell | None]


@dataclass(frozen=True)
class Portfolio:
    years: list[int]  # every year with periods, newest first
    ar: int | None  # the year shown (None: no periods at all)
    periods: list[Period]  # the year's periods, T1, T2, ÅR
    rows: list[Row]  # only rows with a cell the filters keep
    filters: Filters
    total: int  # cells of the year before filtering
    shown: int  # cells the filters keep


def _year(param: str, years: list[int], open_year: int | None) -> int | None:
    # A year as four ASCII digits at most (isdigit() alone takes "²", int() refuses it); a
    # year without periods is shown as such. Anything else shows the default year.
    if param.isascii() and param.isdigit() and len(param) <= 4 and int(param) > 0:
        return int(param)
    if open_year is not None:
        return open_year
    return years[0] if years else None


def build(viewer: Viewer, *, ar_param: str = "", filters: Filters | None = None) -> Portfolio:
    """The portfolio of one year in four queries, whatever the number of years, periods or areas.

    1 every period (a few rows a year: the years, the open period's year and the year's
    periods from one read), 2 areas, 3 overarching assignments, 4 the year's follow-ups with
    when each was first published.
    """
    filters = filters or Filters()
    all_periods = list(Period.objects.order_by("-ar", "tertial"))
    years = sorted({p.ar for p in all_periods}, reverse=True)
    open_year = next((p.ar for p in all_periods if p.is_open), None)
    ar = _year(ar_param, years, open_year)
    periods = [p for p in all_periods if p.ar == ar]
    rows: list[Row] = []
    total = shown = 0
    if periods:
        by_key = _follow_ups(viewer, periods)
        subjects: list[tuple[str, int, str]] = [
            ("omrade", o.pk, f"{o.nummer}. {o.kortnamn}")
            for o in Omrade.objects.visible_to(viewer).only("nummer", "kortnamn")
        ] + [
            ("uppdrag", u.pk, u.namn)
            for u in Uppdrag.objects.filter(overgripande=True).only("namn")
        ]
        for kind, pk, name in subjects:
            cells = [_cell(p, by_key.get((p.pk, kind, pk)), viewer.now) for p in periods]
            kept = [c if c.matches(filters) else None for c in cells]
            total += len(cells)
            shown += sum(c is not None for c in kept)
            if any(c is not None for c in kept):
                rows.append(Row(name, kept))
    return Portfolio(years, ar, periods, rows, filters, total, shown)


def _follow_ups(viewer: Viewer, periods: list[Period]) -> dict[tuple[int, str, int], Uppfoljning]:
    by_id = {p.pk: p for p in periods}
    # order_by(): looked up by key, so the default ordering's joins would be waste.
    rows: QuerySet[Uppfoljning] = (
        Uppfoljning.objects.visible_to(viewer)
        .filter(period__in=periods)
        .with_first_publication()
        .only("period_id", "omrade_id", "uppdrag_id", "status", "tillstand", "publicera_fran")
        .order_by()
    )
    by_key = {}
    for u in rows:
        u.period = by_id[u.period_id]
        kind, pk = ("omrade", u.omrade_id) if u.omrade_id else ("uppdrag", u.uppdrag_id)
        by_key[(u.period_id, kind, pk)] = u
    return by_key


def _cell(period: Period, uppf: Uppfoljning | None, now: dt.datetime) -> Cell:
    first = uppf.forsta_publicering if uppf is not None else None
    return Cell(
        period=period,
        uppf=uppf,
        skede=uppf.skede(now) if uppf is not None else "",
        late=period.is_late(first, now),
    )


def _filters(request: HttpRequest) -> Filters:
    return Filters(
        late=request.GET.get("forsenade") == "1", waiting=request.GET.get("vantar") == "1"
    )


def _query(portfolio: Portfolio, fmt: str = "") -> str:
    """The page's own address parameters: the year, the filters and the file format."""
    params: dict[str, Any] = {"ar": portfolio.ar} if portfolio.ar is not None else {}
    if portfolio.filters.late:
        params["forsenade"] = 1
    if portfolio.filters.waiting:
        params["vantar"] = 1
    if fmt:
        params["format"] = fmt
    return "?" + urlencode(params)


@require_safe
@login_required
def portfolj(request: HttpRequest) -> HttpResponse:
    if not roles.can_view_staff_pages(request.user):
        raise PermissionDenied
    fmt = request.GET.get("format", "")
    if fmt not in ("", "csv", "xlsx"):
        raise Http404
    portfolio = build(
        viewer_of(request), ar_param=request.GET.get("ar", ""), filters=_filters(request)
    )
    if fmt:
        return _download(request, portfolio, fmt)
    ctx = {
        "portfolio": portfolio,
        "csv_url": _query(portfolio, "csv"),
        "xlsx_url": _query(portfolio, "xlsx"),
        "file_name": _file_name(portfolio),
        "legend": [
            {"status": s.value, "label": s.label, "symbol": STATUS_SYMBOLS[s], "definition": d}
            for s, d in STATUS_DEFINITIONS.items()
        ],
    }
    return render(request, TEMPLATE, ctx)


# The files: one row per area or assignment and period, the same cells the page shows.


def _file_name(portfolio: Portfolio) -> str:
    return f"portfolj-{portfolio.ar}" if portfolio.ar is not None else "portfolj"


def _headers() -> list[str]:
    return [
        _("Area or assignment"),
        _("Period"),
        capfirst(_("reporting deadline")),
        _("Status"),
        _("State"),
        _("Late"),
        _("To be published"),
        capfirst(_("address")),
    ]


def _records(request: HttpRequest, portfolio: Portfolio) -> list[list[Any]]:
    """The rows of the files, in the active language; dates as dates, the rest as text."""
    status_labels, no_status = labels(Status), _("No status yet")
    yes, no = _("Yes"), _("No")
    records = []
    for row in portfolio.rows:
        for cell in row.cells:
            if cell is None:
                continue
            uppf = cell.uppf
            status = no_status
            if uppf is not None and uppf.status:
                status = f"{STATUS_SYMBOLS[Status(uppf.status)]} {status_labels[uppf.status]}"
            when = None
            if cell.scheduled and uppf is not None and uppf.publicera_fran is not None:
                when = timezone.localtime(uppf.publicera_fran).replace(tzinfo=None)
            address = ""
            if uppf is not None:
                address = request.build_absolute_uri(
                    reverse("arbetsyta:uppfoljning", args=[uppf.pk])
                )
            records.append(
                [
                    row.name,
                    str(cell.period),
                    cell.period.deadline,
                    status,
                    cell.skede_label,
                    yes if cell.late else no,
                    when,
                    address,
                ]
            )
    return records


def _download(request: HttpRequest, portfolio: Portfolio, fmt: str) -> HttpResponse:
    headers, records = _headers(), _records(request, portfolio)
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")  # Excel opens UTF-8 correctly only with a BOM.
        writer = csvsafe.DictWriter(response, fieldnames=headers)
        writer.writeheader()
        for record in records:
            writer.writerow(dict(zip(headers, map(_csv_value, record), strict=True)))
    else:
        response = HttpResponse(_xlsx(headers, records), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_file_name(portfolio)}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return formats.date_format(value, "Y-m-d H:i")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _xlsx(headers: list[str], records: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Portfolio")[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in records:
        sheet.append([None] * len(record))
        for column, value in enumerate(record, start=1):
            _xlsx_cell(sheet.cell(row=sheet.max_row, column=column), value)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for letter, width in zip("ABCDEFGH", (40, 10, 14, 12, 26, 10, 18, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(cell: Any, value: Any) -> None:
    """Write `value` so that no cell is a formula: csvsafe's rule, in XLSX's own terms.

    Text is stored as text (type "s"), never as a formula, whatever it starts with; text that a
    spreadsheet would read as a formula when typed (csvsafe.FORMULA_START) also gets the quote
    prefix, Excel's own mark for "typed with a leading ', keep as text", so that editing the
    cell does not turn it into one either. Dates stay dates.
    """
    if value is None:
        return
    if isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(value, dt.datetime) else "yyyy-mm-dd"
        return
    # Characters XML 1.0 cannot carry would make openpyxl refuse the whole file.
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell.value = text
    cell.data_type = "s"
    if text.startswith(csvsafe.FORMULA_START):
        cell.quotePrefix = True
