from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    no_translations,
)
from django.db import transaction

from uppfoljning.models import Period

# The three periods of a year: tertial, option name, name in messages.
TERTIALS = ((1, "t1", "T1"), (2, "t2", "T2"), (3, "ar", "ÅR"))


def _year(value: str) -> int:
    # Checked here rather than by argparse, whose error takes two lines (usage and message).
    if not (value.isascii() and value.isdigit() and len(value) == 4):
        raise CommandError(f"Not a year: {value!r}; write it as four digits, e.g. 2027.")
    return int(value)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date: {value!r}; write it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Creates a year's periods T1, T2 and ÅR in one step, planned, each with its reporting "
        "deadline (default from the PERIOD_DEADLINES setting; the ÅR deadline falls in the "
        "following year). Rule: idempotent – a period that already exists is left as it is "
        "and reported. Deadlines can be changed per period in the admin afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ar", help="the year, e.g. 2027")
        for _tertial, option, label in TERTIALS:
            parser.add_argument(
                f"--deadline-{option}",
                metavar="YYYY-MM-DD",
                help=f"the deadline of {label} instead of the default",
            )
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be created, write nothing"
        )

    # In English like the other commands' output, the states and the model's messages too.
    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        ar = _year(options["ar"])
        given = {
            tertial: _date(options[f"deadline_{option}"])
            for tertial, option, _label in TERTIALS
            if options[f"deadline_{option}"]
        }
        try:
            with transaction.atomic():
                result = Period.objects.create_year(ar, given)
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except ValidationError as error:
            # One clear line: the first thing to correct.
            raise CommandError(" ".join(str(m) for m in error.messages)) from None
        created = 0
        for period, was_created in result:
            deadline = period.deadline.isoformat() if period.deadline else "none"
            if was_created:
                created += 1
                verb = "would be created" if options["dry_run"] else "created"
                self.stdout.write(f"{period.kort}: {verb}, deadline {deadline}")
            else:
                self.stdout.write(
                    f"{period.kort}: exists already ({period.get_tillstand_display()}, "
                    f"deadline {deadline}), left as it is"
                )
        if options["dry_run"]:
            summary = f"Dry run, nothing written: {ar}: {created} period(s) to create"
        else:
            summary = f"{ar}: {created} period(s) created"
        self.stdout.write(self.style.SUCCESS(f"{summary}, {len(result) - created} already there."))
