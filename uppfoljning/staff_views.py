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
from django.db.models import Case, Q, QuerySet, When
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
    Skede,
    Uppdrag,
    Uppfoljning,
)
from uppfoljning.staff_forms import CellForm, StegForm, UppfoljningForm

TEMPLATE = "uppfoljning/arbetsyta.html"
PAGE_TEMPLATE = "uppfoljning/arbetsyta_uppfoljning.html"
FIELD_LABELS = {
    "status": gettext_lazy("status"),
    "sammanfattning": gettext_lazy("public summary"),
    "orsak": gettext_lazy("cause"),
    "atgarder": gettext_lazy("actions taken"),
    "sammanfattning_en": gettext_lazy("public summary in English"),
    "orsak_en": gettext_lazy("cause in English"),
    "atgarder_en": gettext_lazy("actions taken in English"),
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
    skede: str = ""

    @property
    def editor(self) -> str:
        return (
            services.display_name(self.uppf.andrad_av) if self.uppf and self.uppf.andrad_av else "–"
        )


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
    now = timezone.now()
    # "An earlier version is public": one has become visible (a scheduled one has not).
    cell.published = first is not None and first <= now
    cell.overdue = period.is_late(first, now)
    cell.skede = uppf.skede(now) if uppf else ""
    if form is not None:
        cell.form = form
    elif cell.can_edit:
        initial = {"status": "", "orsak": "", "atgarder": "", "version": 0}
        if uppf:
            initial = {name: getattr(uppf, name) for name in initial}
        cell.form = CellForm(prefix=cell.key, initial=initial)
    return cell


def _open_periods() -> list[Period]:
    """Every period open for reporting, newest first (the matrix shows the first)."""
    return list(Period.objects.filter(tillstand=Period.Tillstand.OPPEN).order_by("-ar", "-tertial"))


@dataclass
class Subjects:
    """The areas (as staff see them) and the overarching assignments: the matrix's rows."""

    areas: list[Omrade]
    assignments: list[Uppdrag]


def _subjects(request: HttpRequest) -> Subjects:
    """Two queries, shared by the matrix and "Waiting for you"."""
    areas = Omrade.objects.visible_to(viewer_of(request)).only("nummer", "kortnamn")
    assignments = Uppdrag.objects.filter(overgripande=True).order_by("kommunplan_ar", "ordning")
    return Subjects(list(areas.order_by("nummer")), list(assignments))


def _cells(request: HttpRequest, period: Period, subjects: Subjects) -> list[Cell]:
    """Every cell of the matrix, in one query (and `subjects`) whatever the number of areas."""
    viewer = viewer_of(request)
    # order_by(): the rows are looked up by subject, so the default ordering's joins are waste.
    rows = (
        Uppfoljning.objects.visible_to(viewer)
        .filter(period=period)
        .select_related("andrad_av__person")
        .order_by()
        .with_first_publication()
    )
    by_omrade: dict[int, Uppfoljning] = {}
    by_uppdrag: dict[int, Uppfoljning] = {}
    for u in rows:
        u.period = period
        if u.omrade_id:
            by_omrade[u.omrade_id] = u
        else:
            by_uppdrag[u.uppdrag_id] = u
    return [_cell(request, period, "omrade", o, by_omrade.get(o.pk)) for o in subjects.areas] + [
        _cell(request, period, "uppdrag", a, by_uppdrag.get(a.pk)) for a in subjects.assignments
    ]


# Waiting for you


@dataclass
class Waiting:
    """One thing on the start page that waits for the user: to write, approve or publish."""

    kind: str  # "skriva", "godkanna", "publicera"
    subject: Omrade | Uppdrag
    period: Period
    uppf: Uppfoljning | None
    overdue: bool
    skede: str = ""

    @property
    def subject_kind(self) -> str:
        return "omrade" if isinstance(self.subject, Omrade) else "uppdrag"

    def sort_key(self) -> tuple[Any, ...]:
        deadline = self.period.deadline or dt.date.max
        number = self.subject.nummer if isinstance(self.subject, Omrade) else 1000
        return (not self.overdue, deadline, KIND_ORDER[self.kind], number, self.subject.pk)


KIND_ORDER = {"publicera": 0, "godkanna": 1, "skriva": 2}


@dataclass
class WaitingForYou:
    items: list[Waiting]
    moderate: int  # input waiting for the user's moderation
    moderates: bool  # whether the user moderates at all

    def __bool__(self) -> bool:
        return bool(self.items) or self.moderate > 0


def waiting_for(
    user: Any, periods: list[Period], subjects: Subjects, now: dt.datetime
) -> WaitingForYou:
    """What waits for `user` in the open `periods`, overdue first, then by deadline.

    To write: drafts and unstarted follow-ups of the areas where the user is ledartröja or
    fadder (kommunledningsgruppen: also the overarching assignment). To approve: follow-ups
    ready for sign-off that the user approves (their areas as fadder; KLG those that fall to
    KLG, `roles.approval_falls_to_klg`). To publish (KLG): approved follow-ups. At most two
    queries whatever the number of areas and periods: the follow-ups, and the number of input
    to moderate (if the user moderates); the areas and assignments come with `subjects`.
    """
    from omraden.services import waiting_count_for

    r = roles.roles_for(user)
    write_areas = r.ledartroja_for | r.fadder_for
    items: list[Waiting] = []
    if periods and (write_areas or r.is_klg):
        by_id = {p.pk: p for p in periods}
        mine = Q(omrade_id__in=write_areas)  # every state: an existing one is not unstarted
        if r.is_klg:
            mine |= Q(uppdrag__overgripande=True)
        klg_rule = roles.approval_falls_to_klg()
        approve = Q(tillstand=Uppfoljning.Tillstand.KLAR) & Q(omrade_id__in=r.fadder_for)
        if r.is_klg:
            approve |= Q(tillstand=Uppfoljning.Tillstand.KLAR) & klg_rule
        publish = Q(tillstand=Uppfoljning.Tillstand.GODKAND) if r.is_klg else Q(pk__in=[])
        rows = list(
            Uppfoljning.objects.filter(period_id__in=by_id)
            .filter(mine | approve | publish)
            .select_related("omrade", "uppdrag")
            .annotate(klg_approves=Case(When(klg_rule, then=True), default=False))
            .order_by()
            .with_first_publication()
        )
        started: set[tuple[int, str, int]] = set()
        for u in rows:
            u.period = by_id[u.period_id]
            kind = "omrade" if u.omrade_id else "uppdrag"
            started.add((u.period_id, kind, u.omrade_id or u.uppdrag_id))
            mine_row = (u.omrade_id in write_areas) or (r.is_klg and u.uppdrag_id is not None)
            late = u.period.is_late(u.forsta_publicering, now)
            if u.tillstand == Uppfoljning.Tillstand.UTKAST and mine_row:
                items.append(Waiting("skriva", u.subject, u.period, u, late, u.skede(now)))
            elif u.tillstand == Uppfoljning.Tillstand.KLAR and (
                u.omrade_id in r.fadder_for or (r.is_klg and u.klg_approves)
            ):
                items.append(Waiting("godkanna", u.subject, u.period, u, late, u.skede(now)))
            elif u.tillstand == Uppfoljning.Tillstand.GODKAND and r.is_klg:
                items.append(Waiting("publicera", u.subject, u.period, u, late, u.skede(now)))
        to_write: list[tuple[str, Omrade | Uppdrag]] = [
            ("omrade", o) for o in subjects.areas if o.pk in write_areas
        ]
        if r.is_klg:
            to_write += [("uppdrag", a) for a in subjects.assignments]
        for period in periods:
            for kind, subject in to_write:
                if (period.pk, kind, subject.pk) not in started:
                    late = period.is_late(None, now)
                    items.append(Waiting("skriva", subject, period, None, late))
    items.sort(key=Waiting.sort_key)
    moderates = roles.can_use_moderation(user)
    return WaitingForYou(items, waiting_count_for(user) if moderates else 0, moderates)


@require_safe
@login_required
def matris(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    periods = _open_periods()
    period = periods[0] if periods else None
    subjects = _subjects(request) if period else Subjects([], [])
    ctx = {
        "period": period,
        "cells": _cells(request, period, subjects) if period else [],
        "can_administer": roles.can_administer(request.user),
        "waiting": waiting_for(request.user, periods, subjects, timezone.now()),
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
    return (
        Uppfoljning.objects.filter(period_id=period_id, **{f"{kind}_id": pk})
        .select_related("andrad_av__person")
        .order_by()
        .with_first_publication()
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
    subjects = _subjects(request)
    cells = [cell if c.key == cell.key else c for c in _cells(request, period, subjects)]
    ctx = {
        "period": period,
        "cells": cells,
        "can_administer": roles.can_administer(request.user),
        "waiting": waiting_for(request.user, _open_periods(), subjects, timezone.now()),
    }
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


def _date(value: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "j F Y")


def timeline(uppf: Uppfoljning, now: dt.datetime) -> list[dict[str, Any]]:
    """The history as sentences, oldest first: one query with the editors' names."""
    entries = []
    for row in Historik.objects.filter(uppfoljning=uppf).select_related("av__person"):
        who = services.display_name(row.av)
        parts: list[str] = []
        if row.handling == Historik.Handling.SKAPAD:
            parts.append(_("created the follow-up"))
        elif row.handling == Historik.Handling.KLAR:
            parts.append(_("marked it ready for sign-off"))
        elif row.handling == Historik.Handling.GODKAND:
            parts.append(_("approved it"))
        elif row.handling == Historik.Handling.TILLBAKA:
            parts.append(_("sent it back to draft"))
        elif row.handling == Historik.Handling.ATERKALLAD:
            parts.append(
                _("withdrew the scheduled publication and sent it back to draft")
                if row.efter.get("tillstand") == Uppfoljning.Tillstand.UTKAST
                else _("withdrew the scheduled publication")
            )
        elif row.handling == Historik.Handling.PUBLICERAD:
            when = row.efter.get("publicera_fran")
            if when and dt.datetime.fromisoformat(when) > now:
                parts.append(
                    _("scheduled it: to be published %(date)s")
                    % {"date": _date(dt.datetime.fromisoformat(when))}
                )
            elif when:
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
        entries.append(
            {
                "row": row,
                "who": who,
                "text": ", ".join(parts),
                "version": row.version,
                "kommentar": row.kommentar,
            }
        )
    return entries


# The sign-off as the page shows it: the four states in order, and what each waits for.
SIGNOFF_ORDER = [Skede.UTKAST, Skede.KLAR, Skede.GODKAND, Skede.PUBLICERAD]
NEXT_STEP = {
    Skede.UTKAST: gettext_lazy(
        "Next: a ledartröja (or the fadder) finishes the text and marks it ready for sign-off."
    ),
    Skede.KLAR: gettext_lazy(
        "Next: the area's fadder (for an assignment, kommunledningsgruppen) approves it or "
        "sends it back with a comment."
    ),
    Skede.GODKAND: gettext_lazy(
        "Next: kommunledningsgruppen publishes it, at once or from a date, or sends it back."
    ),
    Skede.SCHEMALAGD: gettext_lazy(
        "Residents see it from that date. Until then kommunledningsgruppen can withdraw it."
    ),
    Skede.PUBLICERAD: gettext_lazy(
        "Residents see this version. A change makes a new draft; this version stays public "
        "until the next one is published."
    ),
}


def _signoff(uppf: Uppfoljning, entries: list[dict[str, Any]], now: dt.datetime) -> list[Any]:
    """The four steps with who took each last (from the history) and which is current."""
    skede = uppf.skede(now)
    current = Skede.PUBLICERAD if skede == Skede.SCHEMALAGD else skede
    taken = {
        Historik.Handling.KLAR: Skede.KLAR,
        Historik.Handling.GODKAND: Skede.GODKAND,
        Historik.Handling.PUBLICERAD: Skede.PUBLICERAD,
    }
    last: dict[str, dict[str, Any]] = {}
    for entry in entries:
        step = taken.get(entry["row"].handling)
        if step is not None:
            last[step] = entry
    reached = SIGNOFF_ORDER.index(current)
    return [
        {
            "skede": step,
            "label": Skede(step).label,
            "current": step == current,
            "done": i < reached,
            "entry": last.get(step) if i <= reached and step != Skede.UTKAST else None,
        }
        for i, step in enumerate(SIGNOFF_ORDER)
    ]


def _page_ctx(
    request: HttpRequest,
    uppf: Uppfoljning,
    form: UppfoljningForm,
    steg_form: StegForm | None = None,
) -> dict[str, Any]:
    now = timezone.now()
    entries = timeline(uppf, now)
    steps = services.available_steps(request.user, uppf, now)
    latest_public = (
        Publicering.objects.visible_to(viewer_of(request))
        .filter(uppfoljning=uppf)
        .order_by("-pk")
        .first()
    )
    return {
        "uppf": uppf,
        "form": form,
        "steg_form": steg_form or StegForm(initial={"version": uppf.version}),
        "can_edit": roles.can_edit_uppfoljning(request.user, uppf),
        "can_mark_ready": "klar" in steps,
        "steps": steps,
        "skede": uppf.skede(now),
        "signoff": _signoff(uppf, entries, now),
        "next_step": NEXT_STEP[Skede(uppf.skede(now))],
        "reason": roles.edit_closed_reason(request.user, uppf),
        "timeline": entries,
        # The newest version, scheduled ones included: what staff see (visible_to).
        "latest_public": latest_public,
        "latest_public_scheduled": latest_public is not None and latest_public.publicerad_at > now,
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
    handling = request.POST.get("handling", "spara")
    if handling in SIGNOFF_STEPS:
        return _step(request, uppf, handling)
    if not roles.can_edit_uppfoljning(request.user, uppf):
        raise PermissionDenied
    if handling == "klar" and not roles.can_mark_ready(request.user, uppf):
        raise PermissionDenied
    form = UppfoljningForm(request.POST)
    conflict = None
    if form.is_valid():
        data = form.cleaned_data
        changes = {f: data[f] for f in services.EDITABLE_FIELDS}
        try:
            # Saving and then marking ready is one step: if the second part is refused (no
            # status yet), the save is undone too and the form shows why.
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
                    messages.success(
                        request,
                        _("Marked ready for sign-off: whoever approves it has been e-mailed."),
                    )
                else:
                    messages.success(request, _("Draft saved."))
                return redirect("arbetsyta:uppfoljning", pk=uppf.pk)
        except services.StaleVersion as stale:
            conflict, uppf = stale, stale.current
            form = _rebased(UppfoljningForm, request, stale)
        except ValidationError as e:
            form.add_error(None, e)
            uppf = _get_uppfoljning(request, pk)  # as it is again after the rollback
    return _render_page(request, uppf, form, conflict=conflict)


def _rebased(form_class: type[Any], request: HttpRequest, stale: services.StaleVersion) -> Any:
    """The posted form again, every word the user typed kept, based on the version now shown
    (so that sending it again saves over what they have now seen)."""
    data = request.POST.copy()
    data["version"] = str(stale.current.version)
    form = form_class(data)
    form.is_valid()
    return form


def _render_page(
    request: HttpRequest,
    uppf: Uppfoljning,
    form: UppfoljningForm,
    steg_form: StegForm | None = None,
    *,
    conflict: services.StaleVersion | None,
) -> HttpResponse:
    ctx = _page_ctx(request, uppf, form, steg_form)
    ctx["conflict"] = conflict
    ctx["conflict_changes"] = describe_changes(conflict) if conflict else []
    return render(request, PAGE_TEMPLATE, ctx)


# The sign-off steps after "ready": each through its service, which asks portal.roles and
# refuses a step the state does not allow, with the reason.
SIGNOFF_STEPS = {"godkann", "publicera", "tillbaka", "aterkalla"}


def _add_errors(form: StegForm, error: ValidationError) -> None:
    """A refusal on the step form: at its field if the form has it, else above the buttons."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _step(request: HttpRequest, uppf: Uppfoljning, handling: str) -> HttpResponse:
    form = StegForm(request.POST)
    conflict = None
    if form.is_valid():
        data = form.cleaned_data
        args = {"uppfoljning": uppf, "version": data["version"], "by": request.user}
        try:
            if handling == "godkann":
                services.uppfoljning_approve(**args, kommentar=data["kommentar"])
                messages.success(
                    request, _("Approved: kommunledningsgruppen has been told it can publish.")
                )
            elif handling == "publicera":
                pub = services.uppfoljning_publish(**args, at=form.publish_at())
                if pub.publicerad_at > timezone.now():
                    messages.success(
                        request,
                        _("Scheduled: published %(date)s. It can be withdrawn until then.")
                        % {"date": _date(pub.publicerad_at)},
                    )
                else:
                    messages.success(request, _("Published: the public now sees this version."))
            elif handling == "tillbaka":
                services.uppfoljning_send_back(**args, kommentar=data["kommentar"])
                messages.success(
                    request, _("Sent back to draft: the ledartröjor have been told why.")
                )
            else:
                services.uppfoljning_withdraw(**args, kommentar=data["kommentar"])
                messages.success(
                    request,
                    _(
                        "The scheduled publication is withdrawn: residents keep seeing the "
                        "version published before."
                    ),
                )
            return redirect("arbetsyta:uppfoljning", pk=uppf.pk)
        except services.StaleVersion as stale:
            conflict, uppf = stale, stale.current
            form = _rebased(StegForm, request, stale)
        except ValidationError as e:
            _add_errors(form, e)
    return _render_page(
        request, uppf, UppfoljningForm(initial=_initial(uppf)), form, conflict=conflict
    )


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
