from __future__ import annotations

from typing import Any

from django.db.models import F, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from omraden.deltagande_views import aktivitet_context, aktivitet_with_seats, public_inspel_page
from omraden.forms import InspelForm
from omraden.models import Aktivitet, Fas, Omrade
from portal import roles
from portal.cache import public_cache
from portal.lib.urls import INT, address_for
from uppfoljning.indikator_views import latest_values
from uppfoljning.models import Indikator, Publicering, Uppfoljning


def _get_omrade_for_user(request: HttpRequest, slug: str) -> Omrade:
    # Logged-in staff may see areas that are not yet public; residents only public ones.
    staff = roles.can_view_staff_pages(request.user)
    areas = Omrade.objects.all() if staff else Omrade.objects.public()
    return get_object_or_404(areas.select_related("fadder", "fas"), slug=slug)


AREA_ACTIVITIES = 5
# Three years of tertials in the area's status over time.
AREA_PERIODS = 9


@public_cache
@require_safe
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    omrade = _get_omrade_for_user(request, slug)
    # The latest publication per period (one follow-up each), newest period first: the
    # status over the last few periods; older ones are on /uppfoljning/, year by year.
    # latest_due(), not latest_public(): the area's own visibility is known here, so no join
    # on it (staff may see a hidden area; its follow-ups stay unpublished until it is public).
    timeline = (
        list(
            Publicering.objects.latest_due(Uppfoljning.objects.filter(omrade=omrade))
            .select_related("uppfoljning__period")
            .newest_first()[: AREA_PERIODS + 1]
        )
        if omrade.publik
        else []
    )
    period_url = address_for("uppfoljning:period")
    for pub in timeline:
        pub.period_url = period_url(pub.uppfoljning.period.slug)

    # A few activities each way; the full list is /aktiviteter/. Keeps the page small
    # however many activities an area gathers over the years.
    today = timezone.localdate()
    # Only what the list shows, as dicts: cheaper to build than model instances.
    area_activities = Aktivitet.objects.public().filter(omraden=omrade)
    shown = ("pk", "titel", "datum", "starttid", "plats", "teman")
    coming = list(
        area_activities.filter(datum__gte=today)
        .order_by("datum", "starttid")
        .values(*shown)[: AREA_ACTIVITIES + 1]
    )
    past = list(
        area_activities.filter(datum__lt=today)
        .order_by("-datum", "-starttid")
        .values(*shown)[: AREA_ACTIVITIES + 1]
    )
    activity_url = address_for("omraden:aktivitet", INT)
    for a in coming + past:
        a["url"] = activity_url(a["pk"])
    ctx = {
        "omrade": omrade,
        "latest": timeline[0] if timeline else None,
        # Oldest first: a timeline reads in the order things happened.
        "timeline": timeline[:AREA_PERIODS][::-1],
        "earlier_periods": len(timeline) > AREA_PERIODS,
        "faser": list(Fas.objects.all()),
        "paverkansnivaer": Omrade.Paverkan,
        # The leaders' names and titles only (no contact details), as dicts.
        "ledartrojor": list(
            omrade.ledartrojor.filter(aktiv=True)
            .order_by("slot")
            .values(namn=F("person__namn"), titel=F("person__titel"), fiktiv=F("person__fiktiv"))
        ),
        "initiativ": list(
            omrade.initiativ.filter(publik=True)
            .order_by("fas__ordning")
            .values("titel", "beskrivning", fas_namn=F("fas__namn"))
        ),
        "coming": coming[:AREA_ACTIVITIES],
        "past": past[:AREA_ACTIVITIES],
        "more_activities": len(coming) > AREA_ACTIVITIES or len(past) > AREA_ACTIVITIES,
        # Residents' input: the form (this area preselected) and the approved input.
        "inspel_form": InspelForm(fixed_omrade=omrade),
        "inspel_sida": public_inspel_page(request, omrade),
        # The area's indicators with their latest values (the area is visible, so are they).
        "indikatorer": latest_values(Indikator.objects.with_values().filter(omrade=omrade)),
    }
    return render(request, "omraden/detail.html", ctx)


@public_cache
@require_safe
def aktiviteter(request: HttpRequest) -> HttpResponse:
    """Every public activity, coming and past, grouped by the area it belongs to."""
    activities = Aktivitet.objects.public().prefetch_related(
        Prefetch("omraden", queryset=Omrade.objects.public().order_by("nummer"))
    )
    today = timezone.localdate()
    ctx = {
        "coming": _by_area([a for a in activities if a.datum >= today]),
        "past": _by_area([a for a in activities if a.datum < today][::-1]),
    }
    return render(request, "omraden/aktiviteter.html", ctx)


def _by_area(activities: list[Aktivitet]) -> list[dict[str, Any]]:
    """Groups: one per area in area order, then activities shared by several areas, then none.

    An activity for several areas (like the checkpoint, for all seven) is listed once in its
    own group rather than repeated under every area.
    """
    single: dict[int, dict[str, Any]] = {}
    shared: list[Aktivitet] = []
    none: list[Aktivitet] = []
    for a in activities:
        areas = list(a.omraden.all())
        if len(areas) == 1:
            single.setdefault(areas[0].pk, {"omrade": areas[0], "aktiviteter": []})
            single[areas[0].pk]["aktiviteter"].append(a)
        elif areas:
            shared.append(a)
        else:
            none.append(a)
    groups = sorted(single.values(), key=lambda g: g["omrade"].nummer)
    if shared:
        groups.append({"omrade": None, "shared": True, "aktiviteter": shared})
    if none:
        groups.append({"omrade": None, "shared": False, "aktiviteter": none})
    return groups


@public_cache
@require_safe
def aktivitet(request: HttpRequest, pk: int) -> HttpResponse:
    activities = (
        Aktivitet.objects.all()
        if roles.can_view_staff_pages(request.user)
        else Aktivitet.objects.public()
    )
    aktivitet = get_object_or_404(aktivitet_with_seats(activities), pk=pk)
    return render(request, "omraden/aktivitet.html", aktivitet_context(request, aktivitet))
