"""The outbox: every e-mail the portal sends leaves through here (docs/deploy.md, "E-mail").

    from utskick import queue, queue_many

    queue("besked:17", EmailMessage(subject, body, None, [address]))  # -> True (new)

See utskick/outbox.py for the contract and utskick/sending.py for what the worker does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.core.mail import EmailMessage


def queue(key: str, message: EmailMessage) -> bool:
    from utskick.outbox import queue as _queue

    return _queue(key, message)


def queue_many(items: Iterable[tuple[str, EmailMessage]]) -> int:
    from utskick.outbox import queue_many as _queue_many

    return _queue_many(items)
