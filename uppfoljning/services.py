"""Every change of a follow-up goes through here: one transaction, one history row.

Optimistic locking: a change names the version it started from and is written with a
conditional `UPDATE … WHERE pk = … AND version = …`. Zero rows updated means somebody else
saved first; the change is refused with `StaleVersion`, which says what they changed, and
nothing is overwritten. The history row is written in the same transaction, so the history
holds exactly one row per successful change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from granskning import audit
from granskning.models import Granskningslogg
from omraden.models import Omrade
from portal import roles
from uppfoljning import notify
from uppfoljning.models import (
    Historik,
    Period,
    Publicering,
    Skede,
    Status,
    Uppdrag,
    Uppfoljning,
    validate_status_rule,
)

# The public texts a publication copies from the working copy, English versions included.
PUBLISHED_TEXTS = [
    "sammanfattning",
    "orsak",
    "atgarder",
    "sammanfattning_en",
    "orsak_en",
    "atgarder_en",
]
# What a user edits; the history records these and the state.
EDITABLE_FIELDS = ["status", *PUBLISHED_TEXTS, "intern_anteckning"]
TRACKED_FIELDS = [*EDITABLE_FIELDS, "tillstand", "publicera_fran"]


@dataclass
class Change:
    """One field that somebody else changed after the version a user started from."""

    field: str
    before: Any
    after: Any


class StaleVersion(Exception):
    """The follow-up was changed by somebody else since `version`: nothing was written."""

    def __init__(self, current: Uppfoljning, changes: list[Change], by: list[str]) -> None:
        super().__init__("The follow-up was changed by somebody else.")
        self.current = current
        self.changes = changes
        self.by = by


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _snapshot(uppf: Uppfoljning, fields: list[str]) -> dict[str, Any]:
    return {f: _json(getattr(uppf, f)) for f in fields}


def changes_since(uppf: Uppfoljning, version: int) -> tuple[list[Change], list[str]]:
    """What changed since `version` (field by field, from the history) and by whom."""
    rows = list(
        Historik.objects.filter(uppfoljning=uppf, version__gt=version)
        .select_related("av__person")
        .order_by("version", "pk")
    )
    first_before: dict[str, Any] = {}
    names: list[str] = []
    for row in rows:
        for field, value in row.fore.items():
            first_before.setdefault(field, value)
        name = display_name(row.av)
        if name not in names:
            names.append(name)
    changes = [
        Change(field, before, _json(getattr(uppf, field)))
        for field, before in first_before.items()
        if field in TRACKED_FIELDS and before != _json(getattr(uppf, field))
    ]
    return changes, names


def display_name(user: Any) -> str:
    """The name staff know a colleague by: their person's name, else full name or username."""
    if user is None:
        return _("the system")
    person = getattr(user, "person", None)
    if person is not None:
        return person.namn
    return user.get_full_name() or user.get_username()


def _refuse_stale(uppf_pk: int, version: int) -> StaleVersion:
    current = Uppfoljning.objects.select_related("period", "andrad_av__person").get(pk=uppf_pk)
    changes, by = changes_since(current, version)
    return StaleVersion(current, changes, by)


def _write(
    uppf: Uppfoljning,
    *,
    version: int,
    values: dict[str, Any],
    by: Any,
    handling: str,
    current: Uppfoljning | None = None,
    kommentar: str = "",
) -> Uppfoljning:
    """The conditional update plus its history row; call inside a transaction.

    `current` is the row as just read in the same transaction, if the caller read it.
    """
    if current is None:
        current = Uppfoljning.objects.filter(pk=uppf.pk).order_by().first()
    if current is None or current.version != version:
        raise _refuse_stale(uppf.pk, version)
    before = {f: v for f, v in _snapshot(current, TRACKED_FIELDS).items() if f in values}
    after = {f: _json(v) for f, v in values.items()}
    changed = {f for f in after if after[f] != before.get(f)}
    now = timezone.now()
    updated = Uppfoljning.objects.filter(pk=uppf.pk, version=version).update(
        **values, version=F("version") + 1, andrad_at=now, andrad_av=by
    )
    if updated == 0:
        # Somebody saved between our read and our update.
        raise _refuse_stale(uppf.pk, version)
    Historik.objects.create(
        uppfoljning_id=uppf.pk,
        tid=now,
        av=by,
        handling=handling,
        version=version + 1,
        fore={f: before.get(f) for f in sorted(changed)},
        efter={f: after[f] for f in sorted(changed)},
        kommentar=kommentar,
    )
    for field, value in values.items():
        setattr(uppf, field, value)
    uppf.version = version + 1
    uppf.andrad_at = now
    # The same person saving again keeps the editor read with the row (and their person, for
    # the name shown), so showing the saved row needs no further query.
    if uppf.andrad_av_id != by.pk:
        uppf.andrad_av = by
    return uppf


