from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import models, transaction
from django.utils import timezone

from datasets import tyreso
from omraden.models import Aktivitet, Fas, Omrade, Person
from uppfoljning.models import (
    Historik,
    Indikator,
    Period,
    Publicering,
    Rapport,
    Status,
    Uppdrag,
    Uppfoljning,
)


class Command(BaseCommand):
    help = (
        "Loads Tyresö kommun's real data set: the seven areas and their faddrar, the "
        "innovation phases, the ten assignments of kommunplan 2023 (linked to the areas the "
        "documents link them to), the indicators with their baselines, the 2023 periods, the "
        "T2 2023 follow-up, three reports and the checkpoint. Rule: idempotent – rows are "
        "matched on their natural keys, only differing fields are written, and a second run "
        "changes nothing. --demo adds clearly marked fictional people and follow-ups for "
        "trying the portal out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo", action="store_true", help="also add fictional, clearly marked demo data"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.counts: Counter[str] = Counter()
        self.verbosity = options["verbosity"]
        with transaction.atomic():
            self._step("phases", self._load_phases)
            self._step("areas and faddrar", self._load_areas)
            self._step("assignments", self._load_assignments)
            self._step("indicators", self._load_indicators)
            self._step("periods and the T2 2023 follow-up", self._load_periods)
            self._step("reports", self._load_reports)
            self._step("checkpoint 29 November 2023", self._load_checkpoint)
            self._step("accessibility statement", self._load_accessibility_statement)
            if options["demo"]:
                from datasets.demo import load_demo

                self._step("demo data (fictional)", lambda: load_demo(self._upsert))
                if not options["dry_run"]:
                    from datasets.demo import create_demo_users

                    self.stdout.write("Demo logins (fictional; DEBUG only):")
                    create_demo_users(self.stdout.write)
            if options["dry_run"]:
                transaction.set_rollback(True)
        if self.verbosity < 1:
            return
        c = self.counts
        prefix = "Dry run, nothing written: would have " if options["dry_run"] else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{c['created']} created, {c['updated']} updated, "
                f"{c['unchanged']} unchanged."
            )
        )

    def _step(self, name: str, func: Any) -> None:
        before = self.counts.copy()
        func()
        done = self.counts - before
        if self.verbosity >= 1:
            self.stdout.write(
                f"  {name}: {done['created']} created, {done['updated']} updated, "
                f"{done['unchanged']} unchanged"
            )

    def _upsert(
        self, model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]
    ) -> Any:
        """Create, or update only the fields that differ, counting what happened."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self.counts["created"] += 1
            return obj
        changed = [name for name, value in values.items() if _differs(getattr(obj, name), value)]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.full_clean()
            obj.save(update_fields=changed)
            self.counts["updated"] += 1
        else:
            self.counts["unchanged"] += 1
        return obj

    def _load_phases(self) -> None:
        for ordning, namn, beskrivning in tyreso.FASER:
            self._upsert(Fas, {"ordning": ordning}, {"namn": namn, "beskrivning": beskrivning})

    def _load_areas(self) -> None:
        # All areas were in the first phase in 2023 (maj- and T2-rapporterna: "förstå behovet").
        forsta = Fas.objects.get(ordning=1)
        for nummer, slug, kortnamn, fraga, (namn, titel) in tyreso.OMRADEN:
            fadder = self._upsert(Person, {"namn": namn}, {"titel": titel, "fiktiv": False})
            self._upsert(
                Omrade,
                {"nummer": nummer},
                {
                    "slug": slug,
                    "kortnamn": kortnamn,
                    "fraga": fraga,
                    "fadder": fadder,
                    "fas": forsta,
                },
            )

    def _load_assignments(self) -> None:
        for ordning, (slug, namn) in enumerate(tyreso.UPPDRAG):
            overgripande = ordning == 0
            self._upsert(
                Uppdrag,
                {"slug": slug},
                {
                    "namn": namn,
                    "kommunplan_ar": 2023,
                    "ordning": ordning,
                    "overgripande": overgripande,
                    "beskrivning": tyreso.OVERGRIPANDE_BESKRIVNING if overgripande else "",
                },
            )

        # The links the documents give (datasets/tyreso.py); only added, never removed, so
        # links an administrator makes in the admin stay.
        for slug, numbers in tyreso.UPPDRAG_OMRADEN.items():
            uppdrag = Uppdrag.objects.get(slug=slug)
            missing = Omrade.objects.filter(nummer__in=numbers).exclude(uppdrag=uppdrag)
            if missing.exists():
                uppdrag.omraden.add(*missing)
                self.counts["updated"] += 1
            else:
                self.counts["unchanged"] += 1

    def _load_indicators(self) -> None:
        uppdrag = Uppdrag.objects.get(slug=tyreso.UPPDRAG[0][0])
        for ordning, row in enumerate(tyreso.INDIKATORER, start=1):
            slug, namn, horisont, enhet, riktning, kalla, startlage = row
            ar, tyr, riket = startlage if startlage else (None, None, None)
            self._upsert(
                Indikator,
                {"slug": slug},
                {
                    "namn": namn,
                    "uppdrag": uppdrag,
                    "horisont": horisont,
                    "enhet": enhet,
                    "riktning": riktning,
                    "kalla": kalla,
                    "startlage_ar": ar,
                    "startlage_tyreso": None if tyr is None else Decimal(tyr),
                    "startlage_riket": None if riket is None else Decimal(riket),
                    "ordning": ordning,
                },
            )

    def _load_periods(self) -> None:
        for tertial in tyreso.PERIODER_2023:
            self._upsert(
                Period, {"ar": 2023, "tertial": tertial}, {"tillstand": Period.Tillstand.STANGD}
            )
        t2 = Period.objects.get(ar=2023, tertial=2)
        uppdrag = Uppdrag.objects.get(slug=tyreso.UPPDRAG[0][0])
        publicerad = timezone.make_aware(tyreso.T2_2023_PUBLICERAD)
        uppf = self._upsert(
            Uppfoljning,
            {"period": t2, "uppdrag": uppdrag},
            {
                "status": Status.GRON,
                "sammanfattning": tyreso.T2_2023_SAMMANFATTNING,
                "tillstand": Uppfoljning.Tillstand.PUBLICERAD,
                "andrad_at": publicerad,
            },
        )
        # Publications and history are append-only: write them once.
        if not uppf.publiceringar.exists():
            Publicering.objects.create(
                uppfoljning=uppf,
                version=uppf.version,
                status=uppf.status,
                sammanfattning=uppf.sammanfattning,
                publicerad_at=publicerad,
                skapad_at=publicerad,
            )
            Historik.objects.create(
                uppfoljning=uppf,
                tid=publicerad,
                handling=Historik.Handling.PUBLICERAD,
                version=uppf.version,
                efter={"status": uppf.status, "tillstand": uppf.tillstand, "kalla": "load_tyreso"},
            )
            self.counts["created"] += 2
        else:
            self.counts["unchanged"] += 1

    def _load_reports(self) -> None:
        for slug, titel, datum, sammanfattning in tyreso.RAPPORTER:
            self._upsert(
                Rapport,
                {"slug": slug},
                {"titel": titel, "datum": datum, "sammanfattning": sammanfattning, "publik": True},
            )

    def _load_checkpoint(self) -> None:
        data = tyreso.CHECKPOINT
        aktivitet = self._upsert(
            Aktivitet,
            {"titel": data["titel"], "datum": data["datum"]},
            {"beskrivning": data["beskrivning"], "teman": data["teman"], "publik": True},
        )
        # The checkpoint followed up the work of all seven areas together.
        missing = Omrade.objects.exclude(pk__in=aktivitet.omraden.values("pk"))
        if missing.exists():
            aktivitet.omraden.add(*missing)
            self.counts["updated"] += 1

    def _load_accessibility_statement(self) -> None:
        # Create once: afterwards the statement is the administrator's (Django admin), and a
        # reload must never undo their edits.
        from portal.models import KandBrist, Tillganglighetsredogorelse

        data = tyreso.TILLGANGLIGHET
        statement = Tillganglighetsredogorelse.objects.filter(tjanst=data["tjanst"]).first()
        if statement is not None:
            self.counts["unchanged"] += 1
            return
        statement = Tillganglighetsredogorelse(**data)
        statement.full_clean()
        statement.save()
        for ordning, (beskrivning, skal, kriterium, atgard) in enumerate(tyreso.KANDA_BRISTER):
            KandBrist.objects.create(
                redogorelse=statement,
                beskrivning=beskrivning,
                skal=skal,
                kriterium=kriterium,
                atgard=atgard,
                ordning=ordning,
            )
        self.counts["created"] += 1 + len(tyreso.KANDA_BRISTER)


def _differs(current: Any, wanted: Any) -> bool:
    if isinstance(current, models.Model) or isinstance(wanted, models.Model):
        return getattr(current, "pk", None) != getattr(wanted, "pk", None)
    return current != wanted
