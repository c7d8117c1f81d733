"""How Tyresö's data set (datasets/tyreso.py) is loaded: `manage.py load_dataset tyreso`."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from datasets import tyreso
from datasets.loader import Loader, Step, load_kommun, publish_once
from omraden.models import Aktivitet, Fas, Omrade, Person
from uppfoljning.models import (
    Indikator,
    Period,
    Rapport,
    Status,
    Uppdrag,
    Uppfoljning,
)


def load_phases(loader: Loader) -> None:
    for ordning, namn, beskrivning in tyreso.FASER:
        loader.upsert(Fas, {"ordning": ordning}, {"namn": namn, "beskrivning": beskrivning})


def load_areas(loader: Loader) -> None:
    # All areas were in the first phase in 2023 (maj- and T2-rapporterna: "förstå behovet").
    forsta = Fas.objects.get(ordning=1)
    for nummer, slug, kortnamn, fraga, (namn, titel) in tyreso.OMRADEN:
        fadder = loader.upsert(Person, {"namn": namn}, {"titel": titel, "fiktiv": False})
        loader.upsert(
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


def load_assignments(loader: Loader) -> None:
    for ordning, (slug, namn) in enumerate(tyreso.UPPDRAG):
        overgripande = ordning == 0
        loader.upsert(
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
            loader.updated()
        else:
            loader.unchanged()


def load_indicators(loader: Loader) -> None:
    uppdrag = Uppdrag.objects.get(slug=tyreso.UPPDRAG[0][0])
    for ordning, row in enumerate(tyreso.INDIKATORER, start=1):
        slug, namn, horisont, enhet, riktning, kalla, startlage = row
        ar, tyr, riket = startlage if startlage else (None, None, None)
        loader.upsert(
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
                "startlage_kommun": None if tyr is None else Decimal(tyr),
                "startlage_riket": None if riket is None else Decimal(riket),
                "ordning": ordning,
            },
        )


def load_periods(loader: Loader) -> None:
    for tertial in tyreso.PERIODER_2023:
        loader.upsert(
            Period, {"ar": 2023, "tertial": tertial}, {"tillstand": Period.Tillstand.STANGD}
        )
    t2 = Period.objects.get(ar=2023, tertial=2)
    uppdrag = Uppdrag.objects.get(slug=tyreso.UPPDRAG[0][0])
    publicerad = timezone.make_aware(tyreso.T2_2023_PUBLICERAD)
    uppf = loader.upsert(
        Uppfoljning,
        {"period": t2, "uppdrag": uppdrag},
        {
            "status": Status.GRON,
            "sammanfattning": tyreso.T2_2023_SAMMANFATTNING,
            "tillstand": Uppfoljning.Tillstand.PUBLICERAD,
            "andrad_at": publicerad,
        },
    )
    publish_once(loader, uppf, publicerad)


def load_reports(loader: Loader) -> None:
    for slug, titel, datum, sammanfattning in tyreso.RAPPORTER:
        loader.upsert(
            Rapport,
            {"slug": slug},
            {"titel": titel, "datum": datum, "sammanfattning": sammanfattning, "publik": True},
        )


def load_checkpoint(loader: Loader) -> None:
    data = tyreso.CHECKPOINT
    aktivitet = loader.upsert(
        Aktivitet,
        {"titel": data["titel"], "datum": data["datum"]},
        {"beskrivning": data["beskrivning"], "teman": data["teman"], "publik": True},
    )
    # The checkpoint followed up the work of all seven areas together.
    missing = Omrade.objects.exclude(pk__in=aktivitet.omraden.values("pk"))
    if missing.exists():
        aktivitet.omraden.add(*missing)
        loader.updated()


def load_accessibility_statement(loader: Loader) -> None:
    # Create once: afterwards the statement is the administrator's (Django admin), and a
    # reload must never undo their edits.
    from portal.models import KandBrist, Tillganglighetsredogorelse

    data = tyreso.TILLGANGLIGHET
    statement = Tillganglighetsredogorelse.objects.filter(tjanst=data["tjanst"]).first()
    if statement is not None:
        loader.unchanged()
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
    loader.created(1 + len(tyreso.KANDA_BRISTER))


# What `load_dataset --help` says of this data set.
DESCRIPTION = (
    "Tyresö kommun's real data: the seven areas and their faddrar, the innovation phases, the "
    "ten assignments of kommunplan 2023, the indicators with their baselines, the 2023 "
    "periods, the T2 2023 follow-up, three reports, the checkpoint, and the municipality record"
)

STEPS: list[Step] = [
    ("municipality", lambda loader: load_kommun(loader, tyreso.KOMMUN)),
    ("phases", load_phases),
    ("areas and faddrar", load_areas),
    ("assignments", load_assignments),
    ("indicators", load_indicators),
    ("periods and the T2 2023 follow-up", load_periods),
    ("reports", load_reports),
    ("checkpoint 29 November 2023", load_checkpoint),
    ("accessibility statement", load_accessibility_statement),
]