def uppfoljning_get_or_create(
    *, period: Period, omrade: Omrade | None = None, uppdrag: Uppdrag | None = None, by: Any
) -> tuple[Uppfoljning, bool]:
    """The follow-up of an area or assignment in a period, created (with history) on first edit.

    Returns the follow-up and whether it was created now.
    """
    candidate = Uppfoljning(period=period, omrade=omrade, uppdrag=uppdrag)
    if not roles.can_edit_uppfoljning(by, candidate):
        raise PermissionDenied
    lookup = (
        {"period": period, "omrade": omrade} if omrade else {"period": period, "uppdrag": uppdrag}
    )
    with transaction.atomic():
        uppf, created = Uppfoljning.objects.get_or_create(
            **lookup, defaults={"andrad_av": by, "omrade": omrade, "uppdrag": uppdrag}
        )
        if created:
            Historik.objects.create(
                uppfoljning=uppf,
                tid=uppf.andrad_at,
                av=by,
                handling=Historik.Handling.SKAPAD,
                version=uppf.version,
                efter=_snapshot(uppf, ["status", "tillstand"]),
            )
    return uppf, created


def uppfoljning_save(
    *, uppfoljning: Uppfoljning, version: int, changes: dict[str, Any], by: Any
) -> Uppfoljning:
    """Save a user's edit made from `version`. Refuses a stale version and invalid status.

    Changing the content of a follow-up that is ready or published makes it a draft again: the
    public keeps seeing the last publication until the revision is published.
    """
    if not roles.can_edit_uppfoljning(by, uppfoljning):
        raise PermissionDenied
    values = {f: v for f, v in changes.items() if f in EDITABLE_FIELDS}
    merged = {f: values.get(f, getattr(uppfoljning, f)) for f in EDITABLE_FIELDS}
    validate_status_rule(merged["status"], merged["orsak"], merged["atgarder"])
    with transaction.atomic():
        # order_by(): one row needs no sorting (the default ordering joins three tables).
        current = Uppfoljning.objects.filter(pk=uppfoljning.pk).order_by().first()
        content_changed = current is not None and any(
            getattr(current, f) != v for f, v in values.items()
        )
        if content_changed and current.tillstand != Uppfoljning.Tillstand.UTKAST:
            values["tillstand"] = Uppfoljning.Tillstand.UTKAST
        return _write(
            uppfoljning,
            version=version,
            values=values,
            by=by,
            handling=Historik.Handling.ANDRAD,
            current=current,
        )


def _require_state(uppf: Uppfoljning, allowed: set[str], message: str) -> None:
    """Refuse a step from a state it does not start from, in words for the page."""
    if uppf.tillstand not in allowed:
        raise ValidationError(message)


def _current(uppf: Uppfoljning) -> Uppfoljning:
    """The row as stored now, read in the caller's transaction (order_by(): one row)."""
    current = Uppfoljning.objects.filter(pk=uppf.pk).order_by().first()
    if current is None:
        raise Uppfoljning.DoesNotExist
    return current


def _audit_step(action: str, by: Any, uppf: Uppfoljning, **detail: Any) -> None:
    audit(action=action, by=by, obj=uppf, version=uppf.version, **detail)


def uppfoljning_mark_ready(*, uppfoljning: Uppfoljning, version: int, by: Any) -> Uppfoljning:
    """A ledartröja says the draft is ready: it now waits for the fadder's (or KLG's) approval.

    Only a draft is marked ready; the approver is e-mailed once the step is committed.
    """
    if not roles.can_mark_ready(by, uppfoljning):
        raise PermissionDenied
    if not uppfoljning.status:
        raise ValidationError({"status": _("Choose a status before marking it ready.")})
    validate_status_rule(uppfoljning.status, uppfoljning.orsak, uppfoljning.atgarder)
    with transaction.atomic():
        current = _current(uppfoljning)
        if current.version == version:
            _require_state(
                current,
                {Uppfoljning.Tillstand.UTKAST},
                _("Only a draft can be marked ready for sign-off: this one is %(state)s.")
                % {"state": state_label(current)},
            )
        uppf = _write(
            uppfoljning,
            version=version,
            values={"tillstand": Uppfoljning.Tillstand.KLAR},
            by=by,
            handling=Historik.Handling.KLAR,
            current=current,
        )
        _audit_step(Granskningslogg.Handling.KLARMARKERING, by, uppf)
        transaction.on_commit(lambda: notify.marked_ready(uppf.pk, by=by))
    return uppf


