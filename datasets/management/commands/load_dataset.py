from __future__ import annotations

import importlib
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from datasets.loader import Loader

# The data sets, by name: the module whose STEPS load it (datasets/loader.py).
DATASETS = {
    "tyreso": "datasets.tyreso_steps",
    "exempelkommun": "datasets.exempelkommun",
}


class Command(BaseCommand):
    help = (
        "Loads a data set into the portal (the names and what each holds: see NAME below). "
        "Rule: idempotent – rows are matched on their natural keys, only differing fields are "
        "written, and a second run changes nothing. --demo adds clearly marked fictional "
        "people and follow-ups for trying the portal out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        described = "; ".join(
            f"'{name}': {importlib.import_module(module).DESCRIPTION}"
            for name, module in DATASETS.items()
        )
        parser.add_argument("name", help=f"the data set – {described}")
        parser.add_argument(
            "--demo", action="store_true", help="also add fictional, clearly marked demo data"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"]
        if name not in DATASETS:
            raise CommandError(
                f"Unknown data set '{name}'. Known data sets: {', '.join(DATASETS)}."
            )
        steps = importlib.import_module(DATASETS[name]).STEPS
        self.loader = Loader()
        self.verbosity = options["verbosity"]
        with transaction.atomic():
            for step_name, func in steps:
                self._step(step_name, func)
            if options["demo"]:
                from datasets.demo import load_demo

                self._step("demo data (fictional)", lambda loader: load_demo(loader.upsert))
                if not options["dry_run"]:
                    from datasets.demo import create_demo_users

                    self.stdout.write("Demo logins (fictional; DEBUG only):")
                    create_demo_users(self.stdout.write)
            if options["dry_run"]:
                transaction.set_rollback(True)
        if self.verbosity < 1:
            return
        c = self.loader.counts
        prefix = "Dry run, nothing written: would have " if options["dry_run"] else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{c['created']} created, {c['updated']} updated, "
                f"{c['unchanged']} unchanged."
            )
        )

    def _step(self, name: str, func: Any) -> None:
        before = self.loader.counts.copy()
        func(self.loader)
        done: Counter[str] = self.loader.counts - before
        if self.verbosity >= 1:
            self.stdout.write(
                f"  {name}: {done['created']} created, {done['updated']} updated, "
                f"{done['unchanged']} unchanged"
            )
