"""The staff workspace (/arbetsyta/): the status matrix and the follow-up page.

Every view asks portal.roles; every write goes through uppfoljning.services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from omraden.models import Omrade
from portal import roles
from portal.viewer import viewer_of
from uppfoljning import services
from uppfoljning.models import (
    Historik,
    Period,
    Publicering,
    Uppdrag,
    Uppfoljning,
)
from uppfoljning.staff_forms import CellForm, UppfoljningForm

TEMPLATE = "uppfoljning/arbetsyta.html"
PAGE_TEMPLATE = "uppfoljning/arbetsyta_uppfoljning.html"
FIELD_LABELS = {
    "status": gettext_lazy("status"),
    "sammanfattning": gettext_lazy("public summary"),
    "orsak": gettext_lazy("cause"),
    "atgarder": gettext_lazy("actions taken"),
    "intern_anteckning": gettext_lazy("internal note"),
    "tillstand": gettext_lazy("state"),
    "publicera_fran": gettext_lazy("publish from"),
}


def wants_fragment(request: HttpRequest) -> bool:
    # History-restore requests also send HX-Request: they need the whole page.
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _staff_only(request: HttpRequest) -> None:
    if not viewer_of(request).staff:
        raise PermissionDenied


# The matrix


@dataclass
class Cell:
    """One area or assignment in the open period, as shown (and edited) in the matrix."""

    key: str
    kind: str
    subject: Omrade | Uppdrag
    period: Period
    uppf: Uppfoljning | None
    can_edit: bool
    # The status form: unbound with the follow-up as saved, or the posted one with its errors.
    form: CellForm | None = None
    conflict: services.StaleVersion | None = None
    changes: list[dict[str, str]] = field(default_factory=list)
    saved: bool = False
    overdue: bool = False
    published: bool = False

    @property
    def editor(self) -> str:
        return (
            services.display_name(self.uppf.andrad_av) if self.uppf and self.uppf.andrad_av else "–"
        )


def _annotated(qs: QuerySet[Uppfoljning]) -> QuerySet[Uppfoljning]:
    """Follow-ups with when their first version was published (None: never).

    One subquery (an index probe on `publicering_senaste`) answers both flags of a cell:
    whether any version is public yet and whether the first one came by the deadline.
    """
    first = (
        Publicering.objects.filter(uppfoljning=OuterRef("pk"))
        .order_by("publicerad_at")
        .values("publicerad_at")[:1]
    )
    return qs.annotate(forsta_publicering=Subquery(first))


def _published_in_time(period: Period, first: dt.datetime | None) -> bool:
    if first is None or period.deadline is None:
        return False
    return first <= timezone.make_aware(dt.datetime.combine(period.deadline, dt.time.max))


def _cell(
    request: HttpRequest,
    period: Period,
    kind: str,
    subject: Any,
    uppf: Uppfoljning | None,
    form: CellForm | None = None,
) -> Cell:
    """A cell; `form` is a posted status form to show instead of the follow-up as saved."""
    candidate = uppf or Uppfoljning(
        period=period,
        omrade=subject if kind == "omrade" else None,
        uppdrag=subject if kind == "uppdrag" else None,
    )
    cell = Cell(
        key=f"{kind}-{subject.pk}",
        kind=kind,
        subject=subject,
        period=period,
        uppf=uppf,
        can_edit=roles.can_edit_uppfoljning(request.user, candidate),
    )
    first = uppf.forsta_publicering if uppf else None
    cell.published = first is not None
    cell.overdue = period.is_overdue() and not _published_in_time(period, first)
    if form is not None:
        cell.form = form
    elif cell.can_edit:
        initial = {"status": "", "orsak": "", "atgarder": "", "version": 0}
        if uppf:
            initial = {name: getattr(uppf, name) for name in initial}
        cell.form = CellForm(prefix=cell.key, initial=initial)
    return cell


def _open_period() -> Period | None:
    return (
        Period.objects.filter(tillstand=Period.Tillstand.OPPEN).order_by("-ar", "-tertial").first()
    )


def _cells(request: HttpRequest, period: Period) -> list[Cell]:
    """Every cell of the matrix, in three queries whatever the number of areas."""
    viewer = viewer_of(request)
    # order_by(): the rows are looked up by subject, so the default ordering's joins are waste.
    rows = _annotated(
        Uppfoljning.objects.visible_to(viewer)
        .filter(period=period)
        .select_related("andrad_av__person")
        .order_by()
    )
    by_omrade: dict[int, Uppfoljning] = {}
    by_uppdrag: dict[int, Uppfoljning] = {}
    for u in rows:
        u.period = period
        if u.omrade_id:
            by_omrade[u.omrade_id] = u
        else:
            by_uppdrag[u.uppdrag_id] = u
    areas = Omrade.objects.visible_to(viewer).only("nummer", "kortnamn").order_by("nummer")
    assignments = Uppdrag.objects.filter(overgripande=True).order_by("kommunplan_ar", "ordning")
    return [_cell(request, period, "omrade", o, by_omrade.get(o.pk)) for o in areas] + [
        _cell(request, period, "uppdrag", a, by_uppdrag.get(a.pk)) for a in assignments
    ]


@require_safe
@login_required
def matris(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    period = _open_period()
    ctx = {
        "period": period,
        "cells": _cells(request, period) if period else [],
        "can_administer": roles.can_administer(request.user),
    }
    return render(request, TEMPLATE, ctx)


def _subject(kind: str, pk: int) -> Omrade | Uppdrag:
    if kind == "omrade":
        return get_object_or_404(Omrade, pk=pk)
    if kind == "uppdrag":
        return get_object_or_404(Uppdrag, pk=pk)
    raise Http404


def _follow_up(period_id: int, kind: str, pk: int) -> QuerySet[Uppfoljning]:
    """The follow-up (at most one) of one area or assignment in a period, as a cell shows it."""
    # order_by(): a single row; the default ordering's joins would be waste.
    return _annotated(
        Uppfoljning.objects.filter(period_id=period_id, **{f"{kind}_id": pk})
        .select_related("andrad_av__person")
        .order_by()
    )


def _existing(period: Period, kind: str, subject: Any) -> Uppfoljning | None:
    uppf = _follow_up(period.pk, kind, subject.pk).first()
    if uppf is not None:
        uppf.period = period
    return uppf


def _lookup(
    period_id: int, kind: str, pk: int
) -> tuple[Period, Omrade | Uppdrag, Uppfoljning | None]:
    """The period, the area or assignment and its follow-up, if there is one yet.

    An existing follow-up brings its period and subject along in one query (a status changed
    again, the common case); only a first edit reads the period and the subject on their own.
    """
    if kind not in ("omrade", "uppdrag"):
        raise Http404
    uppf = _follow_up(period_id, kind, pk).select_related("period", kind).first()
    if uppf is not None:
        return uppf.period, getattr(uppf, kind), uppf
    return get_object_or_404(Period, pk=period_id), _subject(kind, pk), None


@require_POST
@login_required
@vary_on_headers("HX-Request")
def cell(request: HttpRequest, period_id: int, kind: str, pk: int) -> HttpResponse:
    """Set the status of one area or assignment in place; creates the follow-up on first edit."""
    period, subject, existing = _lookup(period_id, kind, pk)
    cell = _cell(request, period, kind, subject, existing)
    if not cell.can_edit:
        raise PermissionDenied
    form = CellForm(request.POST, prefix=cell.key)
    if form.is_valid():
        data = form.cleaned_data
        try:
            uppf, created = existing, False
            if uppf is None:
                uppf, created = services.uppfoljning_get_or_create(
                    period=period,
                    omrade=subject if kind == "omrade" else None,
                    uppdrag=subject if kind == "uppdrag" else None,
                    by=request.user,
                )
            version = uppf.version if created and data["version"] == 0 else data["version"]
            uppf = services.uppfoljning_save(
                uppfoljning=uppf,
                version=version,
                changes={k: data[k] for k in ("status", "orsak", "atgarder")},
                by=request.user,
            )
        except services.StaleVersion as stale:
            # Keep what the user chose; the next save is based on the version they now see.
            data = {**request.POST.dict(), f"{cell.key}-version": stale.current.version}
            conflict_form = CellForm(data, prefix=cell.key)
            conflict_form.is_valid()
            current = _existing(period, kind, subject)
            cell = _cell(request, period, kind, subject, current, conflict_form)
            cell.conflict = stale
            cell.changes = describe_changes(stale)
        except ValidationError as e:
            form.add_error(None, e)
            cell.form = form
        else:
            if not wants_fragment(request):
                messages.success(request, _("Saved: %(name)s.") % {"name": subject})
                return redirect(f"{reverse('arbetsyta:matris')}#{cell.key}")
            # The service updated the row read above in place, and a save changes no
            # publication: only a follow-up created just now is read again for its flags.
            if created:
                uppf = _existing(period, kind, subject)
            cell = _cell(request, period, kind, subject, uppf)
            cell.saved = True
    else:
        cell.form = form
    if wants_fragment(request):
        return render(request, f"{TEMPLATE}#status-cell", {"cell": cell, "period": period})
    # Without JavaScript: the whole matrix again, with this cell's errors or conflict.
    cells = [cell if c.key == cell.key else c for c in _cells(request, period)]
    ctx = {"period": period, "cells": cells, "can_administer": roles.can_administer(request.user)}
    return render(request, TEMPLATE, ctx)


@require_POST
@login_required
def ny(request: HttpRequest, period_id: int, kind: str, pk: int) -> HttpResponse:
    """Open the follow-up page of an area or assignment, creating the follow-up on first edit."""
    period = get_object_or_404(Period, pk=period_id)
    subject = _subject(kind, pk)
    uppf, _created = services.uppfoljning_get_or_create(
        period=period,
        omrade=subject if kind == "omrade" else None,
        uppdrag=subject if kind == "uppdrag" else None,
        by=request.user,
    )
    return redirect("arbetsyta:uppfoljning", pk=uppf.pk)


# The follow-up page


def _get_uppfoljning(request: HttpRequest, pk: int) -> Uppfoljning:
    _staff_only(request)
    return get_object_or_404(
        Uppfoljning.objects.visible_to(viewer_of(request)).select_related(
            "period", "omrade", "uppdrag", "andrad_av__person"
        ),
        pk=pk,
    )


def _value_text(field_name: str, value: Any) -> str:
    if field_name == "status":
        return services.status_label(value or "")
    if field_name == "tillstand":
        return str(Uppfoljning.Tillstand(value).label) if value else ""
    if field_name == "publicera_fran" and value:
        return formats.date_format(
            timezone.localtime(dt.datetime.fromisoformat(value)), "j F Y H:i"
        )
    return str(value or "")


def describe_changes(stale: services.StaleVersion) -> list[dict[str, str]]:
    """What the other person changed, field by field, in words for the conflict message."""
    return [
        {
            "label": str(FIELD_LABELS.get(c.field, c.field)),
            "before": _value_text(c.field, c.before),
            "after": _value_text(c.field, c.after),
        }
        for c in stale.changes
    ]


def timeline(uppf: Uppfoljning) -> list[dict[str, Any]]:
    """The history as sentences, oldest first: one query with the editors' names."""
    entries = []
    for row in Historik.objects.filter(uppfoljning=uppf).select_related("av__person"):
        who = services.display_name(row.av)
        parts: list[str] = []
        if row.handling == Historik.Handling.SKAPAD:
            parts.append(_("created the follow-up"))
        elif row.handling == Historik.Handling.KLAR:
            parts.append(_("marked it ready for sign-off"))
        elif row.handling == Historik.Handling.PUBLICERAD:
            when = row.efter.get("publicera_fran") or row.fore.get("publicera_fran")
            if row.efter.get("publicera_fran"):
                parts.append(
                    _("published it, visible from %(when)s")
                    % {"when": _value_text("publicera_fran", when)}
                )
            else:
                parts.append(_("published it"))
        for name in row.efter if row.handling == Historik.Handling.ANDRAD else []:
            if name == "status":
                parts.append(
                    _("changed status from %(before)s to %(after)s")
                    % {
                        "before": _value_text("status", row.fore.get("status")),
                        "after": _value_text("status", row.efter.get("status")),
                    }
                )
            elif name == "tillstand":
                parts.append(
                    _("made it a draft again")
                    if row.efter[name] == Uppfoljning.Tillstand.UTKAST
                    else _("changed the state")
                )
            else:
                parts.append(_("changed the %(field)s") % {"field": FIELD_LABELS.get(name, name)})
        if not parts:
            parts.append(_("saved without changes"))
        entries.append({"row": row, "who": who, "text": ", ".join(parts), "version": row.version})
    return entries


