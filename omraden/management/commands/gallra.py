"""`manage.py gallra`: apply the retention (gallring) the municipality has decided."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from omraden.models import Anmalan, Inspel

log = logging.getLogger(__name__)


def months_ago(now: dt.datetime, months: int) -> dt.datetime:
    """The same moment `months` calendar months earlier (clamped to the month's last day)."""
    year, month = divmod(now.year * 12 + (now.month - 1) - months, 12)
    month += 1
    day = now.day
    while True:
        try:
            return now.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1


class Command(BaseCommand):
    help = (
        "Retention (gallring): removes the name and e-mail address of resident input "
        "GALLRING['inspel_kontaktuppgifter_manader'] months after the input was closed "
        "(answered or rejected), and the name, e-mail address and accessibility needs of "
        "activity sign-ups GALLRING['anmalan_manader'] months after the activity. The records "
        "themselves are kept (input as received, published text, answer, sign-up status). "
        "Subscriptions to follow areas are deleted, with their address: unconfirmed ones "
        "PRENUMERATION_BEKRAFTA_DAGAR days after they were made, cancelled ones at once. "
        "--dry-run reports what would be removed without changing anything."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be removed; change nothing."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        now = timezone.now()
        rules = settings.GALLRING
        inspel_cutoff = months_ago(now, int(rules["inspel_kontaktuppgifter_manader"]))
        anmalan_cutoff = months_ago(now, int(rules["anmalan_manader"])).date()

        inspel = Inspel.objects.filter(stangd_at__lte=inspel_cutoff).filter(
            ~Q(namn="") | ~Q(epost="") | Q(visa_namn=True)
        )
        anmalningar = Anmalan.objects.filter(aktivitet__datum__lte=anmalan_cutoff).filter(
            ~Q(namn="") | ~Q(epost="") | ~Q(behov="")
        )
        prefix = "[dry run] " if dry_run else ""

        self.stdout.write(
            f"{prefix}Input closed before {inspel_cutoff:%Y-%m-%d}: removing names and e-mail…"
        )
        n_inspel = inspel.count()
        if not dry_run:
            with transaction.atomic():
                n_inspel = inspel.update(namn="", epost="", visa_namn=False, gallrad_at=now)
        self.stdout.write(f"{prefix}  {n_inspel} input")

        self.stdout.write(
            f"{prefix}Sign-ups for activities up to {anmalan_cutoff:%Y-%m-%d}: "
            "removing names, e-mail and needs…"
        )
        n_anmalan = anmalningar.count()
        if not dry_run:
            with transaction.atomic():
                n_anmalan = anmalningar.update(namn="", epost="", behov="", gallrad_at=now)
        self.stdout.write(f"{prefix}  {n_anmalan} sign-ups")

        # Subscriptions (prenumeration/): unconfirmed after PRENUMERATION_BEKRAFTA_DAGAR days,
        # cancelled ones at once; the rows are deleted, and the addresses with them.
        from prenumeration.services import gallra as gallra_prenumerationer

        n_obekraftade, n_avslutade = gallra_prenumerationer(now=now, dry_run=dry_run)
        self.stdout.write(
            f"{prefix}Subscriptions: deleted {n_obekraftade} unconfirmed (older than "
            f"{settings.PRENUMERATION_BEKRAFTA_DAGAR} days) and {n_avslutade} cancelled"
        )

        if not dry_run and (n_inspel or n_anmalan):
            # update() sends no signals: make the public pages drop the removed names.
            from portal import page_cache as cache

            cache.invalidate()

        summary = (
            f"{prefix}gallra: contact details removed from {n_inspel} input and personal data "
            f"from {n_anmalan} sign-ups; nothing deleted."
        )
        log.info(summary)
        self.stdout.write(self.style.SUCCESS(summary))
