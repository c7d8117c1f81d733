from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from omraden.models import Aktivitet, Fas, Omrade, attach_latest_publications
from portal.lib.compiled import compiled
from portal.models import Tillganglighetsredogorelse
from portal.page_cache import public_cache
from uppfoljning.models import Publicering, Rapport

# How many coming activities the overview lists; the rest are on /aktiviteter/.
COMING_ON_OVERVIEW = 3


@compiled
def _overview_areas(*, now: dt.datetime) -> QuerySet[Omrade]:
    return Omrade.objects.public().for_overview(now)


@compiled
def _overview_publications(*, now: dt.datetime) -> QuerySet[Publicering]:
    """The areas' latest public publications (see for_overview()), with their periods."""
    latest = Omrade.objects.public().for_overview(now).values("senaste_publicering_id")
    return Publicering.objects.filter(pk__in=latest).select_related("uppfoljning__period")


@compiled
def _coming_activities(*, today: dt.date) -> QuerySet[Aktivitet]:
    return (
        Aktivitet.objects.public()
        .filter(datum__gte=today)
        .order_by("datum", "starttid")[:COMING_ON_OVERVIEW]
    )


@compiled
def _latest_overgripande(*, now: dt.datetime) -> QuerySet[Publicering]:
    return (
        Publicering.objects.public(now)
        .filter(uppfoljning__uppdrag__overgripande=True)
        .select_related("uppfoljning__period", "uppfoljning__uppdrag")
        .newest_first()[:1]
    )


@compiled
def _latest_report() -> QuerySet[Rapport]:
    return Rapport.objects.public().order_by("-datum")[:1]


@public_cache
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    # One moment for every query: a publication falling due in between counts in all or none.
    now = timezone.now()
    omraden = attach_latest_publications(_overview_areas(now=now), _overview_publications(now=now))
    ctx = {
        "omraden": omraden,
        "coming": _coming_activities(today=timezone.localdate(now)),
        "rapport": next(iter(_latest_report()), None),
        "overgripande": next(iter(_latest_overgripande(now=now)), None),
    }
    return render(request, "portal/index.html", ctx)


@public_cache
@require_safe
def ordlista(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/ordlista.html", {"faser": list(Fas.objects.all())})


@public_cache
@require_safe
def personuppgifter(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/personuppgifter.html", {})


@public_cache
@require_safe
def tillganglighet(request: HttpRequest) -> HttpResponse:
    ctx = {
        "redogorelse": Tillganglighetsredogorelse.objects.current(),
        "digg_url": "https://www.digg.se/tdosanmalan",
    }
    return render(request, "portal/tillganglighet.html", ctx)
