"""Exempelkommun: a fictional municipality, `manage.py load_dataset exempelkommun`.

Everything here is invented and says so: the municipality record is marked `exempel` (a
banner on every page), every person is `fiktiv`, addresses are @example.se and
example.org, and the texts call themselves påhittade. It shows a fresh installation what a
municipality of its own looks like, and proves that nothing of another municipality's is
left in the pages, feeds and files (tests/datasets/test_exempelkommun.py).

Its follow-ups live in last year's periods (created with `Period.objects.create_year`, all
closed), so that `--demo` can open this year's as it does for any data set.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from datasets.loader import Loader, Step, load_kommun, publish_once
from omraden.models import Aktivitet, Fas, Ledartroja, Omrade, Person
from uppfoljning.models import (
    Indikator,
    Matvarde,
    Period,
    Rapport,
    Status,
    Uppdrag,
    Uppfoljning,
)

KOMMUN = {
    "namn": "Exempelkommun",
    "namn_en": "Exempelkommun (example municipality)",
    "kortnamn": "Exempelkommun",
    "postadress": "123 45 Exempelstad",
    "organisationsnummer": "",
    "kolada_id": "",
    "epost": "kontakt@example.se",
    # PTS keeps 070-174 06 05 … 070-174 06 99 for fiction: never anyone's number.
    "telefon": "070-174 06 50",
    "webbplats": "https://www.example.se/",
    "dataskyddsombud_epost": "dataskyddsombud@example.se",
    "tillganglighet_epost": "tillganglighet@example.se",
    "tillganglighet_telefon": "070-174 06 50",
    "utgivare": "",
    "utgivare_url": "",
    # Contrast 9.9:1 against white (kommun/contrast.py checks at least 4.5:1).
    "accentfarg": "#6b2c91",
    "exempel": True,
}

# The innovation method's phases: the same steps in every municipality.
FASER = [
    (
        1,
        "Förstå behovet",
        "Lyssna på invånarna och förstå vad problemet är i dag.",
        "Understand the need",
        "Listen to residents and understand what the problem is today.",
    ),
    (
        2,
        "Hitta lösningar",
        "Ta fram och testa lösningar i liten skala, lära och misslyckas snabbt.",
        "Find solutions",
        "Develop and test solutions on a small scale, learn and fail fast.",
    ),
    (
        3,
        "Förverkliga lösningarna",
        "Det som fungerar blir ett nytt ordinarie arbetssätt.",
        "Put the solutions into practice",
        "What works becomes a new way of working.",
    ),
]

# (nummer, slug, kortnamn, fråga, English question or "", fas, (fadder, titel))
OMRADEN = [
    (
        1,
        "trygga-parker",
        "Trygga parker",
        "Hur kan vi göra parkerna i Exempelkommun trygga att vistas i även på kvällen?",
        "How can we make the parks of Exempelkommun feel safe in the evening too?",
        2,
        ("Alva Exempel", "påhittad samhällsbyggnadschef"),
    ),
    (
        2,
        "enklare-kontakt",
        "Enklare kontakt",
        "Hur kan vi göra det enklare för invånarna att få svar från kommunen?",
        "How can we make it easier for residents to get answers from the municipality?",
        1,
        ("Bo Exempel", "påhittad kommunikationschef"),
    ),
    (
        3,
        "laga-och-lana",
        "Laga och låna",
        "Hur kan vi få fler invånare att laga, låna och återbruka i stället för att köpa nytt?",
        "",
        1,
        ("Cecilia Exempel", "påhittad miljöstrateg"),
    ),
    (
        4,
        "meningsfull-fritid",
        "Meningsfull fritid",
        "Hur kan vi ge fler unga en meningsfull fritid nära där de bor?",
        "",
        1,
        ("David Exempel", "påhittad kultur- och fritidschef"),
    ),
]
BESKRIVNING = (
    "Ett påhittat område i den fiktiva Exempelkommun. Texten visar hur ett område beskrivs; "
    "inget av det har hänt på riktigt."
)
BESKRIVNING_EN = (
    "A made-up area of the fictional Exempelkommun. The text shows how an area is described; "
    "none of it really happened."
)
LEDARTROJOR = [
    (1, "Erik Exempel", "påhittad ledartröja, parkförvaltningen"),
    (2, "Frida Exempel", "påhittad ledartröja, fritidsgårdarna"),
]

UPPDRAG = {
    "slug": "overgripande-att-arbeta-tillsammans",
    "namn": "Övergripande – att arbeta tillsammans (påhittat uppdrag)",
    "beskrivning": (
        "Ett påhittat politiskt uppdrag i den fiktiva Exempelkommun: alla förvaltningar ska "
        "lösa de frågor tillsammans som ingen kan lösa ensam."
    ),
}

# Follow-ups per tertial of last year: (tertial, area number or None for the assignment,
# status, summary, cause, actions). Gul and röd carry a cause and the actions taken, as
# the status rule demands; röd means the work has not started.
GRON_TEXT = "Påhittad uppföljning: arbetet går enligt plan och levereras i tid."
UPPFOLJNINGAR: list[tuple[int, int | None, str, str, str, str]] = [
    (1, 1, Status.GRON, GRON_TEXT + " Två trygghetsvandringar är gjorda.", "", ""),
    (
        1,
        2,
        Status.GUL,
        "Påhittad uppföljning: arbetet har startat men följer inte planen.",
        "Påhittad orsak: intervjuerna med invånarna tog längre tid än planerat.",
        "Påhittade åtgärder: fler medarbetare hjälper till med intervjuerna.",
    ),
    (
        1,
        3,
        Status.ROD,
        "Påhittad uppföljning: arbetet har inte startat.",
        "Påhittad orsak: området saknade ledartröjor under perioden.",
        "Påhittade åtgärder: rekryteringen av ledartröjor pågår.",
    ),
    (1, 4, Status.GRON, GRON_TEXT, "", ""),
    (2, 1, Status.GRON, GRON_TEXT + " Belysningen testas i en park.", "", ""),
    (2, 2, Status.GRON, GRON_TEXT + " Intervjuerna är klara.", "", ""),
    (
        2,
        3,
        Status.GUL,
        "Påhittad uppföljning: arbetet har startat men riskerar att bli försenat.",
        "Påhittad orsak: det fiktiva lånecentret fick vänta på en lokal.",
        "Påhittade åtgärder: lånen provas i biblioteket så länge.",
    ),
    (2, 4, Status.GRON, GRON_TEXT, "", ""),
    (2, None, Status.GRON, GRON_TEXT + " Alla fyra områden har en fadder.", "", ""),
]
SAMMANFATTNING_EN = {
    Status.GRON: "Made-up follow-up: the work goes according to plan and is delivered on time.",
}

INDIKATORER = [
    (
        "andel-som-far-svar-inom-en-dag",
        "Andel invånare som får svar inom en arbetsdag (påhittad indikator)",
        2,
        Indikator.Enhet.PROCENT,
        "Påhittad mätning i den fiktiva Exempelkommun",
        [(3, "61", "55"), (2, "64", "56"), (1, "70", "57")],
    ),
    (
        "antal-utlanade-verktyg",
        "Antal utlånade verktyg på biblioteket (påhittad indikator)",
        3,
        Indikator.Enhet.ANTAL,
        "Påhittad räkning i den fiktiva Exempelkommun",
        [(2, "120", None), (1, "340", None)],
    ),
]


def _last_year() -> int:
    return timezone.localdate().year - 1


def load_phases(loader: Loader) -> None:
    for ordning, namn, beskrivning, namn_en, beskrivning_en in FASER:
        loader.upsert(
            Fas,
            {"ordning": ordning},
            {
                "namn": namn,
                "beskrivning": beskrivning,
                "namn_en": namn_en,
                "beskrivning_en": beskrivning_en,
            },
        )


def load_areas(loader: Loader) -> None:
    for nummer, slug, kortnamn, fraga, fraga_en, fas, (namn, titel) in OMRADEN:
        fadder = _person(loader, namn, titel)
        values: dict[str, Any] = {
            "slug": slug,
            "kortnamn": kortnamn,
            "fraga": fraga,
            "beskrivning": BESKRIVNING,
            "fadder": fadder,
            "fas": Fas.objects.get(ordning=fas),
            # Areas 3 and 4 stay without English: /en/ shows their Swedish, marked lang="sv".
            "fraga_en": fraga_en,
            "beskrivning_en": BESKRIVNING_EN if fraga_en else "",
        }
        loader.upsert(Omrade, {"nummer": nummer}, values)
    omrade = Omrade.objects.get(nummer=1)
    for slot, namn, titel in LEDARTROJOR:
        person = _person(loader, namn, titel)
        loader.upsert(
            Ledartroja, {"omrade": omrade, "slot": slot, "aktiv": True}, {"person": person}
        )


def _person(loader: Loader, namn: str, titel: str) -> Person:
    epost = namn.lower().replace(" ", ".") + "@example.se"
    return loader.upsert(Person, {"namn": namn}, {"titel": titel, "epost": epost, "fiktiv": True})


def load_assignment(loader: Loader) -> None:
    uppdrag = loader.upsert(
        Uppdrag,
        {"slug": UPPDRAG["slug"]},
        {
            "namn": UPPDRAG["namn"],
            "beskrivning": UPPDRAG["beskrivning"],
            "kommunplan_ar": _last_year(),
            "ordning": 0,
            "overgripande": True,
        },
    )
    missing = Omrade.objects.filter(nummer__in=[o[0] for o in OMRADEN]).exclude(uppdrag=uppdrag)
    if missing.exists():
        uppdrag.omraden.add(*missing)
        loader.updated()
    else:
        loader.unchanged()


def load_periods(loader: Loader) -> None:
    ar = _last_year()
    for period, created in Period.objects.create_year(ar):
        loader.created() if created else loader.unchanged()
        loader.upsert(Period, {"pk": period.pk}, {"tillstand": Period.Tillstand.STANGD})


def load_follow_ups(loader: Loader) -> None:
    ar = _last_year()
    uppdrag = Uppdrag.objects.get(slug=UPPDRAG["slug"])
    for tertial, nummer, status, text, orsak, atgarder in UPPFOLJNINGAR:
        period = Period.objects.get(ar=ar, tertial=tertial)
        subject: dict[str, Any] = (
            {"uppdrag": uppdrag}
            if nummer is None
            else {"omrade": Omrade.objects.get(nummer=nummer)}
        )
        # Published three weeks after the tertial's end (30 April, 31 August).
        publicerad = timezone.make_aware(dt.datetime(ar, 5 + 4 * (tertial - 1), 20, 12, 0))
        values: dict[str, Any] = {
            "status": status,
            "sammanfattning": text,
            "orsak": orsak,
            "atgarder": atgarder,
            "tillstand": Uppfoljning.Tillstand.PUBLICERAD,
            "andrad_at": publicerad,
            # Green ones in English too; the others fall back to Swedish on /en/.
            "sammanfattning_en": SAMMANFATTNING_EN.get(status, ""),
        }
        uppf = loader.upsert(Uppfoljning, {"period": period, **subject}, values)
        publish_once(loader, uppf, publicerad)


def load_indicators(loader: Loader) -> None:
    uppdrag = Uppdrag.objects.get(slug=UPPDRAG["slug"])
    ar = _last_year() + 1
    for ordning, (slug, namn, nummer, enhet, kalla, values) in enumerate(INDIKATORER, start=1):
        indikator = loader.upsert(
            Indikator,
            {"slug": slug},
            {
                "namn": namn,
                "beskrivning": "En påhittad indikator med påhittade värden.",
                "uppdrag": uppdrag,
                "omrade": Omrade.objects.get(nummer=nummer),
                "horisont": Indikator.Horisont.KORT,
                "enhet": enhet,
                "riktning": Indikator.Riktning.OKA,
                "kalla": kalla,
                "ordning": ordning,
            },
        )
        for years_ago, kommun, riket in values:
            loader.upsert(
                Matvarde,
                {"indikator": indikator, "ar": ar - years_ago},
                {
                    "kommun": Decimal(kommun),
                    "riket": None if riket is None else Decimal(riket),
                    "kalla": Matvarde.Kalla.MANUELL,
                },
            )


def load_activities(loader: Loader) -> None:
    ar = _last_year()
    aktiviteter = [
        (
            "Trygghetsvandring i Exempelparken (påhittad)",
            dt.date(ar, 9, 12),
            [1],
            "Exempelparken (en påhittad plats)",
            "En påhittad kvällspromenad där invånare visar var parken känns otrygg.",
            ["Belysning", "Gångvägar"],
            "Safety walk in Exempelparken (made up)",
        ),
        (
            "Laga-kafé på biblioteket (påhittat)",
            dt.date(ar + 2, 3, 14),
            [3, 4],
            "Exempelbiblioteket (en påhittad plats)",
            "Ett påhittat kafé där invånare lagar saker tillsammans och lånar verktyg.",
            ["Laga", "Låna"],
            "",
        ),
    ]
    for titel, datum, numbers, plats, beskrivning, teman, titel_en in aktiviteter:
        aktivitet = loader.upsert(
            Aktivitet,
            {"titel": titel, "datum": datum},
            {
                "plats": plats,
                "beskrivning": beskrivning,
                "teman": teman,
                "titel_en": titel_en,
                "starttid": dt.time(18, 0),
                "sluttid": dt.time(20, 0),
                "publik": True,
            },
        )
        missing = Omrade.objects.filter(nummer__in=numbers).exclude(aktiviteter=aktivitet)
        if missing.exists():
            aktivitet.omraden.add(*missing)
            loader.updated()


def load_report(loader: Loader) -> None:
    ar = _last_year()
    loader.upsert(
        Rapport,
        {"slug": f"kommundirektorens-rapport-hosten-{ar}"},
        {
            "titel": f"Kommundirektörens rapport hösten {ar} (påhittad)",
            "datum": dt.date(ar, 10, 1),
            "sammanfattning": (
                "En påhittad rapport från den fiktiva Exempelkommun. De fyra områdena har "
                "lyssnat på invånarna under hösten; trygghetsvandringen i Exempelparken "
                "samlade många idéer om belysning."
            ),
            "publik": True,
        },
    )


def load_accessibility_statement(loader: Loader) -> None:
    # Created once, as the real data set's is: afterwards it is the administrator's.
    from portal.models import Tillganglighetsredogorelse

    tjanst = "Kommungemensamt – Exempelkommuns kommungemensamma områden (påhittat exempel)"
    if Tillganglighetsredogorelse.objects.filter(tjanst=tjanst).exists():
        loader.unchanged()
        return
    ar = _last_year()
    statement = Tillganglighetsredogorelse(
        organisation="Exempelkommun (fiktiv)",
        tjanst=tjanst,
        efterlevnad="delvis",
        bedomd=dt.date(ar, 11, 1),
        senast_uppdaterad=dt.date(ar, 11, 1),
        utvarderingsmetod=(
            "En påhittad redogörelse för en fiktiv kommun: den visar hur sidan ser ut. Varje "
            "publik sida testas automatiskt med axe-core mot WCAG 2.1 nivå A och AA."
        ),
        rapportera_text=(
            "Om du upplever problem som inte står beskrivna på den här sidan, kontakta den "
            "påhittade Exempelkommun."
        ),
        kontakt_epost="tillganglighet@example.se",
        kontakt_telefon="070-174 06 50",
        svarstid="Vi svarar normalt inom två arbetsdagar.",
    )
    statement.full_clean()
    statement.save()
    loader.created()


# What `load_dataset --help` says of this data set.
DESCRIPTION = "a clearly marked fictional municipality, for trying the portal out"

STEPS: list[Step] = [
    ("municipality (fictional)", lambda loader: load_kommun(loader, KOMMUN)),
    ("phases", load_phases),
    ("areas, faddrar and ledartröjor (fictional)", load_areas),
    ("overarching assignment", load_assignment),
    ("periods of last year", load_periods),
    ("follow-ups", load_follow_ups),
    ("indicators", load_indicators),
    ("activities", load_activities),
    ("report", load_report),
    ("accessibility statement", load_accessibility_statement),
]
