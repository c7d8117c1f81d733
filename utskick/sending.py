"""What the worker does with the outbox: claim a row, hand it to the mail server, mark it sent.

One task (`utskick.tasks.send_utskick`) sends what is due, up to UTSKICK_PER_UPPGIFT rows,
then hands over to a new task. Per row:

1. wait for a slot of the shared send rate (UTSKICK_PER_MINUT, counted in the `Takt` row so
   every worker shares it);
2. claim the row: one conditional UPDATE (`upptagen`, `forsok + 1`) that only one worker can
   win; on PostgreSQL the candidate is picked with SELECT … FOR UPDATE SKIP LOCKED;
3. hand it to the mail server on a connection kept open for the task;
4. mark it sent with one UPDATE, immediately.

A worker killed between 3 and 4 leaves a claim that is never marked sent: the only window in
which the database cannot know whether the mail server took the message. After UTSKICK_LEASE
seconds such a row is sent again with the same Message-ID (at least once; set
UTSKICK_SKICKA_OM_OSAKRA=0 for at most once, and it waits for a person instead). Either way it
is logged, shown under "stuck" in the admin and by `manage.py utskick`.

Failures: an answer from the mail server about this message (a refused recipient, a refused
body) is retried after UTSKICK_BACKOFF seconds, doubled per attempt, up to UTSKICK_MAX_FORSOK
attempts (a 5xx answer is final at once). A failure to reach the server at all (connection
refused, timeout, dropped connection, refused login) pauses the whole outbox instead (all
workers; UTSKICK_BACKOFF seconds, longer when that e-mail had been tried before): one try per
pause while the server is away, and no row is given up for an outage.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import socket
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, mailers
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from utskick.models import Takt, Utskick

log = logging.getLogger(__name__)

# A wait for the send rate longer than this ends the task; a later one is scheduled instead.
MAX_SLEEP = 5.0
MAX_BACKOFF = 3600.0


def as_message(row: Utskick) -> EmailMessage:
    kwargs: dict[str, Any] = {
        "subject": row.amne,
        "body": row.text,
        "from_email": row.fran,
        "to": row.till,
        "cc": row.kopia,
        "bcc": row.dold_kopia,
        "reply_to": row.svara_till,
        "headers": row.rubriker,
    }
    if row.alternativ:
        message = EmailMultiAlternatives(**kwargs)
        for content, mimetype in row.alternativ:
            message.attach_alternative(content, mimetype)
        return message
    return EmailMessage(**kwargs)


def backoff(attempts: int) -> float:
    """Seconds before the next try after `attempts` failed ones: doubling, at most an hour."""
    return min(settings.UTSKICK_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{get_random_string(8)}"


# The shared send rate


def _takt() -> Takt:
    takt = Takt.objects.filter(pk=1).first()
    if takt is None:
        takt, _ = Takt.objects.get_or_create(pk=1)
    return takt


def reserve_slot(now: dt.datetime) -> dt.datetime:
    """The moment this worker may send its next e-mail, reserved for it.

    A compare-and-set on the one `Takt` row: works on SQLite, where SELECT … FOR UPDATE does
    nothing, as well as on PostgreSQL. A slot further away than MAX_SLEEP is returned without
    taking it (the caller schedules a later task).
    """
    rate = settings.UTSKICK_PER_MINUT
    interval = dt.timedelta(seconds=60 / rate) if rate > 0 else dt.timedelta(0)
    for _ in range(50):
        nasta = _takt().nasta
        slot = max(nasta, now)
        if (slot - now).total_seconds() > MAX_SLEEP:
            return slot
        if interval == dt.timedelta(0) and slot == now:
            return now  # No rate and no pause: nothing to reserve.
        if Takt.objects.filter(pk=1, nasta=nasta).update(nasta=slot + interval):
            return slot
    return now + interval


def pause(seconds: float) -> dt.datetime:
    """Hold every worker's sending for `seconds` (the mail server could not be reached)."""
    until = timezone.now() + dt.timedelta(seconds=seconds)
    _takt()
    Takt.objects.filter(pk=1, nasta__lt=until).update(nasta=until)
    return until


# Claiming and marking


