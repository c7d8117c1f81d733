from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from omraden.models import Aktivitet, Fas
from portal.models import Tillganglighetsredogorelse
from portal.page_cache import public_cache
from portal.viewer import viewer_of
from uppfoljning.models import Publicering, Rapport, attach_latest_publications, overview_areas

# How many coming activities the overview lists; the rest are on /aktiviteter/.
COMING_ON_OVERVIEW = 3


@public_cache
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    # The overview shows everyone what residents see, at one moment for every query.
    viewer = viewer_of(request).as_resident()
    omraden = attach_latest_publications(list(overview_areas(viewer)))
    coming = (
        Aktivitet.objects.visible_to(viewer)
        .filter(datum__gte=viewer.today)
        .order_by("datum", "starttid")[:COMING_ON_OVERVIEW]
    )
    overgripande = (
        Publicering.objects.current(viewer)
        .filter(uppfoljning__uppdrag__overgripande=True)
        .select_related("uppfoljning__period", "uppfoljning__uppdrag")
        .newest_first()
        .first()
    )
    ctx = {
        "omraden": omraden,
        "coming": list(coming),
        "rapport": Rapport.objects.visible_to(viewer).order_by("-datum").first(),
        "overgripande": overgripande,
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
