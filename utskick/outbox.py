"""Putting e-mail in the outbox: `queue()` and `queue_many()`.

Call them inside the transaction that makes the event (a sign-up, a publication): the row is
stored with it, or not at all, and the task that sends it is enqueued when it commits. The
event key names the event and the recipient ("digest:<round>:<subscription>"); a key that
is already in the outbox is not stored again, so an event is never queued twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import DNS_NAME, EmailMessage
from django.db import transaction

from utskick.models import Utskick

# Rows per INSERT and per "which of these keys exist" question.
_CHUNK = 1000


def message_id(key: str) -> str:
    """The e-mail's Message-ID, derived from the event key.

    Stable: if a worker dies after the mail server took a message and before it was marked
    sent, the message sent again carries the same Message-ID, so it is recognisable (and
    dropped by receivers that dedupe on it) as the same message.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    domain = urlsplit(settings.SITE_URL).hostname or str(DNS_NAME)
    return f"<{digest}.utskick@{domain}>"


def _row(key: str, message: EmailMessage) -> Utskick:
    if message.attachments:
        raise ValueError("The outbox does not store attachments.")
    if len(key) > Utskick._meta.get_field("nyckel").max_length:
        raise ValueError(f"Event key too long: {key!r}")
    headers = {str(k): str(v) for k, v in message.extra_headers.items()}
    mid = next((v for k, v in headers.items() if k.lower() == "message-id"), None)
    if mid is None:
        mid = headers["Message-ID"] = message_id(key)
    alternatives: list[Any] = [
        [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
    ]
    return Utskick(
        nyckel=key,
        message_id=mid,
        fran=str(message.from_email or settings.DEFAULT_FROM_EMAIL),
        till=[str(a) for a in message.to],
        kopia=[str(a) for a in message.cc],
        dold_kopia=[str(a) for a in message.bcc],
        svara_till=[str(a) for a in message.reply_to],
        amne=str(message.subject),
        text=str(message.body),
        alternativ=alternatives,
        rubriker=headers,
    )


def _send_after_commit(new: int) -> None:
    if new:
        # Imported here: the task module imports the sending code, which needs the mailers.
        from utskick.tasks import kick

        tasks = min(settings.UTSKICK_PARALLELLA, -(-new // settings.UTSKICK_PER_UPPGIFT))
        # robust: a failed enqueue (the database went away just after the commit) must not
        # fail the request whose write is saved; the row waits for the next nudge (cron).
        transaction.on_commit(lambda: kick(tasks=tasks), robust=True)


def queue(key: str, message: EmailMessage) -> bool:
    """Store `message` under `key` and send it after commit; False when the key was known."""
    row = _row(key, message)
    fields = {f.attname: getattr(row, f.attname) for f in Utskick._meta.concrete_fields}
    fields.pop("id")
    fields.pop("nyckel")
    _, created = Utskick.objects.get_or_create(nyckel=key, defaults=fields)
    _send_after_commit(int(created))
    return created


def queue_many(items: Iterable[tuple[str, EmailMessage]]) -> int:
    """`queue()` for many at once (INSERTs of 1000 rows); returns how many keys were new.

    Two callers queueing the same keys at the same moment both get them counted as new, but
    each key is still stored, and sent, once.
    """
    new = 0
    batch: dict[str, Utskick] = {}

    def flush() -> int:
        known = set(Utskick.objects.filter(nyckel__in=list(batch)).values_list("nyckel", flat=True))
        rows = [row for key, row in batch.items() if key not in known]
        Utskick.objects.bulk_create(rows, ignore_conflicts=True)
        batch.clear()
        return len(rows)

    for key, message in items:
        batch.setdefault(key, _row(key, message))
        if len(batch) >= _CHUNK:
            new += flush()
    if batch:
        new += flush()
    _send_after_commit(new)
    return new
