from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backup.backup import export
from granskning import audit
from granskning.models import Granskningslogg


class Command(BaseCommand):
    help = (
        "Write every row of the portal (history, input as received, sign-ups, audit log, users "
        "with password hashes and groups; not sessions) to one JSON file with a format "
        "version. The file is confidential. Restore with import_data into an empty database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args: Any, output: str | None = None, **options: Any) -> None:
        verbose = options["verbosity"] >= 1 and output is not None

        def progress(label: str, n: int) -> None:
            if verbose:
                self.stderr.write(f"  {label}: {n}")

        if output:
            try:
                out = open(output, "w", encoding="utf-8")
            except OSError as e:
                raise CommandError(f"Cannot write {output}: {e.strerror}.") from None
            with out:
                Path(output).chmod(0o600)
                # The export itself is an audited event, and the entry is part of the export.
                audit(action=Granskningslogg.Handling.EXPORT, fil=Path(output).name)
                counts = export(out, progress)
        else:
            audit(action=Granskningslogg.Handling.EXPORT, fil="-")
            counts = export(sys.stdout, progress)
        if verbose:
            self.stderr.write(
                self.style.SUCCESS(
                    f"Exported {sum(counts.values())} rows of {len(counts)} tables to {output}."
                )
            )
