"""`manage.py skicka_besked`: e-mail residents what was decided on their input."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from omraden import services
from omraden.models import Besked


class Command(BaseCommand):
    help = (
        "Rule: the decisions on one input (approve, reject, answer, link) reach the resident "
        "who left an e-mail address as one e-mail, sent INSPEL_MEDDELANDE_FONSTER seconds after "
        "the latest of them. Puts every notice whose time has come in the outbox (utskick), whose "
        "worker sends it and retries a failed send. Run every minute by cron. --dry-run counts "
        "them, queues nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Say how many are due; queue nothing."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        if dry_run:
            due = Besked.objects.due(timezone.now()).count()
            self.stdout.write(f"skicka_besked: {due} notice(s) due, none queued (dry run).")
            return
        sent = services.besked_send_due()
        self.stdout.write(
            self.style.SUCCESS(f"skicka_besked: queued {sent} e-mail(s) for sending.")
        )
