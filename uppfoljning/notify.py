"""E-mail to whoever must act next in a follow-up's sign-off.

services.py calls these after the step's transaction commits (`transaction.on_commit`), so a
refused or rolled-back step mails nobody. Each e-mail goes into the outbox (`utskick.queue`)
under a key naming the step (its Historik row) and the address, so a step mails each person
once however often this runs; the outbox's worker sends it.

| step                 | who is e-mailed |
|----------------------|-----------------|
| marked ready         | the area's fadder; kommunledningsgruppen for an assignment or an area |
|                      | whose fadder has no login (`roles.approval_falls_to_klg`) |
| approved             | kommunledningsgruppen |
| sent back, withdrawn | the area's active ledartröjor and whoever marked it ready, with the |
|                      | comment |

Nobody is mailed about their own step. A person without an e-mail address (neither
`Person.epost` nor their login's address) is skipped and logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal import roles
from uppfoljning.models import Historik, Uppfoljning
from utskick import queue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    name: str
    address: str
    user_id: int | None


def _person_recipient(person: Any) -> Recipient:
    user = person.user
    return Recipient(
        person.namn, person.epost or (user.email if user else ""), user.pk if user else None
    )


def _user_recipient(user: Any) -> Recipient:
    person = getattr(user, "person", None)
    name = person.namn if person else (user.get_full_name() or user.get_username())
    address = (person.epost if person else "") or user.email
    return Recipient(name, address, user.pk)


def _load(pk: int) -> Uppfoljning:
    return Uppfoljning.objects.select_related(
        "period", "omrade__fadder__user", "uppdrag", "andrad_av__person"
    ).get(pk=pk)


def _klg() -> list[Recipient]:
    return [_user_recipient(u) for u in roles.klg_members()]


def approvers(uppf: Uppfoljning) -> list[Recipient]:
    """Who approves: the area's fadder with a login, else kommunledningsgruppen."""
    falls_to_klg = Uppfoljning.objects.filter(pk=uppf.pk).filter(roles.approval_falls_to_klg())
    if falls_to_klg.exists():
        return _klg()
    return [_person_recipient(uppf.omrade.fadder)]


def writers(uppf: Uppfoljning) -> list[Recipient]:
    """The area's active ledartröjor, and whoever last marked the follow-up ready."""
    found: list[Recipient] = []
    if uppf.omrade_id:
        for lt in uppf.omrade.ledartrojor.filter(aktiv=True).select_related("person__user"):
            found.append(_person_recipient(lt.person))
    marked = (
        Historik.objects.filter(uppfoljning=uppf, handling=Historik.Handling.KLAR)
        .select_related("av__person")
        .order_by("-tid", "-pk")
        .first()
    )
    if marked is not None and marked.av is not None:
        found.append(_user_recipient(marked.av))
    return found


def _step(uppf: Uppfoljning, *handlingar: str) -> str:
    """The step being told about: its latest Historik row of these kinds (the event's key)."""
    pk = (
        Historik.objects.filter(uppfoljning=uppf, handling__in=handlingar)
        .order_by("-tid", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return f"signoff:{uppf.pk}:{pk}"


def _send(
    recipients: list[Recipient],
    *,
    step: str,
    by: Any,
    subject: str,
    template: str,
    ctx: dict[str, Any],
) -> list[str]:
    """Queue a mail to each recipient once (not the actor); returns the addresses."""
    sent: list[str] = []
    by_id = getattr(by, "pk", None)
    for r in recipients:
        if r.user_id is not None and r.user_id == by_id:
            continue
        if not r.address:
            log.info("No e-mail address for %s: not told about %r", r.name, subject)
            continue
        if r.address in sent:
            continue
        body = render_to_string(template, {**ctx, "name": r.name})
        queue(f"{step}:{r.address}", EmailMessage(subject, body, None, [r.address]))
        log.info("Queued %r to %s <%s>", subject, r.name, r.address)
        sent.append(r.address)
    return sent


def _ctx(uppf: Uppfoljning, by: Any, **extra: Any) -> dict[str, Any]:
    from uppfoljning.services import display_name

    path = reverse("arbetsyta:uppfoljning", args=[uppf.pk])
    return {
        "uppf": uppf,
        "subject": uppf.subject,
        "period": uppf.period,
        "by": display_name(by),
        "url": settings.SITE_URL.rstrip("/") + path,
        **extra,
    }


def marked_ready(pk: int, *, by: Any) -> list[str]:
    with translation.override(settings.LANGUAGE_CODE):
        uppf = _load(pk)
        subject = _("To approve: %(subject)s, %(period)s") % {
            "subject": uppf.subject,
            "period": uppf.period,
        }
        return _send(
            approvers(uppf),
            step=_step(uppf, Historik.Handling.KLAR),
            by=by,
            subject=subject,
            template="uppfoljning/email/klar.txt",
            ctx=_ctx(uppf, by),
        )


def approved(pk: int, *, by: Any, kommentar: str = "") -> list[str]:
    with translation.override(settings.LANGUAGE_CODE):
        uppf = _load(pk)
        subject = _("To publish: %(subject)s, %(period)s") % {
            "subject": uppf.subject,
            "period": uppf.period,
        }
        return _send(
            _klg(),
            step=_step(uppf, Historik.Handling.GODKAND),
            by=by,
            subject=subject,
            template="uppfoljning/email/godkand.txt",
            ctx=_ctx(uppf, by, kommentar=kommentar),
        )


def sent_back(pk: int, *, by: Any, kommentar: str, withdrawn: bool) -> list[str]:
    with translation.override(settings.LANGUAGE_CODE):
        uppf = _load(pk)
        names = {"subject": uppf.subject, "period": uppf.period}
        if withdrawn:
            subject = _("Scheduled publication withdrawn: %(subject)s, %(period)s") % names
        else:
            subject = _("Sent back to you: %(subject)s, %(period)s") % names
        return _send(
            writers(uppf),
            step=_step(uppf, Historik.Handling.TILLBAKA, Historik.Handling.ATERKALLAD),
            by=by,
            subject=subject,
            template="uppfoljning/email/tillbaka.txt",
            ctx=_ctx(
                uppf,
                by,
                kommentar=kommentar,
                withdrawn=withdrawn,
                draft=uppf.tillstand == Uppfoljning.Tillstand.UTKAST,
            ),
        )
