from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from omraden.deltagande_views import aktivitet_context, aktivitet_with_seats, public_inspel_page
from omraden.forms import InspelForm
from omraden.models import Aktivitet, Fas, Initiativ, Ledartroja, Omrade
from portal import roles
from portal.lib.compiled import compiled
from portal.lib.urls import INT, address_for
from portal.page_cache import public_cache
from portal.viewer import Viewer
from uppfoljning.indikator_views import latest_values
from uppfoljning.models import Indikator, Publicering

# The area page's queries, each compiled once per connection (portal/lib/compiled.py): it is
# the portal's most visited page, and building its querysets cost more than running them.


@compiled(shape=("staff",))
def _area(*, slug: str, staff: bool) -> QuerySet[Omrade]:
    # Logged-in staff may see areas that are not yet public; residents only public ones.
    areas = Omrade.objects.all() if staff else Omrade.objects.public()
    return areas.select_related("fadder", "fas").with_input_count().filter(slug=slug)


def _get_omrade_for_user(request: HttpRequest, slug: str) -> Omrade:
    found = _area(slug=slug, staff=roles.can_view_staff_pages(request.user))
    if not found:
        raise Http404("No such area")
    return found[0]


AREA_ACTIVITIES = 5
# Three years of tertials in the area's status over time.
AREA_PERIODS = 9


@compiled
def _timeline(*, omrade: int, now: dt.datetime) -> QuerySet[Publicering]:
    """The version visible now of each of the area's latest follow-ups, newest period first.

    current(), not latest_public(): only for an area known to be public (so no join on it;
    staff may see a hidden area, whose follow-ups stay unpublished until it is public).
    PostgreSQL walks the periods newest first and stops after the last one shown. Only the
    columns the page shows: the follow-up's texts and internal note stay in the database.
    """
    return (
        Publicering.objects.current(Viewer.resident(now))
        .filter(uppfoljning__omrade=omrade)
        .select_related("uppfoljning__period")
        .only(
            "status",
            "sammanfattning",
            "orsak",
            "atgarder",
            "publicerad_at",
            "uppfoljning__period__ar",
            "uppfoljning__period__tertial",
        )
        .newest_first()[: AREA_PERIODS + 1]
    )


# Only what the activity lists show, as dicts: cheaper to build than model instances.
_ACTIVITY_COLUMNS = ("pk", "titel", "datum", "starttid", "plats", "teman")


@compiled
def _coming(*, omrade: int, today: dt.date) -> QuerySet[Aktivitet]:
    return (
        Aktivitet.objects.public()
        .filter(omraden=omrade, datum__gte=today)
        .order_by("datum", "starttid")
        .values(*_ACTIVITY_COLUMNS)[: AREA_ACTIVITIES + 1]
    )


@compiled
def _past(*, omrade: int, today: dt.date) -> QuerySet[Aktivitet]:
    return (
        Aktivitet.objects.public()
        .filter(omraden=omrade, datum__lt=today)
        .order_by("-datum", "-starttid")
        .values(*_ACTIVITY_COLUMNS)[: AREA_ACTIVITIES + 1]
    )


@compiled
def _phases() -> QuerySet[Fas]:
    return Fas.objects.all()


@compiled
def _leaders(*, omrade: int) -> QuerySet[Ledartroja]:
    # The leaders' names and titles only (no contact details), as dicts.
    return (
        Ledartroja.objects.filter(omrade=omrade, aktiv=True)
        .order_by("slot")
        .values(namn=F("person__namn"), titel=F("person__titel"), fiktiv=F("person__fiktiv"))
    )


@compiled
def _initiatives(*, omrade: int) -> QuerySet[Initiativ]:
    return (
        Initiativ.objects.filter(omrade=omrade, publik=True)
        .order_by("fas__ordning")
        .values("titel", "beskrivning", fas_namn=F("fas__namn"))
    )


@compiled
def _indicators(*, omrade: int) -> QuerySet[Indikator]:
    # The area is visible, so are its indicators.
    return Indikator.objects.with_values().filter(omrade=omrade)


@public_cache
@require_safe
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    omrade = _get_omrade_for_user(request, slug)
    now = timezone.now()
    # The status over the last few periods; older ones are on /uppfoljning/, year by year.
    timeline = _timeline(omrade=omrade.pk, now=now) if omrade.publik else []
    period_url = address_for("uppfoljning:period")
    for pub in timeline:
        pub.period_url = period_url(pub.uppfoljning.period.slug)

    # A few activities each way; the full list is /aktiviteter/. Keeps the page small
    # however many activities an area gathers over the years.
    today = timezone.localdate(now)
    coming = _coming(omrade=omrade.pk, today=today)
    past = _past(omrade=omrade.pk, today=today)
    activity_url = address_for("omraden:aktivitet", INT)
    for a in coming + past:
        a["url"] = activity_url(a["pk"])
    ctx = {
        "omrade": omrade,
        "latest": timeline[0] if timeline else None,
        # Oldest first: a timeline reads in the order things happened.
        "timeline": timeline[:AREA_PERIODS][::-1],
        "earlier_periods": len(timeline) > AREA_PERIODS,
        "faser": _phases(),
        "paverkansnivaer": Omrade.Paverkan,
        "ledartrojor": _leaders(omrade=omrade.pk),
        "initiativ": _initiatives(omrade=omrade.pk),
        "coming": coming[:AREA_ACTIVITIES],
        "past": past[:AREA_ACTIVITIES],
        "more_activities": len(coming) > AREA_ACTIVITIES or len(past) > AREA_ACTIVITIES,
        # Residents' input: the form (this area preselected) and the approved input.
        "inspel_form": InspelForm(fixed_omrade=omrade),
        "inspel_sida": public_inspel_page(request, omrade),
        # The area's indicators with their latest values.
        "indikatorer": latest_values(_indicators(omrade=omrade.pk)),
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
