from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from omraden.deltagande_views import aktivitet_context, aktivitet_with_seats, public_inspel_page
from omraden.forms import InspelForm
from omraden.models import Aktivitet, Fas, Initiativ, Ledartroja, Omrade
from portal.lib.urls import INT, address_for
from portal.page_cache import public_cache
from portal.viewer import Viewer, viewer_of
from uppfoljning.indikator_views import latest_values
from uppfoljning.models import Indikator, Publicering
from uppfoljning.services import PUBLISHED_TEXTS


def _get_omrade_for_user(request: HttpRequest, slug: str) -> tuple[Omrade, list[dict[str, str]]]:
    """The area with fadder and phase, and its political assignments (name and address).

    Logged-in staff may open an area that is not public yet; residents only a visible one.
    One query for both: a row per linked assignment (a LEFT JOIN, a single row when there is
    none), so the area page stays within its ten queries; an area has a handful at most.
    """
    areas = Omrade.objects.visible_to(viewer_of(request)).select_related("fadder", "fas")
    rows = list(
        areas.filter(slug=slug)
        .annotate(uppdrag_slug=F("uppdrag__slug"), uppdrag_namn=F("uppdrag__namn"))
        .order_by("uppdrag__kommunplan_ar", "uppdrag__ordning", "uppdrag__pk")
    )
    if not rows:
        raise Http404("No such area")
    uppdrag_url = address_for("uppfoljning:uppdrag")
    uppdrag = [
        {"namn": row.uppdrag_namn, "url": uppdrag_url(row.uppdrag_slug)}
        for row in rows
        if row.uppdrag_slug is not None
    ]
    return rows[0], uppdrag


AREA_ACTIVITIES = 5
# Three years of tertials in the area's status over time.
AREA_PERIODS = 9


def _timeline(omrade: Omrade, resident: Viewer) -> list[Publicering]:
    """The version in force of each of the area's latest follow-ups, newest period first, and
    one more period to know there are earlier ones.

    PostgreSQL walks the periods newest first and stops after the last one shown. Only the
    columns the page shows: the follow-up's texts and internal note stay in the database.
    """
    return list(
        Publicering.objects.current(resident)
        .filter(uppfoljning__omrade=omrade)
        .select_related("uppfoljning__period")
        .only(
            "status",
            *PUBLISHED_TEXTS,
            "publicerad_at",
            "uppfoljning__period__ar",
            "uppfoljning__period__tertial",
        )
        .newest_first()[: AREA_PERIODS + 1]
    )


# Only what the activity lists show, as dicts.
_ACTIVITY_COLUMNS = ("pk", "titel", "titel_en", "datum", "starttid", "plats", "teman")


@public_cache
@require_safe
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    omrade, uppdrag = _get_omrade_for_user(request, slug)
    # The page shows everyone what residents see, staff looking at a hidden area included.
    resident = viewer_of(request).as_resident()
    # The status over the last few periods; older ones are on /uppfoljning/, year by year.
    timeline = _timeline(omrade, resident)
    period_url = address_for("uppfoljning:period")
    for pub in timeline:
        pub.period_url = period_url(pub.uppfoljning.period.slug)

    # A few activities each way, and one more to know there are more; the full list is
    # /aktiviteter/. Keeps the page small however many activities an area gathers.
    activities = Aktivitet.objects.visible_to(resident).filter(omraden=omrade)
    today = resident.today
    coming = list(
        activities.filter(datum__gte=today)
        .order_by("datum", "starttid")
        .values(*_ACTIVITY_COLUMNS)[: AREA_ACTIVITIES + 1]
    )
    past = list(
        activities.filter(datum__lt=today)
        .order_by("-datum", "-starttid")
        .values(*_ACTIVITY_COLUMNS)[: AREA_ACTIVITIES + 1]
    )
    activity_url = address_for("omraden:aktivitet", INT)
    for a in coming + past:
        a["url"] = activity_url(a["pk"])

    ctx = {
        "omrade": omrade,
        # The political assignments the area's work carries out (Uppdrag.omraden).
        "uppdrag": uppdrag,
        "latest": timeline[0] if timeline else None,
        # Oldest first: a timeline reads in the order things happened.
        "timeline": timeline[:AREA_PERIODS][::-1],
        "earlier_periods": len(timeline) > AREA_PERIODS,
        "faser": Fas.objects.all(),
        "paverkansnivaer": Omrade.Paverkan,
        # The leaders' names and titles only (no contact details).
        "ledartrojor": Ledartroja.objects.filter(omrade=omrade, aktiv=True)
        .order_by("slot")
        .values(namn=F("person__namn"), titel=F("person__titel"), fiktiv=F("person__fiktiv")),
        "initiativ": Initiativ.objects.visible_to(resident)
        .filter(omrade=omrade)
        .order_by("fas__ordning")
        .values("titel", "beskrivning", fas_namn=F("fas__namn")),
        "coming": coming[:AREA_ACTIVITIES],
        "past": past[:AREA_ACTIVITIES],
        "more_activities": len(coming) > AREA_ACTIVITIES or len(past) > AREA_ACTIVITIES,
        # Residents' input: the form (this area preselected) and a page of the input shown.
        "inspel_form": InspelForm(fixed_omrade=omrade),
        "inspel_sida": public_inspel_page(request, omrade),
        # The area's indicators with their latest values.
        "indikatorer": latest_values(
            Indikator.objects.visible_to(resident).with_values().filter(omrade=omrade)
        ),
    }
    return render(request, "omraden/detail.html", ctx)


# Activities a page of /aktiviteter/ lists each way: the page stays small however many
# activities the years gather (10,000 made a 1.9 MB page that took seconds to render).
ACTIVITIES_PER_PAGE = 50


@public_cache
@require_safe
def aktiviteter(request: HttpRequest) -> HttpResponse:
    """Public activities, coming (soonest first) and past (latest first), a page of each,
    grouped by the area they belong to."""
    resident = viewer_of(request).as_resident()
    activities = Aktivitet.objects.visible_to(resident).prefetch_related(
        Prefetch("omraden", queryset=Omrade.objects.visible_to(resident).order_by("nummer"))
    )
    today = resident.today
    coming = Paginator(
        activities.filter(datum__gte=today).order_by("datum", "starttid", "pk"),
        ACTIVITIES_PER_PAGE,
    ).get_page(request.GET.get("kommande"))
    past = Paginator(
        activities.filter(datum__lt=today).order_by("-datum", "-starttid", "-pk"),
        ACTIVITIES_PER_PAGE,
    ).get_page(request.GET.get("tidigare"))
    ctx = {
        "coming": _by_area(list(coming)),
        "coming_page": coming,
        "past": _by_area(list(past)),
        "past_page": past,
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
    # Logged-in staff may open an activity that is not public; residents only a visible one.
    activities = Aktivitet.objects.visible_to(viewer_of(request))
    aktivitet = get_object_or_404(aktivitet_with_seats(activities), pk=pk)
    return render(request, "omraden/aktivitet.html", aktivitet_context(request, aktivitet))
