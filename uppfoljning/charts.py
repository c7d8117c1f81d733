"""Server-rendered line charts of an indicator: the municipality against the nation (riket).

Only geometry is computed here; templates/uppfoljning/_diagram.html draws the big chart's SVG
and templates/uppfoljning/indikatorer.html the small trend lines. The two series of
the big chart differ in three ways besides colour — line style (solid/dashed), marker shape
(circle/square) and a direct label at the line's end — so the chart reads without colour.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kommun.models import Kommun
from uppfoljning.models import Indikator, Punkt

WIDTH = 640
HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 16, 40
# Two end labels closer than this (in px) are pushed apart so they never overlap.
LABEL_GAP = 16


def fmt(value: Decimal | None, enhet: str) -> str:
    """58 → "58 %", 57.50 → "57,5 %" (in Swedish); None → "–"."""
    if value is None:
        return "–"
    return _fmt(value, enhet, get_language())


# Django's number_format() looks up the language's formats on every call, and the list of
# indicators formats hundreds of values per page: remember the few thousand seen last (the
# result depends only on the value, the unit and the language).
@functools.lru_cache(maxsize=4096)
def _fmt(value: Decimal, enhet: str, language: str) -> str:
    normal = value.normalize()
    decimals = max(0, -normal.as_tuple().exponent)  # type: ignore[operator]
    text = number_format(normal, decimal_pos=decimals)
    return f"{text} %" if enhet == Indikator.Enhet.PROCENT else text


@dataclass(frozen=True)
class Marker:
    x: float
    y: float

    @property
    def square_x(self) -> float:
        return self.x - 5

    @property
    def square_y(self) -> float:
        return self.y - 5


@dataclass
class Serie:
    key: str  # "kommun" or "riket": the CSS class and the marker shape
    label: str
    points: list[Marker] = field(default_factory=list)
    end_label: str = ""
    end_x: float = 0
    end_y: float = 0

    @property
    def polyline(self) -> str:
        return " ".join(f"{m.x:.1f},{m.y:.1f}" for m in self.points)


@dataclass
class Chart:
    width: int
    height: int
    series: list[Serie]
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, int]]
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int


def _y_range(values: list[Decimal], enhet: str) -> tuple[float, float, float]:
    low, high = float(min(values)), float(max(values))
    # Small differences should not look dramatic: show at least ten units (percentage
    # points) or a tenth of the value, centred on the data.
    least = 10.0 if enhet == Indikator.Enhet.PROCENT else max(abs(high) / 10, 1.0)
    if high - low < least:
        middle = (high + low) / 2
        low, high = middle - least / 2, middle + least / 2
    span = high - low
    # A step of 1, 2, 5 or 10 × a power of ten that gives about four to six gridlines.
    raw = span / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    bottom = math.floor(low / step) * step
    top = math.ceil(high / step) * step
    if top == bottom:
        top += step
    if enhet == Indikator.Enhet.PROCENT:
        bottom, top = max(bottom, 0.0), min(top, 100.0)
    return bottom, top, step


def build_chart(indikator: Indikator, punkter: list[Punkt]) -> Chart | None:
    """The chart's geometry, or None when there is nothing to draw."""
    values = [v for p in punkter for v in (p.kommun, p.riket) if v is not None]
    if not values:
        return None
    enhet = indikator.enhet
    bottom, top, step = _y_range(values, enhet)
    plot_left, plot_right = LEFT, WIDTH - RIGHT
    plot_top, plot_bottom = TOP, HEIGHT - BOTTOM
    years = [p.ar for p in punkter]
    first, last = min(years), max(years)

    def x(ar: int) -> float:
        if first == last:
            return (plot_left + plot_right) / 2
        return plot_left + (ar - first) / (last - first) * (plot_right - plot_left)

    def y(value: Decimal) -> float:
        return plot_bottom - (float(value) - bottom) / (top - bottom) * (plot_bottom - plot_top)

    series = []
    for key, label in (("kommun", Kommun.objects.current().kortnamn), ("riket", _("Nation"))):
        serie = Serie(key=key, label=label)
        last_value = None
        for p in punkter:
            value = getattr(p, key)
            if value is not None:
                serie.points.append(Marker(x(p.ar), y(value)))
                last_value = value
        if serie.points:
            serie.end_label = f"{label} {fmt(last_value, enhet)}"
            serie.end_x, serie.end_y = serie.points[-1].x + 10, serie.points[-1].y + 4
            series.append(serie)
    if len(series) == 2 and abs(series[0].end_y - series[1].end_y) < LABEL_GAP:
        upper, lower = sorted(series, key=lambda s: s.end_y)
        middle = (upper.end_y + lower.end_y) / 2
        upper.end_y, lower.end_y = middle - LABEL_GAP / 2, middle + LABEL_GAP / 2

    ticks = []
    n = 0
    while bottom + n * step <= top + 1e-9:
        value = bottom + n * step
        ticks.append((y(Decimal(str(value))), fmt(Decimal(str(round(value, 6))), enhet)))
        n += 1
    # At most about eight year labels, so they never run into each other.
    every = max(1, math.ceil((last - first + 1) / 8))
    x_ticks = [(x(ar), ar) for ar in range(first, last + 1, every)]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        series=series,
        y_ticks=ticks,
        x_ticks=x_ticks,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
    )


# The small chart on the list of indicators: the trend only; the detail page has the rest.
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 160, 48, 6


