from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.management.base import BaseCommand, CommandParser
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from omraden.models import Ledartroja, Omrade, Person
from uppfoljning.models import Paminnelse, Period, Publicering
from utskick import queue


class Command(BaseCommand):
    help = (
        "Rule: from N days before an open period's reporting deadline (--days, default the "
        "PAMINNELSE_DAGAR setting), e-mail the ledartröjor and the fadder of every area whose "
        "follow-up for that period is not yet published. Each person gets at most one "
        "reminder per period (recorded in Paminnelse). Run daily by cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.PAMINNELSE_DAGAR,
            help="Remind this many days (or fewer) before the deadline.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say who would be reminded; send nothing."
        )

    def handle(self, *args: Any, days: int, dry_run: bool, **options: Any) -> None:
        today = timezone.localdate()
        # Reminders are for Swedish staff, whatever language the command runs in.
        translation.activate(settings.LANGUAGE_CODE)
        periods = Period.objects.filter(
            tillstand=Period.Tillstand.OPPEN,
            deadline__isnull=False,
            deadline__lte=today + dt.timedelta(days=days),
        ).order_by("ar", "tertial")
        sent = skipped = 0
        for period in periods:
            recipients = self._recipients(period)
            self.stdout.write(f"{period}: {len(recipients)} person(s) to remind")
            for person, areas in recipients:
                address = person.epost or (person.user.email if person.user else "")
                which = ", ".join(str(a) for a in areas)
                if not address:
                    self.stdout.write(f"  – {person.namn}: no e-mail address, skipped ({which})")
                    skipped += 1
                    continue
                if dry_run:
                    self.stdout.write(f"  would remind {person.namn} <{address}> about {which}")
                    sent += 1
                    continue
                if self._send(period, person, address, areas):
                    self.stdout.write(f"  reminded {person.namn} <{address}> about {which}")
                    sent += 1
        verb = "would send" if dry_run else "queued"
        self.stdout.write(
            self.style.SUCCESS(
                f"paminn: {verb} {sent} reminder(s) for {len(periods)} period(s), "
                f"{skipped} without e-mail address."
            )
        )

    def _recipients(self, period: Period) -> list[tuple[Person, list[Omrade]]]:
        """Ledartröjor and fadder of areas unpublished in `period`, minus those reminded."""
        published = Publicering.objects.filter(
            uppfoljning__period=period, uppfoljning__omrade=OuterRef("pk")
        )
        areas = list(
            Omrade.objects.annotate(publicerad=Exists(published))
            .filter(publicerad=False)
            .select_related("fadder__user")
            .order_by("nummer")
        )
        already = set(Paminnelse.objects.filter(period=period).values_list("person_id", flat=True))
        by_person: dict[int, tuple[Person, list[Omrade]]] = {}
        people: defaultdict[int, list[Omrade]] = defaultdict(list)
        for lt in Ledartroja.objects.filter(aktiv=True, omrade__in=areas).select_related(
            "person__user", "omrade"
        ):
            by_person.setdefault(lt.person_id, (lt.person, people[lt.person_id]))
            people[lt.person_id].append(lt.omrade)
        for area in areas:
            if area.fadder is not None:
                by_person.setdefault(area.fadder_id, (area.fadder, people[area.fadder_id]))
                if area not in people[area.fadder_id]:
                    people[area.fadder_id].append(area)
        return [pair for pid, pair in by_person.items() if pid not in already]

    def _send(self, period: Period, person: Person, address: str, areas: list[Omrade]) -> bool:
        """Record and queue the e-mail in one transaction (the outbox's worker sends it)."""
        deadline = date_format(period.deadline, "j F Y")
        subject = _("Reminder: the follow-up for %(period)s is due %(deadline)s") % {
            "period": period,
            "deadline": deadline,
        }
        body = _(
            "Hello %(name)s,\n\nThe follow-up for %(period)s is not yet published for:\n"
            "%(areas)s\n\nThe reporting deadline is %(deadline)s. Write and publish it in the "
            "workspace: %(url)s\n"
        ) % {
            "name": person.namn,
            "period": period,
            "areas": "\n".join(f"– {a}" for a in areas),
            "deadline": deadline,
            "url": settings.SITE_URL.rstrip("/") + reverse("arbetsyta:matris"),
        }
        try:
            with transaction.atomic():
                Paminnelse.objects.create(period=period, person=person, epost=address)
                queue(
                    f"paminn:{period.pk}:{person.pk}",
                    EmailMessage(subject, body, None, [address]),
                )
        except IntegrityError:
            # Another run reminded this person meanwhile: once per period and person.
            return False
        return True
