from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from omraden.models import Omrade
from portal.page_cache import public_cache
from portal.templatetags.localized import localized_text
from portal.viewer import Viewer, viewer_of
from uppfoljning.indikator_views import latest_values
from uppfoljning.models import (
    STATUS_DEFINITIONS,
    STATUS_SYMBOLS,
    Indikator,
    Period,
    Publicering,
    Rapport,
    Uppdrag,
)
from uppfoljning.reports import Change, Entry, entries, files_shown, period_lookup, publications


def _legend() -> list[dict[str, str]]:
    return [
        {"status": s.value, "label": s.label, "symbol": STATUS_SYMBOLS[s], "definition": d}
        for s, d in STATUS_DEFINITIONS.items()
    ]


@public_cache
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    resident = viewer_of(request).as_resident()
    years = list(Period.objects.order_by("-ar").values_list("ar", flat=True).distinct())
    # One year at a time, the latest by default: the table (and its cost) stays the same
    # size however many years of follow-ups there are. Other years are a link or the plain
    # GET form away; anything that is not a known year shows the latest.
    ar_param = request.GET.get("ar", "")
    # Compared as text: int() refuses some digits ("²") and numbers of 4,300 digits or more.
    ar = next((year for year in years if str(year) == ar_param), None)
    if ar is None and years:
        ar = years[0]
    periods = list(Period.objects.filter(ar=ar).order_by("tertial")) if ar is not None else []
    by_key = entries(periods, publications(resident, Q(period__ar=ar))) if periods else {}
    subjects: list[tuple[str, int, str, str]] = [
        ("uppdrag", u.pk, reverse("uppfoljning:uppdrag", args=[u.slug]), u.namn)
        for u in Uppdrag.objects.filter(overgripande=True).only("namn", "slug")
    ] + [
        ("omrade", o.pk, o.get_absolute_url(), f"{o.nummer}. {o.kortnamn}")
        for o in Omrade.objects.visible_to(resident).only("nummer", "slug", "kortnamn")
    ]
    rows = [
        {
            "url": url,
            "name": name,
            # An Entry, or None where nothing was published for the period.
            "cells": [by_key.get((p.pk, kind, pk)) for p in periods],
        }
        for kind, pk, url, name in subjects
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
    return render(request, "uppfoljning/period.html", period_context(request, slug))


def period_context(request: HttpRequest, slug: str) -> dict[str, Any]:
    """What the tertial report shows; also the PDF and Word files' content (report_files)."""
    resident = viewer_of(request).as_resident()
    key = period_lookup(slug)
    ar, tertial = key["ar"], key["tertial"]
    # The period and the one before it in one query: the latest two up to this one.
    found = list(
        Period.objects.filter(Q(ar__lt=ar) | Q(ar=ar, tertial__lte=tertial)).order_by(
            "-ar", "-tertial"
        )[:2]
    )
    if not found or (found[0].ar, found[0].tertial) != (ar, tertial):
        raise Http404("No such period")
    period = found[0]
    previous = found[1] if len(found) > 1 else None
    by_key = entries(found, publications(resident, Q(period__in=found)))
    subjects: list[tuple[str, int, str, str, Omrade | None]] = [
        ("uppdrag", u.pk, u.namn, reverse("uppfoljning:uppdrag", args=[u.slug]), None)
        for u in Uppdrag.objects.filter(Q(overgripande=True) | Q(uppfoljningar__period=period))
        .distinct()
        .only("namn", "slug")
    ] + [
        # The title as text (the Word file); the page marks a Swedish question under English.
        ("omrade", o.pk, f"{o.nummer}. {localized_text(o, 'fraga')[0]}", o.get_absolute_url(), o)
        for o in Omrade.objects.visible_to(resident)
        .select_related("fadder")
        .only("nummer", "slug", "fraga", "fraga_en", "fadder__namn")
    ]
    sections = []
    for kind, pk, title, url, omrade in subjects:
        entry = by_key.get((period.pk, kind, pk), Entry())
        before = by_key.get((previous.pk, kind, pk), Entry()) if previous else Entry()
        sections.append(
            {
                "id": f"del-{kind}-{pk}",
                "kind": kind,
                "title": title,
                "url": url,
                "omrade": omrade,
                "fadder": omrade.fadder if omrade else None,
                "pub": entry.snapshot,
                "corrections": entry.corrections,
                # Both sides are the reports' snapshots, so a later correction of either
                # period never changes what this report says about the change.
                "change": Change(before=before.snapshot, after=entry.snapshot),
            }
        )
    return {
        "period": period,
        "previous": previous,
        "sections": sections,
        "legend": _legend(),
        "files": files_shown(viewer_of(request), period),
    }


def _shown_areas(resident: Viewer) -> Prefetch:
    """An assignment's areas as a resident sees them: the visible ones, in number order."""
    areas = Omrade.objects.visible_to(resident).only("nummer", "slug", "kortnamn")
    return Prefetch("omraden", queryset=areas.order_by("nummer"))


@public_cache
@require_safe
def uppdrag_lista(request: HttpRequest) -> HttpResponse:
    """Every political assignment with its areas and its latest public status: three queries
    (the assignments with the id of their current latest version, their areas, the versions)."""
    resident = viewer_of(request).as_resident()
    latest = (
        Publicering.objects.current(resident)
        .filter(uppfoljning__uppdrag=OuterRef("pk"))
        .newest_first()
        .values("pk")[:1]
    )
    uppdrag = list(
        Uppdrag.objects.only("namn", "slug", "kommunplan_ar", "overgripande")
        .annotate(senaste_publicering_id=Subquery(latest))
        .prefetch_related(_shown_areas(resident))
    )
    ids = [u.senaste_publicering_id for u in uppdrag if u.senaste_publicering_id]
    by_id = {
        p.pk: p
        for p in Publicering.objects.filter(pk__in=ids)
        .select_related("uppfoljning__period")
        .only("status", "uppfoljning__period__ar", "uppfoljning__period__tertial")
    }
    for u in uppdrag:
        u.senaste = by_id.get(u.senaste_publicering_id)
    ctx = {"uppdrag_lista": uppdrag, "legend": _legend()}
    return render(request, "uppfoljning/uppdrag_lista.html", ctx)


@public_cache
@require_safe
def uppdrag(request: HttpRequest, slug: str) -> HttpResponse:
    resident = viewer_of(request).as_resident()
    uppdrag = get_object_or_404(Uppdrag.objects.prefetch_related(_shown_areas(resident)), slug=slug)
    # The version in force of each follow-up (one per period), newest period first.
    timeline = list(
        Publicering.objects.current(resident)
        .filter(uppfoljning__uppdrag=uppdrag)
        .select_related("uppfoljning__period")
        .newest_first()
    )
    ctx = {
        "uppdrag": uppdrag,
        "omraden": uppdrag.omraden.all(),
        "latest": timeline[0] if timeline else None,
        "timeline": timeline[::-1],
        "legend": _legend(),
        "indikatorer": latest_values(
            Indikator.objects.visible_to(resident).with_values().filter(uppdrag=uppdrag)
        ),
    }
    return render(request, "uppfoljning/uppdrag.html", ctx)


@public_cache
@require_safe
def rapporter(request: HttpRequest) -> HttpResponse:
    resident = viewer_of(request).as_resident()
    ctx = {"rapporter": list(Rapport.objects.visible_to(resident).order_by("-datum"))}
    return render(request, "uppfoljning/rapporter.html", ctx)


@public_cache
@require_safe
def rapport(request: HttpRequest, slug: str) -> HttpResponse:
    resident = viewer_of(request).as_resident()
    ctx = {"rapport": get_object_or_404(Rapport.objects.visible_to(resident), slug=slug)}
    return render(request, "uppfoljning/rapport.html", ctx)
