"""The outbox's task for Django's tasks framework (TASKS in portal/settings.py)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from utskick import sending
from utskick.models import Takt

log = logging.getLogger(__name__)


@task()
def send_utskick() -> dict[str, int]:
    """Send what is due in the outbox (at most UTSKICK_PER_UPPGIFT rows), then hand over."""
    outcome = sending.send_due()
    if outcome.more:
        kick()
    else:
        later = outcome.later or sending.next_due()
        if later is not None:
            kick(at=max(later, timezone.now()))
    return {"sent": outcome.sent, "failed": outcome.failed}


def kick(*, tasks: int = 1, at: dt.datetime | None = None) -> None:
    """Enqueue `tasks` sending tasks, now or (one, deduplicated) at `at`."""
    if at is None:
        for _ in range(tasks):
            send_utskick.enqueue()
        return
    if not send_utskick.get_backend().supports_defer:
        # The immediate backend (development, tests) cannot wait: the rows stay due for the
        # next e-mail queued or `manage.py utskick --skicka`.
        log.info("Outbox: rows wait until %s; nothing is scheduled (no deferring backend)", at)
        return
    Takt.objects.get_or_create(pk=1)
    now = timezone.now()
    # Only one follow-up per moment: skip when one is already planned no later than `at`.
    planned = (
        Takt.objects.filter(pk=1)
        .filter(Q(planerad__isnull=True) | Q(planerad__lt=now) | Q(planerad__gt=at))
        .update(planerad=at)
    )
    if planned:
        send_utskick.using(run_after=at).enqueue()
