"""Server-rendered line charts of an indicator: Tyresö against the nation (riket).

Only geometry is computed here; templates/uppfoljning/_diagram.html draws the SVG. The two
series differ in three ways besides colour — line style (solid/dashed), marker shape
(circle/square) and a direct label at the line's end — so the chart reads without colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

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
    key: str  # "tyreso" or "riket": the CSS class and the marker shape
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
    values = [v for p in punkter for v in (p.tyreso, p.riket) if v is not None]
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
    for key, label in (("tyreso", "Tyresö"), ("riket", _("Nation"))):
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


def summary(indikator: Indikator, punkter: list[Punkt]) -> list[str]:
    """One line per year: "2023: Tyresö 61 %, riket 58 %"."""
    lines = []
    for p in punkter:
        parts = []
        if p.tyreso is not None:
            parts.append(f"Tyresö {fmt(p.tyreso, indikator.enhet)}")
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
    tyreso: str
    riket: str
    kalla: str


def table_rows(indikator: Indikator, punkter: list[Punkt]) -> list[Rad]:
    return [
        Rad(
            p.ar,
            fmt(p.tyreso, indikator.enhet),
            fmt(p.riket, indikator.enhet),
            source_text(indikator, p.kalla),
        )
        for p in punkter
    ]


@dataclass(frozen=True)
class Senaste:
    ar: int
    tyreso: str
    riket: str
    kalla: str


def latest(indikator: Indikator) -> Senaste | None:
    p = indikator.senaste()
    if p is None:
        return None
    return Senaste(
        p.ar,
        fmt(p.tyreso, indikator.enhet),
        fmt(p.riket, indikator.enhet),
        source_text(indikator, p.kalla),
    )