def uppfoljning_approve(
    *, uppfoljning: Uppfoljning, version: int, by: Any, kommentar: str = ""
) -> Uppfoljning:
    """The fadder (or KLG) approves a follow-up that is ready: KLG may now publish it."""
    if not roles.can_approve_uppfoljning(by, uppfoljning):
        raise PermissionDenied
    with transaction.atomic():
        current = _current(uppfoljning)
        if current.version == version:
            _require_state(
                current,
                {Uppfoljning.Tillstand.KLAR},
                _(
                    "Only a follow-up marked ready for sign-off can be approved: this one is "
                    "%(state)s."
                )
                % {"state": state_label(current)},
            )
        uppf = _write(
            uppfoljning,
            version=version,
            values={"tillstand": Uppfoljning.Tillstand.GODKAND},
            by=by,
            handling=Historik.Handling.GODKAND,
            current=current,
            kommentar=kommentar,
        )
        _audit_step(Granskningslogg.Handling.GODKANNANDE, by, uppf, kommentar=kommentar)
        transaction.on_commit(lambda: notify.approved(uppf.pk, by=by, kommentar=kommentar))
    return uppf


def uppfoljning_publish(
    *, uppfoljning: Uppfoljning, version: int, by: Any, at: dt.datetime | None = None
) -> Publicering:
    """Publish the approved working copy as it is at `version`, now or from `at` (hidden until
    then). A follow-up the fadder has not approved is refused with the reason."""
    if not roles.can_publish_uppfoljning(by, uppfoljning):
        raise PermissionDenied
    if not uppfoljning.status:
        raise ValidationError({"status": _("Choose a status before publishing.")})
    validate_status_rule(uppfoljning.status, uppfoljning.orsak, uppfoljning.atgarder)
    now = timezone.now()
    visible_from = at if at is not None and at > now else now
    with transaction.atomic():
        current = _current(uppfoljning)
        if current.version == version:
            _require_state(
                current,
                {Uppfoljning.Tillstand.GODKAND},
                _(
                    "Only a follow-up approved by the sponsor (fadder) can be published: this one "
                    "is %(state)s. Mark it ready for sign-off and have it approved first."
                )
                % {"state": state_label(current)},
            )
        uppf = _write(
            uppfoljning,
            version=version,
            values={
                "tillstand": Uppfoljning.Tillstand.PUBLICERAD,
                "publicera_fran": visible_from if visible_from > now else None,
            },
            by=by,
            handling=Historik.Handling.PUBLICERAD,
            current=current,
        )
        # Re-read inside the transaction: the content published is exactly the saved row.
        row = Uppfoljning.objects.get(pk=uppf.pk)
        publicering = Publicering.objects.create(
            uppfoljning=row,
            version=row.version,
            status=row.status,
            **{f: getattr(row, f) for f in PUBLISHED_TEXTS},
            publicerad_at=visible_from,
            skapad_at=now,
            publicerad_av=by,
        )
        audit(
            action=Granskningslogg.Handling.PUBLICERING,
            by=by,
            obj=row,
            version=row.version,
            status=row.status,
            publicerad_at=visible_from.isoformat(),
        )
        # Residents who follow the area: the publishing round and its digests (prenumeration/).
        from prenumeration.services import published

        transaction.on_commit(published)
        return publicering


def uppfoljning_send_back(
    *, uppfoljning: Uppfoljning, version: int, by: Any, kommentar: str
) -> Uppfoljning:
    """Send a follow-up back to the writers as a draft, saying why (the comment is required).

    From "ready", "approved" and a scheduled publication (which is withdrawn on the way: see
    `uppfoljning_withdraw`). The ledartröjor and whoever marked it ready are e-mailed.
    """
    return _back(
        uppfoljning=uppfoljning, version=version, by=by, kommentar=kommentar, to_draft=True
    )


def uppfoljning_withdraw(
    *, uppfoljning: Uppfoljning, version: int, by: Any, kommentar: str
) -> Uppfoljning:
    """Withdraw a publication scheduled for a later date, before anyone has seen it.

    The publication row is deleted (it was never visible), the follow-up's earlier versions
    are in force again (`mark_superseded()`), and it is "approved" again: its content is the
    one the fadder approved, so KLG can publish it again, from another date. To have it
    changed, send it back instead.
    """
    return _back(
        uppfoljning=uppfoljning, version=version, by=by, kommentar=kommentar, to_draft=False
    )


