from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from omraden.models import Omrade
from portal.cache import public_cache
from uppfoljning.indikator_views import latest_values
from uppfoljning.models import (
    STATUS_DEFINITIONS,
    STATUS_SYMBOLS,
    Indikator,
    Period,
    Publicering,
    Rapport,
    Uppdrag,
    Uppfoljning,
)
from uppfoljning.reports import Change, Entry, entries_for, period_lookup


def _legend() -> list[dict[str, str]]:
    return [
        {"status": s.value, "label": s.label, "symbol": STATUS_SYMBOLS[s], "definition": d}
        for s, d in STATUS_DEFINITIONS.items()
    ]


@public_cache
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    years = list(Period.objects.order_by("-ar").values_list("ar", flat=True).distinct())
    # One year at a time, the latest by default: the table (and its cost) stays the same
    # size however many years of follow-ups there are. Other years are a link or the plain
    # GET form away; anything that is not a known year shows the latest.
    ar_param = request.GET.get("ar", "")
    ar = int(ar_param) if ar_param.isdigit() and int(ar_param) in years else None
    if ar is None and years:
        ar = years[0]
    periods = list(Period.objects.filter(ar=ar).order_by("tertial"))
    entries = entries_for(periods)
    subjects: list[tuple[str, Any]] = [
        ("uppdrag", u) for u in Uppdrag.objects.filter(overgripande=True)
    ] + [("omrade", o) for o in Omrade.objects.public()]
    rows = [
        {
            "kind": kind,
            "subject": subject,
            "cells": [entries.get((p.pk, kind, subject.pk)) for p in periods],
        }
        for kind, subject in subjects
    ]
    # Years are listed newest first, so the later year is the one before this one.
    i = years.index(ar) if ar in years else 0
    ctx = {
        "years": years,
        "ar": ar,
        "later_year": years[i - 1] if i > 0 else None,
        "earlier_year": years[i + 1] if i + 1 < len(years) else None,
        "periods": periods,
        "rows": rows,
        "legend": _legend(),
    }
    return render(request, "uppfoljning/index.html", ctx)


@public_cache
@require_safe
def period(request: HttpRequest, slug: str) -> HttpResponse:
    period = get_object_or_404(Period, **period_lookup(slug))
    previous = (
        Period.objects.filter(Q(ar__lt=period.ar) | Q(ar=period.ar, tertial__lt=period.tertial))
        .order_by("-ar", "-tertial")
        .first()
    )
    entries = entries_for([period, previous] if previous else [period])
    uppdrag = Uppdrag.objects.filter(
        Q(overgripande=True) | Q(uppfoljningar__period=period)
    ).distinct()
    subjects: list[tuple[str, Any]] = [("uppdrag", u) for u in uppdrag] + [
        ("omrade", o) for o in Omrade.objects.public().select_related("fadder")
    ]
    sections = []
    for kind, subject in subjects:
        entry = entries.get((period.pk, kind, subject.pk), Entry())
        before = entries.get((previous.pk, kind, subject.pk), Entry()) if previous else Entry()
        # Both sides are the reports' snapshots, so a later correction of either period
        # never changes what this report says about the change.
        sections.append(
            {
                "kind": kind,
                "subject": subject,
                "entry": entry,
                "change": Change(before=before.snapshot, after=entry.snapshot),
            }
        )
    ctx = {
        "period": period,
        "previous": previous,
        "sections": sections,
        "legend": _legend(),
    }
    return render(request, "uppfoljning/period.html", ctx)


@public_cache
@require_safe
def uppdrag(request: HttpRequest, slug: str) -> HttpResponse:
    uppdrag = get_object_or_404(Uppdrag, slug=slug)
    # The latest publication per period (one follow-up each), newest period first.
    timeline = list(
        Publicering.objects.latest_public(Uppfoljning.objects.filter(uppdrag=uppdrag))
        .select_related("uppfoljning__period")
        .newest_first()
    )
    ctx = {
        "uppdrag": uppdrag,
        "latest": timeline[0] if timeline else None,
        "timeline": timeline[::-1],
        "legend": _legend(),
        "indikatorer": latest_values(
            Indikator.objects.public().with_values().filter(uppdrag=uppdrag)
        ),
    }
    return render(request, "uppfoljning/uppdrag.html", ctx)


@public_cache
@require_safe
def rapporter(request: HttpRequest) -> HttpResponse:
    ctx = {"rapporter": list(Rapport.objects.public().order_by("-datum"))}
    return render(request, "uppfoljning/rapporter.html", ctx)


@public_cache
@require_safe
def rapport(request: HttpRequest, slug: str) -> HttpResponse:
    ctx = {"rapport": get_object_or_404(Rapport.objects.public(), slug=slug)}
    return render(request, "uppfoljning/rapport.html", ctx)
