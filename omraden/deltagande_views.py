"""Residents take part: input (/tyck-till/), its moderation, and activity sign-ups.

Kept apart from views.py (the public area pages) because these views write. Every write is
an ordinary form: POST/redirect/GET for a plain browser, the form's partial for htmx.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from granskning import audit
from granskning.models import Granskningslogg
from omraden import services
from omraden.forms import (
    AktivitetUppfoljningForm,
    AnmalanForm,
    AnswerForm,
    ApproveForm,
    InspelForm,
    LinkForm,
    RejectForm,
)
from omraden.models import Aktivitet, Anmalan, Initiativ, Inspel, Omrade
from portal import roles
from portal.lib import csvsafe, pii
from portal.page_cache import public_cache
from portal.viewer import viewer_of

PER_PAGE = 10


def wants_fragment(request: HttpRequest) -> bool:
    # History-restore requests also send HX-Request: they need the full page.
    return bool(request.htmx) and not request.htmx.history_restore_request


def public_inspel_page(request: HttpRequest, omrade: Omrade | None = None) -> Page:
    """One page of the input residents see, newest first: two queries (count, rows).

    On an area's page that area's input; on /tyck-till/ all of it. Only the columns the list
    shows; a linked initiative is named only where residents may see it.
    """
    resident = viewer_of(request).as_resident()
    inspel = Inspel.objects.visible_to(resident)
    if omrade is not None:
        inspel = inspel.filter(omrade=omrade)
    shown_initiative = Initiativ.objects.visible_to(resident).filter(pk=OuterRef("initiativ"))
    rows = (
        inspel.select_related("omrade", "initiativ", "uppfoljning__period")
        .only(*_LIST_COLUMNS)
        .annotate(initiativ_visas=Exists(shown_initiative))
        .order_by("-skapad", "-pk")
    )
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("sida"))


_LIST_COLUMNS = (
    "typ",
    "skapad",
    "namn",
    "visa_namn",
    "publicerad_text",
    "svar",
    "omrade__kortnamn",
    "initiativ__titel",
    "uppfoljning__period__ar",
    "uppfoljning__period__tertial",
)


# Resident input


FORM_PARTIAL = "omraden/_inspel_form.html#inspel-formular"


@public_cache
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def tyck_till(request: HttpRequest) -> HttpResponse:
    status = 200
    rate_limited = False
    if request.method == "POST":
        form = InspelForm(request.POST)
        if services.over_rate_limit(request, group="inspel", rate=settings.INSPEL_RATE):
            # Keep what the resident wrote: the same form, bound, with a message on top.
            rate_limited = True
            status = 429
        elif form.is_spam:
            # A bot filled in the honeypot: answer as if all went well, save nothing.
            return _thanks(request)
        elif form.is_valid():
            services.inspel_create(data=form.inspel_data())
            return _thanks(request)
    else:
        initial = {}
        slug = request.GET.get("omrade")
        if slug:
            areas = Omrade.objects.visible_to(viewer_of(request).as_resident())
            initial["omrade"] = areas.filter(slug=slug).first()
        form = InspelForm(initial=initial)
    ctx = {"form": form, "rate_limited": rate_limited}
    if wants_fragment(request):
        return render(request, FORM_PARTIAL, ctx, status=status)
    ctx["inspel_sida"] = public_inspel_page(request)
    return render(request, "omraden/tyck_till.html", ctx, status=status)


def _thanks(request: HttpRequest) -> HttpResponse:
    if wants_fragment(request):
        return render(request, FORM_PARTIAL, {"tack": True})
    return redirect("omraden:tyck_till_tack")


@require_safe
def tyck_till_tack(request: HttpRequest) -> HttpResponse:
    ctx = {"tack": True, "inspel_sida": public_inspel_page(request)}
    return render(request, "omraden/tyck_till.html", ctx)


# Moderation (staff)


def _require_moderation(request: HttpRequest) -> frozenset[int] | None:
    if not roles.can_use_moderation(request.user):
        raise PermissionDenied
    return roles.moderated_area_ids(request.user)


@require_safe
@login_required
def moderering(request: HttpRequest) -> HttpResponse:
    area_ids = _require_moderation(request)
    qs = Inspel.objects.for_areas(area_ids).select_related("omrade")
    waiting = Paginator(qs.waiting(), 25).get_page(request.GET.get("sida"))
    handled = list(qs.exclude(status=Inspel.Status.NY).order_by("-skapad", "-pk")[:25])
    ctx = {"waiting": waiting, "handled": handled}
    return render(request, "omraden/moderering.html", ctx)


def _get_inspel_for_moderator(request: HttpRequest, pk: int) -> Inspel:
    inspel = get_object_or_404(
        Inspel.objects.select_related(
            "omrade", "initiativ", "uppfoljning__period", "aktivitet", "besvarad_av"
        ),
        pk=pk,
    )
    if not roles.can_moderate(request.user, inspel.omrade):
        raise PermissionDenied
    return inspel


@login_required
@require_http_methods(["GET", "POST"])
def moderera(request: HttpRequest, pk: int) -> HttpResponse:
    """One input with its four actions: approve, reject, answer, link."""
    inspel = _get_inspel_for_moderator(request, pk)
    # The text to publish starts as the received text with personal data masked.
    masked, findings = pii.mask(inspel.text)
    forms: dict[str, Any] = {
        "approve": ApproveForm(initial={"publicerad_text": inspel.publicerad_text or masked}),
        "reject": RejectForm(initial={"avvisningsorsak": inspel.avvisningsorsak}),
        "answer": AnswerForm(initial={"svar": inspel.svar}),
        "link": LinkForm(
            inspel=inspel,
            initial={"initiativ": inspel.initiativ_id, "uppfoljning": inspel.uppfoljning_id},
        ),
    }
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "approve":
            form = forms["approve"] = ApproveForm(request.POST)
            if form.is_valid():
                services.inspel_approve(
                    inspel=inspel,
                    publicerad_text=form.cleaned_data["publicerad_text"],
                    by=request.user,
                )
                return redirect("omraden:moderera", pk=inspel.pk)
        elif action == "reject":
            form = forms["reject"] = RejectForm(request.POST)
            if form.is_valid():
                services.inspel_reject(
                    inspel=inspel, reason=form.cleaned_data["avvisningsorsak"], by=request.user
                )
                return redirect("omraden:moderera", pk=inspel.pk)
        elif action == "answer":
            form = forms["answer"] = AnswerForm(request.POST)
            if form.is_valid():
                services.inspel_answer(
                    inspel=inspel, text=form.cleaned_data["svar"], by=request.user
                )
                return redirect("omraden:moderera", pk=inspel.pk)
        elif action == "link":
            form = forms["link"] = LinkForm(request.POST, inspel=inspel)
            if form.is_valid():
                services.inspel_link(
                    inspel=inspel,
                    initiativ=form.cleaned_data["initiativ"],
                    uppfoljning=form.cleaned_data["uppfoljning"],
                    by=request.user,
                )
                return redirect("omraden:moderera", pk=inspel.pk)
        else:
            return HttpResponse(status=400)
    ctx = {
        "inspel": inspel,
        "forms": forms,
        "findings": findings,
        "received": pii.segments(inspel.text, findings),
        "besked_minuter": -(-settings.INSPEL_MEDDELANDE_FONSTER // 60),
    }
    return render(request, "omraden/moderera.html", ctx)


EXPORT_FIELDS = [
    "id",
    "skapad",
    "typ",
    "omrade",
    "status",
    "text",
    "publicerad_text",
    "namn",
    "epost",
    "visa_namn",
    "avvisningsorsak",
    "svar",
    "besvarad_at",
    "initiativ",
    "uppfoljning",
    "aktivitet",
    "stangd_at",
    "gallrad_at",
]


def _export_rows(area_ids: frozenset[int] | None) -> list[dict[str, Any]]:
    qs = (
        Inspel.objects.for_areas(area_ids)
        .select_related("omrade", "initiativ", "uppfoljning__period", "aktivitet")
        .order_by("skapad", "pk")
    )
    rows = []
    for i in qs:
        rows.append(
            {
                "id": i.pk,
                "skapad": i.skapad.isoformat(),
                "typ": i.typ,
                "omrade": i.omrade.slug if i.omrade else "",
                "status": i.status,
                "text": i.text,
                "publicerad_text": i.publicerad_text,
                "namn": i.namn,
                "epost": i.epost,
                "visa_namn": i.visa_namn,
                "avvisningsorsak": i.avvisningsorsak,
                "svar": i.svar,
                "besvarad_at": i.besvarad_at.isoformat() if i.besvarad_at else "",
                "initiativ": i.initiativ.titel if i.initiativ else "",
                "uppfoljning": str(i.uppfoljning) if i.uppfoljning else "",
                "aktivitet": i.aktivitet.titel if i.aktivitet else "",
                "stangd_at": i.stangd_at.isoformat() if i.stangd_at else "",
                "gallrad_at": i.gallrad_at.isoformat() if i.gallrad_at else "",
            }
        )
    return rows


@require_safe
@login_required
def inspel_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """All input the user moderates, received and published text, for the records system."""
    area_ids = _require_moderation(request)
    rows = _export_rows(area_ids)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "json":
        response: HttpResponse = JsonResponse(
            {"inspel": rows}, json_dumps_params={"ensure_ascii": False, "indent": 1}
        )
    elif fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")  # Excel opens UTF-8 correctly only with a BOM.
        # Residents' text that a spreadsheet would run as a formula is quoted (csvsafe).
        writer = csvsafe.DictWriter(response, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    else:
        raise Http404
    # Residents' input leaves the portal: who took it, when and how much is audited.
    audit(action=Granskningslogg.Handling.EXPORT, request=request, format=fmt, rader=len(rows))
    response["Content-Disposition"] = f'attachment; filename="inspel-{stamp}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


# Activities: sign-up, cancel, closing the loop


def aktivitet_with_seats(queryset: Any) -> Any:
    """Annotate the number of confirmed and waiting sign-ups (in the same query)."""
    return queryset.annotate(
        bekraftade=Count("anmalningar", filter=Q(anmalningar__status=Anmalan.Status.BEKRAFTAD)),
        vantande=Count("anmalningar", filter=Q(anmalningar__status=Anmalan.Status.VANTELISTA)),
    )


def takes_sign_ups(aktivitet: Aktivitet) -> bool:
    return (
        aktivitet.oppen_for_invanare
        and aktivitet.kapacitet is not None
        and aktivitet.datum >= timezone.localdate()
    )


def aktivitet_context(
    request: HttpRequest, aktivitet: Aktivitet, *, anmalan_form: AnmalanForm | None = None
) -> dict[str, Any]:
    """The activity page: its areas, sign-up and, once held, how the loop was closed.

    Queries: the activity with its seat counts (by the caller), its areas and the input it
    produced that residents see.
    """
    resident = viewer_of(request).as_resident()
    omraden = list(aktivitet.omraden.visible_to(resident).order_by("nummer"))
    is_past = aktivitet.datum < timezone.localdate()
    open_for_sign_up = takes_sign_ups(aktivitet)
    return {
        "aktivitet": aktivitet,
        "omraden": omraden,
        "is_past": is_past,
        "open_for_sign_up": open_for_sign_up,
        "seats_left": (
            max(aktivitet.kapacitet - aktivitet.bekraftade, 0)
            if aktivitet.kapacitet is not None
            else None
        ),
        "anmalan_form": anmalan_form or (AnmalanForm() if open_for_sign_up else None),
        "producerade_inspel": list(
            Inspel.objects.visible_to(resident)
            .filter(aktivitet=aktivitet)
            .only("publicerad_text", "svar")
            .order_by("-skapad", "-pk")
        ),
        "can_edit_aktivitet": roles.can_edit_aktivitet(request.user, {o.pk for o in omraden}),
    }


@require_POST
def anmal(request: HttpRequest, pk: int) -> HttpResponse:
    # Residents sign up for the activities they see, staff included.
    activities = Aktivitet.objects.visible_to(viewer_of(request).as_resident())
    aktivitet = get_object_or_404(aktivitet_with_seats(activities), pk=pk)
    if not takes_sign_ups(aktivitet):
        raise Http404
    form = AnmalanForm(request.POST)
    status = 200
    rate_limited = False
    if services.over_rate_limit(request, group="anmalan", rate=settings.ANMALAN_RATE):
        rate_limited = True
        status = 429
    elif form.is_spam:
        return redirect("omraden:aktivitet", pk=pk)
    elif form.is_valid():
        anmalan = services.anmalan_create(
            aktivitet_id=aktivitet.pk,
            namn=form.cleaned_data["namn"],
            epost=form.cleaned_data["epost"],
            behov=form.cleaned_data["behov"],
        )
        return redirect("omraden:anmalan", token=anmalan.token)
    ctx = aktivitet_context(request, aktivitet, anmalan_form=form)
    ctx["rate_limited"] = rate_limited
    return render(request, "omraden/aktivitet.html", ctx, status=status)


@require_http_methods(["GET", "POST"])
def anmalan(request: HttpRequest, token: str) -> HttpResponse:
    """The personal page of a sign-up: its status, and a form to cancel (POST cancels)."""
    found = get_object_or_404(Anmalan.objects.select_related("aktivitet"), token=token)
    if request.method == "POST":
        services.anmalan_cancel(token=token)
        return redirect("omraden:anmalan", token=token)
    return render(request, "omraden/anmalan.html", {"anmalan": found})


@login_required
@require_http_methods(["GET", "POST"])
def aktivitet_uppfoljning(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff record minutes, participants, the input produced and a feedback-by date."""
    aktivitet = get_object_or_404(Aktivitet.objects.prefetch_related("omraden"), pk=pk)
    if not roles.can_edit_aktivitet(request.user, {o.pk for o in aktivitet.omraden.all()}):
        raise PermissionDenied
    form = AktivitetUppfoljningForm(request.POST or None, instance=aktivitet)
    if request.method == "POST" and form.is_valid():
        # One transaction: the public page cache is invalidated when it commits (the
        # activity's save), after the input links below are written too.
        with transaction.atomic():
            form.save()
            # Before the activity the form has no input to link (AktivitetUppfoljningForm).
            if "inspel" in form.cleaned_data:
                chosen = [i.pk for i in form.cleaned_data["inspel"]]
                aktivitet.inspel.exclude(pk__in=chosen).update(aktivitet=None)
                Inspel.objects.filter(pk__in=chosen).update(aktivitet=aktivitet)
        return redirect("omraden:aktivitet", pk=aktivitet.pk)
    return render(
        request, "omraden/aktivitet_uppfoljning.html", {"aktivitet": aktivitet, "form": form}
    )
