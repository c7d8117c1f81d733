"""`manage.py skicka_sammandrag`: close a publishing round and queue its digests."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from prenumeration import services
from prenumeration.models import Omgang


class Command(BaseCommand):
    help = (
        "Rule: each subscriber gets one e-mail per publishing round. A round gathers the "
        "publications that became visible (scheduled ones when their time comes), input "
        "answered and activities and reports added since the previous round, and closes once "
        "nothing new has come for SAMMANDRAG_TYST seconds (or the first has waited "
        "SAMMANDRAG_MAX_VANTAN). Its digests and 'Ni sa – vi gjorde' notices are put in the "
        "outbox by a task; a round not fully queued is handed to the task again. Run every "
        "minute by cron. --dry-run says what is waiting; changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what is waiting; change nothing."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        if dry_run:
            pending = len(services._pending_publications(timezone.now()))
            unqueued = Omgang.objects.filter(klar_at__isnull=True).count()
            self.stdout.write(
                f"skicka_sammandrag: {pending} publication(s) wait for a round, {unqueued} "
                "round(s) not yet queued (dry run)."
            )
            return
        rounds = services.sammandrag_run()
        self.stdout.write(
            self.style.SUCCESS(f"skicka_sammandrag: {len(rounds)} round(s) handed to the task.")
        )
