from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backup.backup import ImportRefused, checked_blocks, import_, read
from granskning import audit
from granskning.models import Granskningslogg


class Command(BaseCommand):
    help = (
        "Restore a file written by export_data (plain or gzip-compressed) into an EMPTY, "
        "migrated database: every row with the same primary key, in one transaction. The "
        "whole file is read and checked first (its shape, every value's type, every reference); "
        "a bad file or a database that already holds data stops it with one line saying why, "
        "and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the export file (.json or .json.gz)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file, and insert it into the empty database and roll back",
        )

    def handle(self, *args: Any, file: Path, dry_run: bool = False, **options: Any) -> None:
        try:
            data = read(Path(file))
            blocks = checked_blocks(data)
            counts = import_(blocks, dry_run=dry_run)
        except ImportRefused as e:
            raise CommandError(f"{e} Nothing was imported.") from None
        if dry_run:
            self.stdout.write(
                f"Dry run: the file is sound and fits this database ({sum(counts.values())} "
                "rows); nothing written."
            )
            return
        created = data.get("created")
        audit(
            action=Granskningslogg.Handling.IMPORT,
            exportfil_skapad=created if isinstance(created, str) else None,
            rader=sum(counts.values()),
        )
        if options["verbosity"] >= 1:
            for label, n in counts.items():
                self.stdout.write(f"  {label}: {n}")
        self.stdout.write(
            self.style.SUCCESS(f"Imported {sum(counts.values())} rows of {len(counts)} tables.")
        )
