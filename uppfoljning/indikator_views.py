"""Indicators: the public pages with charts, and the staff pages for manual values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal import roles
from portal.page_cache import public_cache
from portal.viewer import viewer_of
from uppfoljning.charts import (
    Senaste,
    build_chart,
    build_sparkline,
    fmt,
    latest,
    source_text,
    summary,
    table_rows,
)
from uppfoljning.indikator_forms import MatvardeForm
from uppfoljning.models import Indikator, Matvarde, attach_values

# Indicators per page of the public list: the ten of the municipal plan fit on the first page,
# as many as a page of residents' input holds; a page of ten cards costs the same however
# many indicators there are.
PER_PAGE = 10


def _baseline(indikator: Indikator) -> Senaste | None:
    """The baseline of the municipal plan, formatted as a value is."""
    if not indikator.startlage_ar:
        return None
    return Senaste(
        indikator.startlage_ar,
        fmt(indikator.startlage_kommun, indikator.enhet),
        fmt(indikator.startlage_riket, indikator.enhet),
        source_text(indikator, "startlage"),
    )


def present(indikator: Indikator) -> dict[str, Any]:
    """Everything the indicator's page shows of it (from prefetched values)."""
    punkter = indikator.serie()
    rows = table_rows(indikator, punkter)
    return {
        "indikator": indikator,
        "baseline": _baseline(indikator),
        "latest": latest(indikator, punkter),
        "chart": build_chart(indikator, punkter) if indikator.has_figures else None,
        "summary": summary(indikator, punkter),
        "rows": rows,
        # Every source in the chart, in order of appearance, so the chart itself names them.
        "sources": list(dict.fromkeys(r.kalla for r in rows)),
    }


def present_card(indikator: Indikator) -> dict[str, Any]:
    """One indicator on the list page: its facts and a small trend line, no table.

    The list stays small however many years of values there are; the indicator's own page
    (present()) holds the chart, the summary and the table of every year.
    """
    punkter = indikator.serie()
    return {
        "indikator": indikator,
        "baseline": _baseline(indikator),
        "latest": latest(indikator, punkter),
        "sparkline": build_sparkline(indikator, punkter) if indikator.has_figures else None,
        "years": len(punkter),
    }


def latest_values(indikatorer: Iterable[Indikator]) -> list[dict[str, Any]]:
    """For the area and assignment pages: each indicator with its latest value.

    Pass `Indikator.objects.visible_to(viewer).with_values().filter(...)`: two queries in all.
    """
    return [{"indikator": i, "latest": latest(i)} for i in indikatorer]


# Public pages


@public_cache
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    resident = viewer_of(request).as_resident()
    # Ordered as the open data file of indicators is; the pk makes the pages stable when two
    # indicators share an order number. An invalid ?sida= gives the first page and one past
    # the end the last, as on the other lists (Paginator.get_page).
    qs = Indikator.objects.visible_to(resident).select_related("uppdrag").order_by("ordning", "pk")
    # 1: the number of visible indicators; 2: the page's indicators with their assignment
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("sida"))
    # 3: the years and figures of the page's indicators
    indikatorer = attach_values(list(page.object_list))
    ctx = {"items": [present_card(i) for i in indikatorer], "page": page}
    return render(request, "uppfoljning/indikatorer.html", ctx)


@public_cache
@require_safe
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    resident = viewer_of(request).as_resident()
    indikator = get_object_or_404(Indikator.objects.visible_to(resident).with_values(), slug=slug)
    ctx = {"item": present(indikator)}
    return render(request, "uppfoljning/indikator.html", ctx)


# Staff pages (arbetsyta)


def _require_staff(request: HttpRequest) -> None:
    if not roles.can_view_staff_pages(request.user):
        raise PermissionDenied


@require_safe
@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    indikatorer = Indikator.objects.visible_to(viewer_of(request)).with_values()
    ctx = {
        "items": latest_values(indikatorer),
        "may_enter": roles.can_enter_indicator_values(request.user),
    }
    return render(request, "uppfoljning/arbetsyta_indikatorer.html", ctx)


@login_required
def workspace_detail(request: HttpRequest, slug: str) -> HttpResponse:
    _require_staff(request)
    indikator = get_object_or_404(
        Indikator.objects.visible_to(viewer_of(request)).with_values(), slug=slug
    )
    may_enter = roles.can_enter_indicator_values(request.user) and indikator.accepts_manual_values
    varden = list(indikator.varden.all())
    editing: Matvarde | None = None

    if request.method == "POST":
        if not may_enter:
            raise PermissionDenied
        form = MatvardeForm(request.POST, indikator=indikator, varden=varden)
        if form.is_valid():
            _row, change = indikator.set_value(
                ar=form.cleaned_data["ar"],
                kommun=form.cleaned_data["kommun"],
                riket=form.cleaned_data["riket"],
                kalla=Matvarde.Kalla.MANUELL,
            )
            notes = {
                "created": _("The value for %(year)s is saved."),
                "updated": _("The value for %(year)s is updated."),
                "unchanged": _("The value for %(year)s was already saved; nothing changed."),
            }
            messages.success(request, notes[change] % {"year": form.cleaned_data["ar"]})
            return redirect("indikatorer:workspace_detail", slug=indikator.slug)
        # An invalid form is shown again with its errors, with status 200.
        editing = next((v for v in varden if str(v.ar) == request.POST.get("original_ar")), None)
    else:
        editing = next((v for v in varden if str(v.ar) == request.GET.get("ar")), None)
        form = MatvardeForm(indikator=indikator, varden=varden, instance=editing)

    ctx = {
        "indikator": indikator,
        "rows": table_rows(indikator, indikator.serie()),
        "form": form,
        "editing": editing,
        "may_enter": may_enter,
        "stored_years": [v.ar for v in varden if v.kalla == Matvarde.Kalla.MANUELL],
    }
    return render(request, "uppfoljning/arbetsyta_indikator.html", ctx)
