from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from omraden.deltagande_views import aktivitet_context, aktivitet_with_seats, public_inspel_page
from omraden.forms import InspelForm
from omraden.models import Aktivitet, Omrade
from uppfoljning.models import Publicering


def _get_omrade_for_user(request: HttpRequest, slug: str) -> Omrade:
    # Logged-in staff may see areas that are not yet public; residents only public ones.
    areas = Omrade.objects.all() if request.user.is_authenticated else Omrade.objects.public()
    return get_object_or_404(areas.select_related("fadder", "fas"), slug=slug)


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    omrade = _get_omrade_for_user(request, slug)
    publications = (
        Publicering.objects.public()
        .filter(uppfoljning__omrade=omrade)
        .select_related("uppfoljning__period")
        .newest_first()
    )
    # The latest publication per period, newest period first: the status over time.
    timeline: list[Publicering] = []
    seen_periods: set[int] = set()
    for pub in publications:
        if pub.uppfoljning.period_id not in seen_periods:
            seen_periods.add(pub.uppfoljning.period_id)
            timeline.append(pub)

    today = timezone.localdate()
    activities = list(Aktivitet.objects.public().filter(omraden=omrade))
    ctx = {
        "omrade": omrade,
        "latest": timeline[0] if timeline else None,
        "timeline": timeline,
        "ledartrojor": list(
            omrade.ledartrojor.filter(aktiv=True).select_related("person").order_by("slot")
        ),
        "initiativ": list(
            omrade.initiativ.filter(publik=True).select_related("fas").order_by("fas__ordning")
        ),
        "coming": [a for a in activities if a.datum >= today],
        "past": [a for a in activities if a.datum < today][::-1],
        # Residents' input: the form (this area preselected) and the approved input.
        "inspel_form": InspelForm(fixed_omrade=omrade),
        "inspel_sida": public_inspel_page(request, omrade),
    }
    return render(request, "omraden/detail.html", ctx)


def aktivitet(request: HttpRequest, pk: int) -> HttpResponse:
    activities = (
        Aktivitet.objects.all() if request.user.is_authenticated else Aktivitet.objects.public()
    )
    aktivitet = get_object_or_404(aktivitet_with_seats(activities), pk=pk)
    return render(request, "omraden/aktivitet.html", aktivitet_context(request, aktivitet))
