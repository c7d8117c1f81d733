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
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from omraden.models import Omrade
from portal import roles
from portal.lib.choices import labels
from portal.lib.compiled import compiled
from uppfoljning import services
from uppfoljning.cell_html import cell_html
from uppfoljning.models import (
    STATUS_SYMBOLS,
    Historik,
    Period,
    Publicering,
    Status,
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
    if not roles.can_view_staff_pages(request.user):
        raise PermissionDenied


# The matrix


@dataclass
class CellInputs:
    """What the cell form's inputs show, as plain strings, built once per cell.

    The partial writes the inputs out as Django's widgets render them; reading names, ids and
    values through bound fields (and lazy labels) per input cost more than the HTML itself.
    A shown form that was not posted needs no `CellForm` at all; a posted one brings its errors.
    """

    key: str
    version: str
    status: str
    orsak: str
    atgarder: str
    options: list[tuple[str, str, str, bool]]
    errors: Any = None  # the bound form's ErrorDict, or None: nothing posted, nothing refused
    non_field_errors: Any = None

    @classmethod
    def build(cls, key: str, values: dict[str, Any], form: CellForm | None = None) -> CellInputs:
        def text(value: Any) -> str:
            return "" if value is None else str(value)

        status = text(values.get("status"))
        options = [
            (f"id_{key}-status_{i}", value, label, value == status)
            for i, (value, label) in enumerate(labels(Status).items())
        ]
        inputs = cls(
            key=key,
            version=text(values.get("version")),
            status=status,
            orsak=text(values.get("orsak")),
            atgarder=text(values.get("atgarder")),
            options=options,
        )
        if form is not None and form.errors:
            inputs.errors = form.errors
            inputs.non_field_errors = form.non_field_errors()
        return inputs

    @classmethod
    def from_form(cls, key: str, form: CellForm) -> CellInputs:
        values = {name: form[name].value() for name in ("version", "status", "orsak", "atgarder")}
        return cls.build(key, values, form)

    def _field_errors(self, name: str) -> Any:
        return self.errors.get(name) if self.errors else None

    @property
    def status_errors(self) -> Any:
        return self._field_errors("status")

    @property
    def orsak_errors(self) -> Any:
        return self._field_errors("orsak")

    @property
    def atgarder_errors(self) -> Any:
        return self._field_errors("atgarder")

    @property
    def open(self) -> bool:
        """The cause and actions are shown for yellow and red, and when they were refused."""
        return self.status in (Status.GUL, Status.ROD) or bool(
            self.orsak_errors or self.atgarder_errors
        )


def _label(choices: type[Status] | type[Uppfoljning.Tillstand], value: str) -> str:
    return labels(choices).get(value, value)


@dataclass
class Cell:
    """One area or assignment in the open period, as shown (and edited) in the matrix."""

    key: str
    kind: str
    subject: Omrade | Uppdrag
    period: Period
    uppf: Uppfoljning | None
    can_edit: bool
    # The addresses below are formatted from the workspace's own (reversed once per request).
    base_url: str = ""
    # The CSRF token's hidden input, made once per request for every cell's forms.
    csrf_input: str = ""
    inputs: CellInputs | None = None
    conflict: services.StaleVersion | None = None
    saved: bool = False
    overdue: bool = False
    published: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def state_label(self) -> str:
        return _label(Uppfoljning.Tillstand, self.uppf.tillstand) if self.uppf else ""

    @property
    def editor(self) -> str:
        return (
            services.display_name(self.uppf.andrad_av) if self.uppf and self.uppf.andrad_av else "–"
        )

    @property
    def action_url(self) -> str:
        return f"{self.base_url}cell/{self.period.pk}/{self.kind}/{self.subject.pk}/"

    @property
    def new_url(self) -> str:
        return f"{self.base_url}ny/{self.period.pk}/{self.kind}/{self.subject.pk}/"

    @property
    def uppfoljning_url(self) -> str:
        return f"{self.base_url}uppfoljning/{self.uppf.pk}/" if self.uppf else ""

    @property
    def html(self) -> SafeString:
        return cell_html(self, self.csrf_input)

    def show_form(self, form: CellForm) -> None:
        """Show a posted form (its values and errors) instead of the follow-up as saved."""
        self.inputs = CellInputs.from_form(self.key, form)


def _annotated(qs: Any) -> Any:
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
    base_url: str | None = None,
    csrf_input: str = "",
) -> Cell:
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
        base_url=reverse("arbetsyta:matris") if base_url is None else base_url,
        csrf_input=csrf_input,
    )
    first = uppf.forsta_publicering if uppf else None
    cell.published = first is not None
    cell.overdue = period.is_overdue() and not _published_in_time(period, first)
    if cell.can_edit:
        cell.inputs = CellInputs.build(
            cell.key,
            {
                "status": uppf.status if uppf else "",
                "orsak": uppf.orsak if uppf else "",
                "atgarder": uppf.atgarder if uppf else "",
                "version": uppf.version if uppf else 0,
            },
        )
    return cell


