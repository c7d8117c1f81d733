"""The one way this app sends e-mail: the portal's outbox (utskick/, issue 23).

`queue(key, message)` and `queue_many(items)` store one row per event key in the caller's
transaction and hand the sending to the task worker after the commit; a key already stored
is not stored again, so a repeated event sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.mail import EmailMessage


def queue(key: str, message: EmailMessage) -> bool:
    import utskick

    return utskick.queue(key, message)


def queue_many(items: Iterable[tuple[str, EmailMessage]]) -> int:
    import utskick

    return utskick.queue_many(items)
