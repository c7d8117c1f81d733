"""The task that puts a publishing round's digests in the outbox (django.tasks).

The publishing request (or cron) only stores the round and enqueues this; the worker reads
the subscribers and queues one e-mail each. Safe to run twice: the event keys dedupe.
"""

from __future__ import annotations

from django.tasks import task


@task
def queue_round(omgang_id: int) -> int:
    from prenumeration.services import sammandrag_queue

    return sammandrag_queue(omgang_id=omgang_id)