def claim(worker: str, now: dt.datetime) -> Utskick | None:
    """Take the next due row for this worker, or None when nothing is due."""
    skip_locked = connection.features.has_select_for_update_skip_locked
    for _ in range(10):
        with transaction.atomic():
            due = Utskick.objects.due(now).order_by("nasta_forsok", "pk")
            if skip_locked:
                due = due.select_for_update(skip_locked=True)
            found = due.values_list("pk", "upptagen", "upptagen_av").first()
            if found is None:
                return None
            pk, earlier, earlier_by = found
            won = (
                Utskick.objects.due(now)
                .filter(pk=pk)
                .update(upptagen=now, upptagen_av=worker, forsok=F("forsok") + 1)
            )
        if won:
            if earlier is not None:
                log.warning(
                    "Outbox %s: claimed at %s by %s and never marked sent (that worker died). "
                    "Sending it again with the same Message-ID; a duplicate if the mail "
                    "server had already taken it.",
                    pk,
                    earlier.isoformat(),
                    earlier_by,
                )
            return Utskick.objects.get(pk=pk)
    return None  # Others won every time: they are sending.


def _mark_sent(row: Utskick) -> None:
    # The last error stays: "sent, after this" is worth knowing.
    Utskick.objects.filter(pk=row.pk, skickat__isnull=True).update(
        skickat=timezone.now(), upptagen=None
    )


def _message_failed(row: Utskick, error: BaseException, *, final: bool, outage: bool) -> None:
    now = timezone.now()
    text = f"{type(error).__name__}: {error}"[:2000]
    # An outage says nothing about the message: it is never given up for one.
    if final or (not outage and row.forsok >= settings.UTSKICK_MAX_FORSOK):
        Utskick.objects.filter(pk=row.pk).update(upptagen=None, senaste_fel=text, avbrutet=now)
        log.error("Outbox %s (%s): given up after %s attempt(s): %s", row.pk, row, row.forsok, text)
        return
    wait = backoff(row.forsok)
    Utskick.objects.filter(pk=row.pk).update(
        upptagen=None, senaste_fel=text, nasta_forsok=now + dt.timedelta(seconds=wait)
    )
    log.warning(
        "Outbox %s (%s): attempt %s failed, next in %ss: %s", row.pk, row, row.forsok, wait, text
    )


def _is_about_message(error: BaseException) -> tuple[bool, bool]:
    """(the server answered about this message, the answer is final)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return True, bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return True, error.smtp_code >= 500
    if isinstance(error, (smtplib.SMTPException, OSError)):
        return False, False  # Could not reach or talk to the server: an outage.
    return True, False  # Anything else (a header the backend refuses): retried, then given up.


# The task's body


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    more: bool = False  # Stopped at the task's limit with rows still due.
    later: dt.datetime | None = None  # When the next task should run, if not now.


def send_due(*, limit: int | None = None, worker: str | None = None) -> Outcome:
    """Send due rows until none is due, `limit` is reached or the outbox is paused."""
    limit = limit or settings.UTSKICK_PER_UPPGIFT
    worker = worker or worker_id()
    outcome = Outcome()
    mailer = None
    try:
        while outcome.sent + outcome.failed < limit:
            now = timezone.now()
            slot = reserve_slot(now)
            wait = (slot - now).total_seconds()
            if wait > MAX_SLEEP:
                outcome.later = slot
                return outcome
            if wait > 0:
                time.sleep(wait)
            row = claim(worker, timezone.now())
            if row is None:
                return outcome
            try:
                if mailer is None:
                    mailer = mailers.default
                    mailer.open()
                mailer.send_messages([as_message(row)])
            except Exception as error:  # Classified below; never lost, at worst given up.
                outcome.failed += 1
                about_message, final = _is_about_message(error)
                _message_failed(row, error, final=final and about_message, outage=not about_message)
                if mailer is not None:
                    try:
                        mailer.close()
                    except Exception:  # Closing a broken connection may fail too.
                        pass
                    mailer = None
                if not about_message:
                    outcome.later = pause(backoff(row.forsok))
                    log.error("Outbox paused until %s: %s", outcome.later.isoformat(), error)
                    return outcome
                continue
            _mark_sent(row)
            outcome.sent += 1
        outcome.more = Utskick.objects.due(timezone.now()).exists()
        return outcome
    finally:
        if mailer is not None:
            mailer.close()


def next_due() -> dt.datetime | None:
    """When the earliest waiting row becomes due (a retry), or None when nothing waits."""
    lease = dt.timedelta(seconds=settings.UTSKICK_LEASE)
    agg = Utskick.objects.waiting().aggregate(
        retry=Min("nasta_forsok", filter=Q(upptagen__isnull=True)),
        claimed=Min("upptagen"),
    )
    times = [agg["retry"]]
    if settings.UTSKICK_SKICKA_OM_OSAKRA and agg["claimed"] is not None:
        times.append(agg["claimed"] + lease)
    times = [t for t in times if t is not None]
    return min(times) if times else None