def _page_ctx(request: HttpRequest, uppf: Uppfoljning, form: UppfoljningForm) -> dict[str, Any]:
    return {
        "uppf": uppf,
        "form": form,
        "can_edit": roles.can_edit_uppfoljning(request.user, uppf),
        "can_mark_ready": roles.can_mark_ready(request.user, uppf),
        "can_publish": roles.can_publish_uppfoljning(request.user, uppf),
        "reason": roles.edit_closed_reason(request.user, uppf),
        "timeline": timeline(uppf),
        # The newest version, scheduled ones included: what staff see (visible_to).
        "latest_public": Publicering.objects.visible_to(viewer_of(request))
        .filter(uppfoljning=uppf)
        .order_by("-pk")
        .first(),
        "editor": services.display_name(uppf.andrad_av) if uppf.andrad_av else "",
    }


def _initial(uppf: Uppfoljning) -> dict[str, Any]:
    return {f: getattr(uppf, f) for f in services.EDITABLE_FIELDS} | {"version": uppf.version}


@login_required
def uppfoljning(request: HttpRequest, pk: int) -> HttpResponse:
    uppf = _get_uppfoljning(request, pk)
    if request.method == "GET":
        return render(
            request,
            PAGE_TEMPLATE,
            _page_ctx(request, uppf, UppfoljningForm(initial=_initial(uppf))),
        )
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    if not roles.can_edit_uppfoljning(request.user, uppf):
        raise PermissionDenied
    handling = request.POST.get("handling", "spara")
    if handling == "publicera" and not roles.can_publish_uppfoljning(request.user, uppf):
        raise PermissionDenied
    form = UppfoljningForm(request.POST)
    conflict = None
    if form.is_valid():
        data = form.cleaned_data
        changes = {f: data[f] for f in services.EDITABLE_FIELDS}
        try:
            # Saving and then marking ready or publishing is one step: if the second part is
            # refused (no status yet), the save is undone too and the form shows why.
            with transaction.atomic():
                version = data["version"]
                if (
                    any(getattr(uppf, f) != v for f, v in changes.items())
                    or version != uppf.version
                ):
                    uppf = services.uppfoljning_save(
                        uppfoljning=uppf, version=version, changes=changes, by=request.user
                    )
                    version = uppf.version
                if handling == "klar":
                    services.uppfoljning_mark_ready(
                        uppfoljning=uppf, version=version, by=request.user
                    )
                    messages.success(request, _("Marked ready for sign-off."))
                elif handling == "publicera":
                    pub = services.uppfoljning_publish(
                        uppfoljning=uppf, version=version, by=request.user, at=form.publish_at()
                    )
                    if pub.publicerad_at > timezone.now():
                        messages.success(
                            request,
                            _("Published: visible to the public from %(when)s.")
                            % {
                                "when": formats.date_format(
                                    timezone.localtime(pub.publicerad_at), "j F Y"
                                )
                            },
                        )
                    else:
                        messages.success(request, _("Published: the public now sees this version."))
                else:
                    messages.success(request, _("Draft saved."))
                return redirect("arbetsyta:uppfoljning", pk=uppf.pk)
        except services.StaleVersion as stale:
            conflict = stale
            uppf = stale.current
            # Keep every word the user typed; a new save is based on the version now shown.
            data = request.POST.copy()
            data["version"] = str(stale.current.version)
            form = UppfoljningForm(data)
            form.is_valid()
        except ValidationError as e:
            form.add_error(None, e)
            uppf = _get_uppfoljning(request, pk)  # as it is again after the rollback
    ctx = _page_ctx(request, uppf, form)
    ctx["conflict"] = conflict
    ctx["conflict_changes"] = describe_changes(conflict) if conflict else []
    return render(request, PAGE_TEMPLATE, ctx)


@require_POST
@login_required
def validera(request: HttpRequest, pk: int) -> HttpResponse:
    """Validation as you type (htmx): the field messages only, nothing is saved."""
    uppf = _get_uppfoljning(request, pk)
    if not roles.can_edit_uppfoljning(request.user, uppf):
        raise PermissionDenied
    form = UppfoljningForm(request.POST)
    form.is_valid()
    if wants_fragment(request):
        return render(request, f"{PAGE_TEMPLATE}#fel", {"form": form, "oob": True})
    # A plain POST here has nothing to show on its own: go back to the page.
    return redirect("arbetsyta:uppfoljning", pk=uppf.pk)