@dataclass(frozen=True)
class Sparkline:
    """What templates/uppfoljning/indikatorer.html draws as a small inline SVG."""

    width: int
    height: int
    title: str  # the text alternative: first and newest value of each series
    kommun_points: str  # polyline points; empty when the series has fewer than two
    riket_points: str
    kommun_last: tuple[str, str] | None  # the newest point: a round marker (cx, cy)
    riket_last: tuple[str, str] | None  # the newest point: a square marker (x, y of a corner)


def _trend_text(label: str, points: list[tuple[int, Decimal]], enhet: str, language: str) -> str:
    """ "Nacka 2007–2026: from 40 % to 61 %", or "Nacka 2021: 58 %" for one year."""
    (first_year, first), (last_year, last) = points[0], points[-1]
    if len(points) == 1:
        return f"{label} {last_year}: {_fmt(last, enhet, language)}"
    return _("%(name)s %(first_year)s–%(last_year)s: from %(first)s to %(last)s") % {
        "name": label,
        "first_year": first_year,
        "last_year": last_year,
        "first": _fmt(first, enhet, language),
        "last": _fmt(last, enhet, language),
    }


def build_sparkline(indikator: Indikator, punkter: list[Punkt]) -> Sparkline | None:
    """A small trend line of the municipality (solid, round marker) and the nation (dashed).

    Its text alternative is the first and the newest value of each series; the numbers of
    every year are on the indicator's own page.
    """
    kommun = [(p.ar, p.kommun) for p in punkter if p.kommun is not None]
    riket = [(p.ar, p.riket) for p in punkter if p.riket is not None]
    if not kommun and not riket:
        return None
    enhet = indikator.enhet
    bottom, top, _step = _y_range([v for _ar, v in kommun + riket], enhet)
    first, last = punkter[0].ar, punkter[-1].ar
    left, right = SPARK_PAD, SPARK_WIDTH - SPARK_PAD
    upper, lower = SPARK_PAD, SPARK_HEIGHT - SPARK_PAD
    x_scale = (right - left) / (last - first) if last > first else 0.0
    y_scale = (lower - upper) / (top - bottom)
    # x depends on the year only: computed once for both series.
    xs = {
        p.ar: (left + (p.ar - first) * x_scale if x_scale else (left + right) / 2) for p in punkter
    }

    def coordinates(points: list[tuple[int, Decimal]]) -> list[tuple[float, float]]:
        return [(xs[ar], lower - (float(value) - bottom) * y_scale) for ar, value in points]

    def polyline(pts: list[tuple[float, float]]) -> str:
        # "%.1f" % gives the text f"{x:.1f}" gives, in half the time (fifty lines of twenty).
        return " ".join(["%.1f,%.1f" % xy for xy in pts]) if len(pts) > 1 else ""  # noqa: UP031

    language = get_language()
    texts = []
    if kommun:
        texts.append(_trend_text(Kommun.objects.current().kortnamn, kommun, enhet, language))
    if riket:
        texts.append(_trend_text(_("nation"), riket, enhet, language))
    kommun_xy, riket_xy = coordinates(kommun), coordinates(riket)
    return Sparkline(
        width=SPARK_WIDTH,
        height=SPARK_HEIGHT,
        title="; ".join(texts),
        kommun_points=polyline(kommun_xy),
        riket_points=polyline(riket_xy),
        kommun_last=(f"{kommun_xy[-1][0]:.1f}", f"{kommun_xy[-1][1]:.1f}") if kommun else None,
        # A square 6 px wide centred on the point.
        riket_last=(
            (f"{riket_xy[-1][0] - 3:.1f}", f"{riket_xy[-1][1] - 3:.1f}") if riket else None
        ),
    )


def summary(indikator: Indikator, punkter: list[Punkt]) -> list[str]:
    """One line per year: "2023: Nacka 61 %, riket 58 %"."""
    kortnamn = Kommun.objects.current().kortnamn
    lines = []
    for p in punkter:
        parts = []
        if p.kommun is not None:
            parts.append(f"{kortnamn} {fmt(p.kommun, indikator.enhet)}")
        if p.riket is not None:
            parts.append(_("nation %(value)s") % {"value": fmt(p.riket, indikator.enhet)})
        lines.append(f"{p.ar}: {', '.join(parts)}")
    return lines


def source_text(indikator: Indikator, kalla: str) -> str:
    """Where a value comes from, in the words shown beside it (and in the data table)."""
    if kalla == "kolada":
        return _("Source: Kolada")
    if kalla == "egen":
        return _("The portal's own calculation")
    if kalla == "startlage":
        return _("Baseline in the municipal plan; source: %(source)s") % {"source": indikator.kalla}
    return _("Source: %(source)s, entered by the municipality") % {"source": indikator.kalla}


@dataclass(frozen=True)
class Rad:
    ar: int
    kommun: str
    riket: str
    kalla: str


def table_rows(indikator: Indikator, punkter: list[Punkt]) -> list[Rad]:
    return [
        Rad(
            p.ar,
            fmt(p.kommun, indikator.enhet),
            fmt(p.riket, indikator.enhet),
            source_text(indikator, p.kalla),
        )
        for p in punkter
    ]


@dataclass(frozen=True)
class Senaste:
    ar: int
    kommun: str
    riket: str
    kalla: str


def latest(indikator: Indikator, punkter: list[Punkt] | None = None) -> Senaste | None:
    """The newest value for the municipality; pass `punkter` when the caller has the series."""
    if punkter is None:
        p = indikator.senaste()
    else:
        p = next((p for p in reversed(punkter) if p.kommun is not None), None)
    if p is None:
        return None
    return Senaste(
        p.ar,
        fmt(p.kommun, indikator.enhet),
        fmt(p.riket, indikator.enhet),
        source_text(indikator, p.kalla),
    )
