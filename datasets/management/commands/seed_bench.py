"""Fill an empty database with a large, realistic synthetic data set for `make bench`."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

from datasets.bench import marker
from omraden.models import Aktivitet, Inspel, Omrade
from portal import page_cache as public_cache
from portal import roles
from uppfoljning.models import (
    Historik,
    Indikator,
    Matvarde,
    Period,
    Publicering,
    Rapport,
    Status,
    Uppdrag,
    Uppfoljning,
)

BATCH = 2000
BENCH_USERNAME = "bench-klg"

SCALES: dict[str, dict[str, int]] = {
    # For comparison: one year of follow-ups and a hundredth of the rest.
    "small": {
        "years": 1,
        "revisions": 10,
        "inspel": 1_000,
        "aktiviteter": 100,
        "indikatorer": 10,
        "rapporter_per_ar": 10,
    },
    # Issue 7's top scale: 20 years × 3 periods × (7 areas + 10 assignments), 10 revisions.
    "top": {
        "years": 20,
        "revisions": 10,
        "inspel": 100_000,
        "aktiviteter": 10_000,
        "indikatorer": 50,
        "rapporter_per_ar": 10,
    },
}

# Words residents and staff use, so that search has realistic text to work on.
_TOPICS = [
    "återbruk av möbler och kläder",
    "fler mötesplatser för unga på kvällarna",
    "trygghet vid busshållplatsen i Bollmora",
    "enklare e-tjänster för bygglov",
    "bättre belysning på gångvägen till skolan",
    "en cykelbana längs Tyresövägen",
    "längtan efter gemenskap bland äldre",
    "service till företagare i centrum",
    "antikrångel i ansökan om försörjningsstöd",
    "föreningslivet och lokaler för kultur",
    "naturen kring Alby sjö och Tyresta",
    "sommarjobb för ungdomar",
    "kontakt och bemötande i kundcenter",
    "digitala lösningar för att boka lokaler",
    "klimatet och mindre bilåkande",
]
_OPENINGS = [
    "Jag vill föreslå",
    "Det vore bra med",
    "Varför finns det inte",
    "Tack för arbetet med",
    "Jag har synpunkter på",
    "Kan kommunen satsa på",
]
_ENDINGS = [
    "Det skulle göra stor skillnad för många i Tyresö.",
    "Jag hjälper gärna till om ni vill prata mer.",
    "Många grannar håller med mig.",
    "Tänk på barnen och de äldre.",
    "",
]


def _text(rng: random.Random, sentences: int = 2) -> str:
    parts = [
        f"{rng.choice(_OPENINGS)} {rng.choice(_TOPICS)}. {rng.choice(_ENDINGS)}".strip()
        for _ in range(sentences)
    ]
    return " ".join(parts)


def _batches(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def read_marker() -> str:
    """The scale marker stored on the database (PostgreSQL only; '' elsewhere or when unset)."""
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        row = cursor.fetchone()
    return (row[0] or "") if row else ""


class Command(BaseCommand):
    help = (
        "Fills an EMPTY database with a large synthetic data set for the benchmark (make bench): "
        "the real Tyresö data plus, at --scale top, 20 years × 3 periods × (7 areas + 10 "
        "assignments) follow-ups with 10 revisions each (Historik rows and Publicering "
        "versions), 100,000 resident inputs, 10,000 activities and 50 indicators × 20 years; "
        "--scale small is a hundredth for comparison. Rule: every row respects the database "
        "constraints; it refuses a database that already holds resident input, so it can never "
        "mix with real data. Never run it against production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would be created, write nothing"
        )
        parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")

    def handle(self, *args: Any, **options: Any) -> None:
        scale = options["scale"]
        self.cfg = SCALES[scale]
        self.rng = random.Random(options["seed"])
        self.verbosity = options["verbosity"]
        cfg = self.cfg
        years = cfg["years"]
        follow_ups = years * 3 * 17
        plan = {
            "follow-ups": follow_ups,
            "publications": follow_ups * cfg["revisions"],
            "history rows": follow_ups * cfg["revisions"],
            "resident inputs": cfg["inspel"],
            "activities": cfg["aktiviteter"],
            "indicators": cfg["indikatorer"],
            "indicator values": cfg["indikatorer"] * years,
            "reports": years * cfg["rapporter_per_ar"],
        }
        if options["dry_run"]:
            for what, n in plan.items():
                self.stdout.write(f"would create about {n:,} {what}")
            self.stdout.write(f"dry run: nothing written (scale {scale})")
            return
        if Inspel.objects.exists():
            raise CommandError(
                "This database already holds resident input: seed_bench only fills an empty "
                "database (make bench creates its own, kommungemensamt_bench)."
            )
        started = time.monotonic()
        call_command("load_dataset", "tyreso", verbosity=0)
        self.now = timezone.now()
        self.this_year = timezone.localdate().year
        self.years = list(range(self.this_year - years + 1, self.this_year + 1))
        with transaction.atomic():
            self._step("periods", self._periods)
            self._step("follow-ups, publications and history", self._follow_ups)
            self._step("activities", self._activities)
            self._step("resident input", self._inspel)
            self._step("indicators and values", self._indicators)
            self._step("reports", self._reports)
            self._step("benchmark user", self._user)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # As autovacuum would (it may be off on a test server): statistics, and the
                # visibility map that index-only scans need, so counts stay cheap.
                cursor.execute("VACUUM (ANALYZE)")
                name = connection.settings_dict["NAME"]
                cursor.execute(f"COMMENT ON DATABASE \"{name}\" IS '{marker(scale)}'")
        public_cache.invalidate()
        counts = ", ".join(
            f"{model._meta.verbose_name_plural}: {model.objects.count():,}"
            for model in (Uppfoljning, Publicering, Historik, Inspel, Aktivitet, Matvarde)
        )
        self.stdout.write(f"seed_bench {scale}: {counts} in {time.monotonic() - started:.0f} s")

    def _step(self, name: str, fn: Callable[[], None]) -> None:
        started = time.monotonic()
        if self.verbosity:
            self.stdout.write(f"{name} …")
        fn()
        if self.verbosity:
            self.stdout.write(f"  {name}: done in {time.monotonic() - started:.1f} s")

    def _bulk(self, model: type[models.Model], rows: Iterable[Any], total: int) -> list[Any]:
        created: list[Any] = []
        done = 0
        for batch in _batches(rows):
            created.extend(model.objects.bulk_create(batch))
            done += len(batch)
            if self.verbosity > 1 or (self.verbosity and done % (BATCH * 10) == 0):
                self.stdout.write(f"  {model._meta.verbose_name_plural}: {done:,}/{total:,}")
        return created

    # Steps

    def _periods(self) -> None:
        existing = {(p.ar, p.tertial) for p in Period.objects.all()}
        rows = []
        last = (self.years[-1], 3)
        for ar in self.years:
            for tertial in (1, 2, 3):
                if (ar, tertial) in existing:
                    continue
                is_last = (ar, tertial) == last
                rows.append(
                    Period(
                        ar=ar,
                        tertial=tertial,
                        deadline=dt.date(ar, min(12, tertial * 4 + 1), 15),
                        tillstand=Period.Tillstand.OPPEN if is_last else Period.Tillstand.STANGD,
                        stangd_at=None if is_last else self.now,
                    )
                )
        self._bulk(Period, rows, len(rows))
        self.periods = list(Period.objects.filter(ar__in=self.years))

    def _status(self) -> tuple[str, str, str]:
        status = self.rng.choices([Status.GRON, Status.GUL, Status.ROD], [6, 3, 1])[0]
        if status == Status.GRON:
            return status, "", ""
        return status, f"Orsak: {_text(self.rng, 1)}", f"Åtgärder: {_text(self.rng, 1)}"

    def _follow_ups(self) -> None:
        omraden = list(Omrade.objects.all())
        uppdrag = list(Uppdrag.objects.all())
        for n in range(len(uppdrag) + 1, 11):
            uppdrag.append(
                Uppdrag.objects.create(
                    namn=f"Testuppdrag {n}", slug=f"testuppdrag-{n}", kommunplan_ar=2023, ordning=n
                )
            )
        taken_o = set(Uppfoljning.objects.values_list("period_id", "omrade_id"))
        taken_u = set(Uppfoljning.objects.values_list("period_id", "uppdrag_id"))
        rows = []
        for period in self.periods:
            subjects: list[dict[str, Any]] = [
                {"omrade": o} for o in omraden if (period.pk, o.pk) not in taken_o
            ] + [{"uppdrag": u} for u in uppdrag if (period.pk, u.pk) not in taken_u]
            for subject in subjects:
                status, orsak, atgarder = self._status()
                rows.append(
                    Uppfoljning(
                        period=period,
                        status=status,
                        sammanfattning=_text(self.rng, 3),
                        orsak=orsak,
                        atgarder=atgarder,
                        tillstand=Uppfoljning.Tillstand.PUBLICERAD,
                        version=self.cfg["revisions"],
                        andrad_at=self._published_at(period, self.cfg["revisions"]),
                        **subject,
                    )
                )
        uppfs = self._bulk(Uppfoljning, rows, len(rows))
        revisions = self.cfg["revisions"]

        def publications() -> Iterator[Publicering]:
            for uppf in uppfs:
                for version in range(1, revisions + 1):
                    last = version == revisions
                    status, orsak, atgarder = (
                        (uppf.status, uppf.orsak, uppf.atgarder) if last else self._status()
                    )
                    yield Publicering(
                        uppfoljning=uppf,
                        version=version,
                        status=status,
                        sammanfattning=uppf.sammanfattning if last else _text(self.rng, 3),
                        orsak=orsak,
                        atgarder=atgarder,
                        publicerad_at=self._published_at(uppf.period, version),
                        skapad_at=self._published_at(uppf.period, version),
                    )

        def history() -> Iterator[Historik]:
            for uppf in uppfs:
                for version in range(1, revisions + 1):
                    handling = (
                        Historik.Handling.SKAPAD if version == 1 else (Historik.Handling.PUBLICERAD)
                    )
                    yield Historik(
                        uppfoljning=uppf,
                        tid=self._published_at(uppf.period, version),
                        handling=handling,
                        version=version,
                        fore={} if version == 1 else {"version": version - 1},
                        efter={"version": version, "status": uppf.status},
                    )

        self._bulk(Publicering, publications(), len(uppfs) * revisions)
        # bulk_create skips Publicering.save(), which keeps `ersatt_at`: set it in one go.
        Publicering.objects.filter(uppfoljning__in=uppfs).mark_superseded()
        self._bulk(Historik, history(), len(uppfs) * revisions)

    def _published_at(self, period: Period, version: int) -> dt.datetime:
        end = timezone.make_aware(dt.datetime(period.ar, min(12, period.tertial * 4), 20, 10))
        at = end - dt.timedelta(days=(self.cfg["revisions"] - version) * 2)
        return min(at, self.now - dt.timedelta(hours=self.cfg["revisions"] - version + 1))

    def _activities(self) -> None:
        omraden = list(Omrade.objects.values_list("pk", flat=True))
        first = dt.date(self.years[0], 1, 1)
        span = (dt.date(self.this_year + 1, 6, 30) - first).days
        total = self.cfg["aktiviteter"]
        rows = (
            Aktivitet(
                titel=f"Workshop: {self.rng.choice(_TOPICS)}",
                beskrivning=_text(self.rng, 2),
                teman=[self.rng.choice(_TOPICS)],
                plats=self.rng.choice(["Tyresö centrum", "Bollmora", "Trollbäcken", "Digitalt"]),
                datum=first + dt.timedelta(days=self.rng.randrange(span)),
                starttid=dt.time(18, 0),
                sluttid=dt.time(20, 0),
                kapacitet=self.rng.choice([None, 20, 40]),
            )
            for _ in range(total)
        )
        created = self._bulk(Aktivitet, rows, total)
        through = Aktivitet.omraden.through
        links = (
            through(aktivitet_id=a.pk, omrade_id=o)
            for a in created
            for o in self.rng.sample(omraden, self.rng.choice([1, 1, 2]))
        )
        self._bulk(through, links, total)

    def _inspel(self) -> None:
        omraden = list(Omrade.objects.values_list("pk", flat=True))
        total = self.cfg["inspel"]
        rng = self.rng

        def rows() -> Iterator[Inspel]:
            for _ in range(total):
                text = _text(rng, rng.choice([1, 2, 3]))
                status = rng.choices(
                    [Inspel.Status.GODKAND, Inspel.Status.NY, Inspel.Status.AVVISAD], [6, 3, 1]
                )[0]
                named = rng.random() < 0.3
                yield Inspel(
                    typ=rng.choice(Inspel.Typ.values),
                    omrade_id=rng.choice(omraden) if rng.random() < 0.8 else None,
                    text=text,
                    namn="Testperson" if named else "",
                    epost="test@example.invalid" if named else "",
                    visa_namn=named and rng.random() < 0.5,
                    status=status,
                    publicerad_text=text if status == Inspel.Status.GODKAND else "",
                    avvisningsorsak="Innehöll personuppgifter."
                    if status == Inspel.Status.AVVISAD
                    else "",
                    svar=_text(rng, 1)
                    if status == Inspel.Status.GODKAND and rng.random() < 0.3
                    else "",
                )

        self._bulk(Inspel, rows(), total)

    def _indicators(self) -> None:
        # Indicators with figures: assessed ones ("bedomning") never have values.
        have = Indikator.objects.exclude(enhet=Indikator.Enhet.BEDOMNING).count()
        rows = [
            Indikator(
                slug=f"testindikator-{n}",
                namn=f"Testindikator {n}: andel nöjda med {self.rng.choice(_TOPICS)}",
                horisont=Indikator.Horisont.MANDAT,
                enhet=Indikator.Enhet.PROCENT,
                riktning=Indikator.Riktning.OKA,
                kalla="Syntetiska data för prestandatest",
                ordning=100 + n,
            )
            for n in range(1, self.cfg["indikatorer"] - have + 1)
        ]
        self._bulk(Indikator, rows, len(rows))
        taken = set(Matvarde.objects.values_list("indikator_id", "ar"))
        values = (
            Matvarde(
                indikator=ind,
                ar=ar,
                kommun=Decimal(self.rng.randrange(2000, 9000)) / 100,
                riket=Decimal(self.rng.randrange(2000, 9000)) / 100,
                kalla=Matvarde.Kalla.MANUELL,
            )
            for ind in Indikator.objects.exclude(enhet=Indikator.Enhet.BEDOMNING)
            for ar in self.years
            if (ind.pk, ar) not in taken
        )
        self._bulk(Matvarde, values, len(self.years) * self.cfg["indikatorer"])

    def _reports(self) -> None:
        rows = [
            Rapport(
                slug=f"testrapport-{ar}-{month:02d}",
                titel=f"Kommundirektörens rapport {ar}-{month:02d} (testdata)",
                datum=dt.date(ar, month, 1),
                sammanfattning=_text(self.rng, 4),
            )
            for ar in self.years
            for month in range(1, self.cfg["rapporter_per_ar"] + 1)
            if dt.date(ar, month, 1) <= timezone.localdate()
        ]
        self._bulk(Rapport, rows, len(rows))

    def _user(self) -> None:
        user, _ = User.objects.get_or_create(username=BENCH_USERNAME)
        user.set_unusable_password()
        user.save()
        for name in (roles.MEDARBETARE, roles.KOMMUNLEDNINGSGRUPPEN):
            user.groups.add(Group.objects.get_or_create(name=name)[0])
