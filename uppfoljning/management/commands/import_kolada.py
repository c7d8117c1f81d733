from __future__ import annotations

import re
from argparse import ArgumentParser
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from kommun.models import Kommun
from uppfoljning.kolada import (
    RIKET,
    ApiSource,
    FileSource,
    KoladaError,
    Source,
    parse_kpi_meta,
    read_values,
)
from uppfoljning.models import Indikator, Matvarde


class DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def parse_years(text: str) -> range:
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", text)
    if not match:
        raise CommandError(f"--years {text!r}: give a year (2023) or a range (2015-2025).")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise CommandError(f"--years {text!r}: the range ends before it starts.")
    return range(first, last + 1)


def fmt(value: Decimal | None) -> str:
    return "–" if value is None else f"{value.normalize():f}"


class Command(BaseCommand):
    help = (
        "Import the municipality's value (its Kolada id is set in the admin, e.g. 0138) and the "
        "national (0000) value per year from Kolada's API v3 for every indicator that "
        "carries a Kolada KPI id and title. The KPI's title in "
        "Kolada must still match the stored title, or nothing is imported. Missing values "
        "(null) are left out, never stored as 0. Everything is read and checked first and "
        "written in one transaction: malformed input writes nothing. A --file is read and "
        "checked whole (every KPI in it), even while no indicator carries a KPI id. "
        "Idempotent; --dry-run shows what would change. Without internet access, use --file "
        "with saved responses (format in docs/kolada.md)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--file", type=Path, help="Read saved API responses from this file.")
        parser.add_argument("--kpi", help="Import only the indicator(s) with this KPI id.")
        parser.add_argument(
            "--years",
            default=f"2015-{timezone.localdate().year}",
            help="A year or a range, e.g. 2015-2025 (default: 2015 to this year).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show changes, write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        years = parse_years(options["years"])
        kommun = Kommun.objects.current()
        if not kommun.kolada_id:
            raise CommandError(
                "The municipality's Kolada id is not set: enter it in the admin "
                "(Municipality → Kolada municipality id). Nothing was imported."
            )
        self.kolada_id = kommun.kolada_id
        self.kortnamn = kommun.kortnamn
        try:
            # A file is read and checked whole before anything else, even when no indicator
            # asks for its KPIs yet: a bad file is refused today, not on the day one does.
            file = FileSource(options["file"], self.kolada_id) if options["file"] else None
        except KoladaError as e:
            raise CommandError(f"{e} Nothing was imported.") from None
        indikatorer = list(Indikator.objects.exclude(kolada_kpi="").order_by("ordning", "pk"))
        if options["kpi"]:
            indikatorer = [i for i in indikatorer if i.kolada_kpi == options["kpi"]]
            if not indikatorer:
                raise CommandError(f"No indicator carries the Kolada KPI {options['kpi']}.")
        if not indikatorer:
            checked = f" The file's {len(file.kpis)} KPI(s) are sound." if file else ""
            self.stdout.write(f"No indicator carries a Kolada KPI id: nothing to import.{checked}")
            return
        without_title = [i.slug for i in indikatorer if not i.kolada_titel.strip()]
        if without_title:
            raise CommandError(
                f"Indicator(s) {', '.join(without_title)} have a KPI id but no Kolada title to "
                "check it against. Nothing was imported."
            )

        try:
            source: Source = file or ApiSource(self.kolada_id)
            fetched = self._read_all(source, indikatorer, years)
        except KoladaError as e:
            raise CommandError(f"{e} Nothing was imported.") from None

        counts = {"created": 0, "updated": 0, "unchanged": 0}
        try:
            with transaction.atomic():
                for indikator, per_year in fetched:
                    self._store(indikator, per_year, counts)
                if options["dry_run"]:
                    raise DryRun
        except DryRun:
            self.stdout.write("Dry run, nothing written.")
        self.stdout.write(
            f"Kolada import of {len(fetched)} indicator(s), {years.start}–{years.stop - 1}: "
            f"{counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged."
        )

    def _read_all(
        self, source: Source, indikatorer: list[Indikator], years: range
    ) -> list[tuple[Indikator, dict[int, dict[str, Decimal]]]]:
        """Everything is fetched and checked before anything is written."""
        fetched = []
        metas = {}
        for indikator in indikatorer:
            kpi = indikator.kolada_kpi
            if kpi not in metas:
                metas[kpi] = parse_kpi_meta(kpi, source.kpi_meta(kpi))
            meta = metas[kpi]
            if meta.title != indikator.kolada_titel.strip():
                raise KoladaError(
                    f"The title of Kolada KPI {kpi} has changed: Kolada now says "
                    f"{meta.title!r}, indicator {indikator.slug!r} expects "
                    f"{indikator.kolada_titel.strip()!r}. Check that the KPI still measures the "
                    "same thing, then update the indicator's Kolada title."
                )
            fetched.append((indikator, read_values(source, meta, years, self.kolada_id)))
        return fetched

    def _store(
        self,
        indikator: Indikator,
        per_year: dict[int, dict[str, Decimal]],
        counts: dict[str, int],
    ) -> None:
        for ar in sorted(per_year):
            kommun = per_year[ar].get(self.kolada_id)
            riket = per_year[ar].get(RIKET)
            # Quantise as the column stores it, so a re-run compares equal values as equal.
            kommun = None if kommun is None else kommun.quantize(Decimal("0.01"))
            riket = None if riket is None else riket.quantize(Decimal("0.01"))
            _row, change = indikator.set_value(
                ar=ar, kommun=kommun, riket=riket, kalla=Matvarde.Kalla.KOLADA
            )
            counts[change] += 1
            if self.verbosity > 0:
                self.stdout.write(
                    f"  {indikator.slug} {ar}: {change} "
                    f"({self.kortnamn} {fmt(kommun)}, riket {fmt(riket)})"
                )