# The matrix's reads are compiled once per connection (portal.lib.compiled): building and
# compiling these querysets cost more of a request than PostgreSQL's time to run them. The
# user's roles are not among them: they are asked for per request, as on every staff page.


@compiled
def _open_periods() -> QuerySet[Period]:
    # [:1] and no .first(): the same statement, as a compiled query must be a queryset.
    return Period.objects.filter(tillstand=Period.Tillstand.OPPEN).order_by("-ar", "-tertial")[:1]


def _open_period() -> Period | None:
    return next(iter(_open_periods()), None)


@compiled
def _matrix_areas() -> QuerySet[Omrade]:
    return Omrade.objects.order_by("nummer")


@compiled
def _matrix_assignments() -> QuerySet[Uppdrag]:
    return Uppdrag.objects.filter(overgripande=True).order_by("kommunplan_ar", "ordning")


@compiled
def _follow_ups_of(*, period: int) -> QuerySet[Uppfoljning]:
    # order_by(): the rows are looked up by subject, so the default ordering's joins are waste.
    return _annotated(
        Uppfoljning.objects.filter(period=period).select_related("andrad_av__person").order_by()
    )


def _cells(request: HttpRequest, period: Period, csrf_input: str = "") -> list[Cell]:
    """Every cell of the matrix; `csrf_input` is the page's CSRF input if one is made."""
    omraden = _matrix_areas()
    uppdrag = _matrix_assignments()
    rows = _follow_ups_of(period=period.pk)
    by_omrade = {u.omrade_id: u for u in rows if u.omrade_id}
    by_uppdrag = {u.uppdrag_id: u for u in rows if u.uppdrag_id}
    for u in by_omrade.values():
        u.period = period
    for u in by_uppdrag.values():
        u.period = period
    base = reverse("arbetsyta:matris")
    csrf = csrf_input or _csrf_input(request)
    return [
        _cell(request, period, "omrade", o, by_omrade.get(o.pk), base, csrf) for o in omraden
    ] + [_cell(request, period, "uppdrag", a, by_uppdrag.get(a.pk), base, csrf) for a in uppdrag]


def _csrf_input(request: HttpRequest) -> str:
    """The hidden input `{% csrf_token %}` renders: one token serves every form of a page."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )


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


def _one(period_id: int, kind: str, pk: int) -> Any:
    """The follow-up (at most one) of one area or assignment in a period, as a cell shows it."""
    # order_by(): a single row; the default ordering's joins would be waste.
    return _annotated(
        Uppfoljning.objects.filter(period_id=period_id, **{f"{kind}_id": pk})
        .select_related("andrad_av__person")
        .order_by()
    )


# The status change reads its follow-up through these, compiled once per connection and
# `kind` ("omrade" or "uppdrag", checked before) as a shape: it names a column and a join.
# order_by("pk")[:1] is the statement .first() gave on the unordered queryset.


@compiled(shape=("kind",))
def _follow_up(*, period: int, kind: str, pk: int) -> QuerySet[Uppfoljning]:
    return _one(period, kind, pk).order_by("pk")[:1]


@compiled(shape=("kind",))
def _follow_up_with_subject(*, period: int, kind: str, pk: int) -> QuerySet[Uppfoljning]:
    return _one(period, kind, pk).select_related("period", kind).order_by("pk")[:1]


def _existing(period: Period, kind: str, subject: Any) -> Uppfoljning | None:
    uppf = next(iter(_follow_up(period=period.pk, kind=kind, pk=subject.pk)), None)
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
    uppf = next(iter(_follow_up_with_subject(period=period_id, kind=kind, pk=pk)), None)
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
            cell = _cell(request, period, kind, subject, _existing(period, kind, subject))
            cell.conflict = stale
            cell.extra["changes"] = describe_changes(stale)
            # Keep what the user chose; the next save is based on the version they now see.
            data = {**request.POST.dict(), f"{cell.key}-version": stale.current.version}
            conflict_form = CellForm(data, prefix=cell.key)
            conflict_form.is_valid()
            cell.show_form(conflict_form)
        except ValidationError as e:
            form.add_error(None, e)
            cell.show_form(form)
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
        cell.show_form(form)
    # One CSRF input, for the cell that is shown and, without JavaScript, the rest of the
    # matrix (a token costs ~0.1 ms; the cell may have been built twice above).
    cell.csrf_input = _csrf_input(request)
    if wants_fragment(request):
        return render(request, f"{TEMPLATE}#cell", {"cell": cell, "period": period})
    # Without JavaScript: the whole matrix again, with this cell's errors or conflict.
    cells = [cell if c.key == cell.key else c for c in _cells(request, period, cell.csrf_input)]
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
        Uppfoljning.objects.select_related("period", "omrade", "uppdrag", "andrad_av__person"),
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
        "latest_public": Publicering.objects.filter(uppfoljning=uppf).order_by("-pk").first(),
        "symbols": STATUS_SYMBOLS,
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
