"""Writes that span several models or send e-mail: resident input and activity sign-ups.

E-mail goes into the outbox (`utskick.queue`) in the same transaction as the write, under a key
naming the event; a worker sends it after the commit. A resident's request never waits for the
mail server, no mail goes out for a rolled-back write, and none is sent twice for one event.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from granskning import audit
from granskning.models import Granskningslogg
from omraden.models import Aktivitet, Anmalan, Besked, Initiativ, Inspel, Omrade
from portal import roles
from portal.lib.client import client_ip
from portal.lib.env import CACHE_ERRORS
from portal.viewer import Viewer
from utskick import queue

log = logging.getLogger(__name__)


# Abuse protection


def _client_key(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def over_rate_limit(request: HttpRequest, *, group: str, rate: str) -> bool:
    """Count this submission and say whether the client has gone over the limit.

    The count lives in the cache; while it is unreachable the limit fails open (the
    submission is accepted and a warning logged), as RATELIMIT_FAIL_OPEN says.
    """
    try:
        return is_ratelimited(
            request, group=group, key=_client_key, rate=rate, method="POST", increment=True
        )
    except CACHE_ERRORS as error:
        log.warning("Rate limit %r not counted, the cache is unreachable: %s", group, error)
        return False


# Mail


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _mail_later(key: str, subject: str, body: str, recipients: list[str]) -> None:
    """Queue one plain-text mail for the event `key`; the worker sends it after commit."""
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return
    queue(key, EmailMessage(subject, body, None, recipients))


def _staff_recipients_for(omrade: Omrade | None) -> list[str]:
    """The area's active ledartröjor and every moderator."""
    User = get_user_model()
    addresses = list(
        User.objects.filter(groups__name=roles.MODERATOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if omrade is not None:
        for lt in omrade.ledartrojor.filter(aktiv=True).select_related("person__user"):
            person = lt.person
            addresses.append(person.epost or (person.user.email if person.user else ""))
    return addresses


# Resident input


def inspel_create(*, data: dict[str, Any]) -> Inspel:
    """Save a resident's input and tell the area's ledartröjor and the moderators."""
    with transaction.atomic():
        inspel = Inspel.objects.create(**data)
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("New input waiting for moderation")
            body = _(
                "A resident has sent new input (%(kind)s) about: %(area)s.\n\n"
                "Moderate it in the workspace: %(url)s\n"
            ) % {
                "kind": inspel.get_typ_display(),
                "area": inspel.omrade.kortnamn if inspel.omrade else _("no area chosen"),
                "url": _absolute(reverse("omraden:moderering")),
            }
        _mail_later(f"inspel-ny:{inspel.pk}", subject, body, _staff_recipients_for(inspel.omrade))
    return inspel


# Decisions on input, and the one e-mail per decision round that tells the resident


def inspel_approve(*, inspel: Inspel, publicerad_text: str, by: Any) -> None:
    with transaction.atomic():
        inspel.approve(publicerad_text=publicerad_text, by=by)
        audit(action=Granskningslogg.Handling.MODERERING, by=by, obj=inspel, beslut="godkand")
        _note_decision(inspel, godkant=True)


def inspel_reject(*, inspel: Inspel, reason: str, by: Any) -> None:
    with transaction.atomic():
        inspel.reject(reason=reason, by=by)
        audit(action=Granskningslogg.Handling.MODERERING, by=by, obj=inspel, beslut="avvisad")
        _note_decision(inspel, avvisat=True)


def inspel_answer(*, inspel: Inspel, text: str, by: Any) -> None:
    with transaction.atomic():
        inspel.answer(text=text, by=by)
        audit(action=Granskningslogg.Handling.MODERERING, by=by, obj=inspel, beslut="besvarad")
        _note_decision(inspel, besvarat=True)


def inspel_link(
    *, inspel: Inspel, initiativ: Initiativ | None, uppfoljning: Any | None, by: Any
) -> None:
    """ "Ni sa – vi gjorde": record what the input fed into, and tell the resident."""
    with transaction.atomic():
        inspel.link(initiativ=initiativ, uppfoljning=uppfoljning)
        if initiativ is None and uppfoljning is None:
            return
        _note_decision(inspel, kopplat=True)


def _note_decision(inspel: Inspel, **decided: bool) -> None:
    """Join the decision to the input's unsent notice, sent a window after the latest one.

    Called after the decision has saved the input, so its row is locked until the commit:
    two decisions on one input wait for each other and never make two unsent notices.
    """
    if not inspel.epost:
        return
    window = dt.timedelta(seconds=settings.INSPEL_MEDDELANDE_FONSTER)
    besked = (
        Besked.objects.select_for_update().filter(inspel=inspel, skickat_at__isnull=True).first()
    ) or Besked(inspel=inspel)
    for field in decided:
        setattr(besked, field, True)
    besked.skicka_efter = timezone.now() + window
    besked.save()
    if window.total_seconds() <= 0:
        inspel_pk = inspel.pk
        transaction.on_commit(lambda: besked_send_due(inspel_pk=inspel_pk))


def besked_send_due(*, now: dt.datetime | None = None, inspel_pk: int | None = None) -> int:
    """Send the notices whose window has passed (one input's only, given `inspel_pk`).

    Each is marked sent and its e-mail queued (key "besked:<id>") in one transaction; the
    outbox's worker sends it and retries a failed send. Returns how many e-mails were queued.
    """
    now = now or timezone.now()
    due = Besked.objects.due(now)
    if inspel_pk is not None:
        due = due.filter(inspel_id=inspel_pk)
    sent = 0
    for pk in list(due.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                # Another run may be sending it: skip it rather than wait, or send it twice.
                besked = (
                    Besked.objects.select_for_update(skip_locked=True)
                    .filter(pk=pk, skickat_at__isnull=True)
                    .first()
                )
                if besked is None:
                    continue
                besked.skickat_at = timezone.now()
                besked.save(update_fields=["skickat_at"])
                message = _besked_message(besked)
                if message is not None:
                    queue(f"besked:{besked.pk}", message)
                    sent += 1
        except Exception:  # The decisions are saved; the notice waits for the next run.
            log.exception("Could not send the notice %s; the next run tries again", pk)
    return sent


def _besked_message(besked: Besked) -> EmailMessage | None:
    """The e-mail for a decision round: what was decided, and only the published text."""
    inspel = (
        Inspel.objects.select_related("omrade", "initiativ", "uppfoljning__period")
        .filter(pk=besked.inspel_id)
        .first()
    )
    if inspel is None or not inspel.epost:
        return None  # Its contact details were removed (gallra) before the window passed.
    # What the round decided, as the input stands now: a rejection after an approval in
    # the same round tells only the rejection.
    publicerat = besked.godkant and inspel.status == Inspel.Status.GODKAND
    avvisat = besked.avvisat and inspel.status == Inspel.Status.AVVISAD
    besvarat = besked.besvarat and bool(inspel.svar)
    kopplat = besked.kopplat and (inspel.initiativ is not None or inspel.uppfoljning is not None)
    if not (publicerat or avvisat or besvarat or kopplat):
        return None
    visible = Inspel.objects.visible_to(Viewer.resident()).filter(pk=inspel.pk).exists()
    with translation.override(settings.LANGUAGE_CODE):
        if avvisat:
            subject = _("Your input will not be published")
        elif publicerat:
            subject = _("Your input has been published")
        elif besvarat:
            subject = _("The municipality has answered your input")
        else:
            subject = _("You said – we did")
        ctx = {
            "inspel": inspel,
            "publicerat": publicerat,
            "avvisat": avvisat,
            "besvarat": besvarat,
            "kopplat": kopplat,
            "synlig": visible,
            "url": _absolute(
                inspel.omrade.get_absolute_url()
                if visible and inspel.omrade
                else reverse("omraden:tyck_till")
            ),
        }
        body = render_to_string("omraden/email/besked.txt", ctx)
    return EmailMessage(subject, body, None, [inspel.epost])


def waiting_count_for(user: Any) -> int:
    """How many new input the user may moderate are waiting (one query)."""
    if not roles.can_use_moderation(user):
        return 0
    return Inspel.objects.waiting().for_areas(roles.moderated_area_ids(user)).count()


# Activity sign-ups


def anmalan_create(*, aktivitet_id: int, namn: str, epost: str, behov: str) -> Anmalan:
    """Sign up: confirmed while there are seats, else on the waiting list.

    The activity row is locked (SELECT … FOR UPDATE) while counting the confirmed seats, so
    concurrent sign-ups are decided one after the other: never more confirmed than capacity.
    """
    with transaction.atomic():
        aktivitet = Aktivitet.objects.select_for_update().get(pk=aktivitet_id)
        confirmed = Anmalan.objects.filter(aktivitet=aktivitet).confirmed().count()
        full = aktivitet.kapacitet is not None and confirmed >= aktivitet.kapacitet
        anmalan = Anmalan.objects.create(
            aktivitet=aktivitet,
            namn=namn,
            epost=epost,
            behov=behov,
            status=Anmalan.Status.VANTELISTA if full else Anmalan.Status.BEKRAFTAD,
        )
        _tell_signed_up(anmalan)
    return anmalan


def _tell_signed_up(anmalan: Anmalan) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        if anmalan.status == Anmalan.Status.BEKRAFTAD:
            subject = _("Your place is confirmed: %(title)s") % {"title": anmalan.aktivitet.titel}
            what = _("You have a place at %(title)s on %(date)s.")
        else:
            subject = _("You are on the waiting list: %(title)s") % {
                "title": anmalan.aktivitet.titel
            }
            what = _(
                "%(title)s on %(date)s is full. You are on the waiting list and get an "
                "e-mail if a place becomes free."
            )
        body = _("Hello %(name)s,\n\n%(what)s\n\nCannot come? Cancel here: %(url)s\n") % {
            "name": anmalan.namn,
            "what": what
            % {"title": anmalan.aktivitet.titel, "date": anmalan.aktivitet.datum.isoformat()},
            "url": _absolute(reverse("omraden:anmalan", args=[anmalan.token])),
        }
    # One e-mail per sign-up and state: a place confirmed later (from the waiting list) is news.
    _mail_later(f"anmalan:{anmalan.pk}:{anmalan.status}", subject, body, [anmalan.epost])


def anmalan_cancel(*, token: str) -> Anmalan | None:
    """Cancel by the personal link; a freed seat goes to the first on the waiting list."""
    with transaction.atomic():
        anmalan = Anmalan.objects.select_related("aktivitet").filter(token=token).first()
        if anmalan is None or anmalan.status == Anmalan.Status.AVBOKAD:
            return anmalan
        # Lock the activity first, in the same order as anmalan_create: no deadlock.
        Aktivitet.objects.select_for_update().get(pk=anmalan.aktivitet_id)
        anmalan.refresh_from_db()
        was_confirmed = anmalan.status == Anmalan.Status.BEKRAFTAD
        anmalan.status = Anmalan.Status.AVBOKAD
        anmalan.avbokad_at = timezone.now()
        anmalan.save(update_fields=["status", "avbokad_at"])
        if was_confirmed:
            nxt = Anmalan.objects.filter(aktivitet_id=anmalan.aktivitet_id).waiting_list().first()
            if nxt is not None:
                nxt.status = Anmalan.Status.BEKRAFTAD
                nxt.save(update_fields=["status"])
                _tell_signed_up(nxt)
    return anmalan
