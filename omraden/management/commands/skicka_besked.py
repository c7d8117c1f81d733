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
        "the latest of them. Sends every notice whose time has come; one that fails is tried "
        "again at the next run. Run every minute by cron. --dry-run counts them, sends nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Say how many are due; send nothing."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        if dry_run:
            due = Besked.objects.due(timezone.now()).count()
            self.stdout.write(f"skicka_besked: {due} notice(s) due, none sent (dry run).")
            return
        sent = services.besked_send_due()
        self.stdout.write(self.style.SUCCESS(f"skicka_besked: sent {sent} e-mail(s)."))