def _back(
    *, uppfoljning: Uppfoljning, version: int, by: Any, kommentar: str, to_draft: bool
) -> Uppfoljning:
    kommentar = kommentar.strip()
    if not kommentar:
        raise ValidationError(
            {"kommentar": _("Write a comment: the writers are told why it comes back.")}
        )
    now = timezone.now()
    with transaction.atomic():
        current = _current(uppfoljning)
        scheduled = is_scheduled(current, now)
        if scheduled and not roles.can_withdraw_publication(by, current):
            raise PermissionDenied
        if not scheduled and not roles.can_send_back_uppfoljning(by, current):
            raise PermissionDenied
        if current.version == version and not scheduled:
            if not to_draft:
                raise ValidationError(
                    _("Nothing to withdraw: no publication of this follow-up is scheduled.")
                )
            _require_state(
                current,
                {Uppfoljning.Tillstand.KLAR, Uppfoljning.Tillstand.GODKAND},
                _(
                    "Only a follow-up that is ready, approved or scheduled can be sent back: "
                    "this one is %(state)s."
                )
                % {"state": state_label(current)},
            )
        if to_draft:
            state = Uppfoljning.Tillstand.UTKAST
        elif current.tillstand == Uppfoljning.Tillstand.PUBLICERAD:
            # The content is the one the fadder approved: it may be published again.
            state = Uppfoljning.Tillstand.GODKAND
        else:
            # Changed since it was scheduled: the revision keeps its own state.
            state = current.tillstand
        uppf = _write(
            uppfoljning,
            version=version,
            values={"tillstand": state, "publicera_fran": None},
            by=by,
            handling=Historik.Handling.ATERKALLAD if scheduled else Historik.Handling.TILLBAKA,
            current=current,
            kommentar=kommentar,
        )
        withdrawn: list[str] = []
        if scheduled:
            pending = Publicering.objects.filter(uppfoljning_id=uppf.pk, publicerad_at__gt=now)
            withdrawn = [p.isoformat() for p in pending.values_list("publicerad_at", flat=True)]
            for publicering in pending:
                publicering.delete()  # one by one: the page cache's delete signal sees each
            # The versions that remain: the one before is in force again, without an end.
            Publicering.objects.filter(uppfoljning_id=uppf.pk).mark_superseded()
            _audit_step(
                Granskningslogg.Handling.ATERKALLAD,
                by,
                uppf,
                kommentar=kommentar,
                publicerad_at=withdrawn,
                tillstand=uppf.tillstand,
            )
        else:
            _audit_step(Granskningslogg.Handling.TILLBAKASKICKAD, by, uppf, kommentar=kommentar)
        transaction.on_commit(
            lambda: notify.sent_back(uppf.pk, by=by, kommentar=kommentar, withdrawn=scheduled)
        )
    return uppf


# Which step may follow which: the page offers a step only if the state allows it and
# portal.roles says the user may take it (the services check both again).
STEPS = ("klar", "godkann", "publicera", "tillbaka", "aterkalla")


def is_scheduled(uppf: Uppfoljning, now: dt.datetime) -> bool:
    """A publication of it is due later (also when it was edited again since: then it is a
    draft whose previous version still falls due on that date)."""
    return uppf.publicera_fran is not None and uppf.publicera_fran > now


def available_steps(user: Any, uppf: Uppfoljning, now: dt.datetime) -> set[str]:
    """The sign-off steps `user` can take on `uppf` now (names from STEPS)."""
    skede = uppf.skede(now)
    steps: set[str] = set()
    if skede == Skede.UTKAST and roles.can_mark_ready(user, uppf):
        steps.add("klar")
    if skede == Skede.KLAR and roles.can_approve_uppfoljning(user, uppf):
        steps.add("godkann")
    if skede == Skede.GODKAND and roles.can_publish_uppfoljning(user, uppf):
        steps.add("publicera")
    if skede in (Skede.KLAR, Skede.GODKAND) and roles.can_send_back_uppfoljning(user, uppf):
        steps.add("tillbaka")
    if is_scheduled(uppf, now) and roles.can_withdraw_publication(user, uppf):
        steps |= {"tillbaka", "aterkalla"}
    return steps


def state_label(uppf: Uppfoljning) -> str:
    """The state in words, lower case, for messages ("utkast", "klar för beslut")."""
    return str(Uppfoljning.Tillstand(uppf.tillstand).label).lower()


def status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else _("no status")
