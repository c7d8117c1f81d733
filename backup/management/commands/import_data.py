from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backup.backup import ImportRefused, import_, load, non_empty_tables
from granskning import audit
from granskning.models import Granskningslogg


class Command(BaseCommand):
    help = (
        "Restore a file written by export_data into an EMPTY, migrated database: every row "
        "with the same primary key, in one transaction (nothing is written if anything fails). "
        "Refuses a database that already holds data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the export file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and that the database is empty, write nothing",
        )

    def handle(self, *args: Any, file: str, dry_run: bool = False, **options: Any) -> None:
        with open(file, encoding="utf-8") as f:
            data = json.load(f)
        try:
            load(data)
            if dry_run:
                busy = non_empty_tables()
                if busy:
                    raise ImportRefused(f"The database is not empty: {', '.join(sorted(busy))}.")
                rows = sum(len(block["rows"]) for block in data["models"])
                self.stdout.write(f"Dry run: would import {rows} rows; nothing written.")
                return

            def progress(label: str, n: int) -> None:
                if options["verbosity"] >= 1:
                    self.stdout.write(f"  {label}: {n}")

            counts = import_(data, progress)
        except ImportRefused as e:
            raise CommandError(str(e)) from e
        audit(
            action=Granskningslogg.Handling.IMPORT,
            exportfil_skapad=data.get("created"),
            rader=sum(counts.values()),
        )
        self.stdout.write(
            self.style.SUCCESS(f"Imported {sum(counts.values())} rows of {len(counts)} tables.")
        )
