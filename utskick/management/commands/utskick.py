"""`manage.py utskick`: the outbox's state, and a nudge for the worker."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from utskick.models import Utskick

log = logging.getLogger("utskick")


class Command(BaseCommand):
    help = (
        "Rule: every e-mail waits in the outbox until a worker (manage.py db_worker) has sent "
        "it. Shows how many wait, are due, were sent in the last day or given up, and lists "
        "the stuck ones: claimed by a worker longer ago than UTSKICK_LEASE and never marked "
        "sent (the worker died; their Message-ID tells whether the mail server has them). "
        "--skicka enqueues a sending task (run it every few minutes by cron: it picks up what "
        "a dead worker left). --fail-if-stuck exits with status 1 when any is stuck."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--skicka", action="store_true", help="Enqueue a sending task.")
        parser.add_argument(
            "--fail-if-stuck", action="store_true", help="Exit 1 when an e-mail is stuck."
        )

    def handle(self, *args: Any, skicka: bool, fail_if_stuck: bool, **options: Any) -> None:
        now = timezone.now()
        rows = Utskick.objects
        stuck = list(rows.stuck(now).order_by("upptagen")[:50])
        stuck_count = rows.stuck(now).count()
        self.stdout.write(
            f"utskick: {rows.waiting().count()} waiting, {rows.due(now).count()} due, "
            f"{rows.filter(skickat__gte=now - dt.timedelta(days=1)).count()} sent in 24 h, "
            f"{rows.filter(avbrutet__isnull=False).count()} given up, {stuck_count} stuck."
        )
        for row in stuck:
            self.stdout.write(
                f"  stuck: {row.nyckel} claimed {row.upptagen:%Y-%m-%d %H:%M:%S} by "
                f"{row.upptagen_av}, attempts {row.forsok}, {row.message_id}"
            )
        if stuck_count:
            log.warning("Outbox: %s e-mail(s) stuck (claimed, never marked sent)", stuck_count)
        if skicka:
            from utskick.tasks import kick

            kick()
            self.stdout.write("utskick: a sending task is enqueued.")
        if fail_if_stuck and stuck_count:
            raise CommandError(f"{stuck_count} e-mail(s) stuck", returncode=1)
