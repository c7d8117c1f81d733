"""Fictional demo data for trying the portal out (`load_dataset <name> --demo`).

Everything here is invented and marked so: people carry `fiktiv=True`, names starting with
"Demo" and addresses @example.se (so reminders and sign-off e-mails show in the console);
follow-ups say "[Demo]" and live in the current year's periods, never in the real 2023
periods.

The faddrar of the seven areas are real people, and an area has one fadder: making a demo
login the fadder of a real area would replace the real one. So the demo fadder, "Demo Fadder
Övningsområdet", is the fadder of an area of its own, "[Demo] Övningsområde" (number 99, not
public: residents never see it), where the demo ledartröja also writes. The real faddrar's
rows are never changed and get no login or address; their areas' follow-ups are approved by
kommunledningsgruppen (roles.approval_falls_to_klg), which the demo shows too.

The open period gets one follow-up in each state of the sign-off, created once (a later run
leaves them as the demo's users have moved them on): area 1 a draft, area 2 ready (for KLG),
area 3 approved (to publish), area 4 scheduled for 20 December, the demo area ready (for the
demo fadder).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from omraden.models import Fas, Ledartroja, Omrade, Person
from uppfoljning.models import Historik, Period, Publicering, Status, Uppfoljning

DEMO_OMRADE = {
    "nummer": 99,
    "slug": "demo-ovningsomrade",
    "kortnamn": "[Demo] Övningsområde",
    "fraga": "[Demo] Hur övar vi uppföljningens beslutssteg?",
}
DEMO_FADDER = "Demo Fadder Övningsområdet"


def demo_address(name: str) -> str:
    """A fictional person's address: their name in lower case ASCII @example.se."""
    from django.utils.text import slugify

    return f"{slugify(name).replace('-', '.')}@example.se"


DEMO_STATUSES = [
    Status.GRON,
    Status.GUL,
    Status.GRON,
    Status.ROD,
    Status.GRON,
    Status.GUL,
    Status.GRON,
]

Upsert = Callable[[Any, dict[str, Any], dict[str, Any]], Any]


def _demo_person(upsert: Upsert, namn: str) -> Person:
    return upsert(
        Person,
        {"namn": namn},
        {"titel": "fiktiv person för demo", "fiktiv": True, "epost": demo_address(namn)},
    )


def load_demo(upsert: Upsert) -> None:
    year = timezone.localdate().year
    t1 = upsert(Period, {"ar": year, "tertial": 1}, {"tillstand": Period.Tillstand.STANGD})
    t2 = upsert(
        Period,
        {"ar": year, "tertial": 2},
        {"tillstand": Period.Tillstand.OPPEN, "deadline": dt.date(year, 12, 15)},
    )
    real_areas = Omrade.objects.exclude(slug=DEMO_OMRADE["slug"]).order_by("nummer")
    for omrade, status in zip(real_areas, itertools.cycle(DEMO_STATUSES)):
        for slot in (1, 2):
            if _taken_by_someone_else(omrade, slot):
                continue
            person = _demo_person(upsert, f"Demo Ledartröja {omrade.nummer}{'AB'[slot - 1]}")
            upsert(Ledartroja, {"omrade": omrade, "slot": slot, "aktiv": True}, {"person": person})
        needs_cause = status in (Status.GUL, Status.ROD)
        uppf = upsert(
            Uppfoljning,
            {"period": t1, "omrade": omrade},
            {
                "status": status,
                "sammanfattning": f"[Demo] Påhittad uppföljning av {omrade.kortnamn.lower()}.",
                "orsak": "[Demo] Påhittad orsak." if needs_cause else "",
                "atgarder": "[Demo] Påhittade åtgärder." if needs_cause else "",
                "tillstand": Uppfoljning.Tillstand.PUBLICERAD,
            },
        )
        if not uppf.publiceringar.exists():
            now = timezone.now()
            Publicering.objects.create(
                uppfoljning=uppf,
                version=uppf.version,
                status=uppf.status,
                sammanfattning=uppf.sammanfattning,
                orsak=uppf.orsak,
                atgarder=uppf.atgarder,
                publicerad_at=now,
            )
            Historik.objects.create(
                uppfoljning=uppf,
                handling=Historik.Handling.PUBLICERAD,
                version=uppf.version,
                efter={"status": uppf.status, "tillstand": uppf.tillstand, "kalla": "demo"},
            )
    demo_area = _load_demo_area(upsert)
    _load_signoff_states(t2, [*real_areas[:4], demo_area])


def _taken_by_someone_else(omrade: Omrade, slot: int) -> bool:
    """A place the data set (or an administrator) gave a person of its own is left to them."""
    return (
        Ledartroja.objects.filter(omrade=omrade, slot=slot, aktiv=True)
        .exclude(person__namn__startswith="Demo ")
        .exists()
    )


def _load_demo_area(upsert: Upsert) -> Omrade:
    """The demo fadder's own area, not public; the demo ledartröja (1A) writes there too."""
    fadder = _demo_person(upsert, DEMO_FADDER)
    area = upsert(
        Omrade,
        {"slug": DEMO_OMRADE["slug"]},
        {
            "nummer": DEMO_OMRADE["nummer"],
            "kortnamn": DEMO_OMRADE["kortnamn"],
            "fraga": DEMO_OMRADE["fraga"],
            "fadder": fadder,
            "fas": Fas.objects.order_by("ordning").first(),
            "publik": False,
        },
    )
    for slot, namn in ((1, "Demo Ledartröja 1A"), (2, "Demo Ledartröja 99B")):
        person = _demo_person(upsert, namn)
        upsert(Ledartroja, {"omrade": area, "slot": slot, "aktiv": True}, {"person": person})
    return area


def _load_signoff_states(period: Period, areas: list[Omrade]) -> None:
    """One follow-up per sign-off state in the open period, each created once with history."""
    now = timezone.now()
    scheduled = timezone.make_aware(dt.datetime(now.year, 12, 20))
    if scheduled <= now:
        scheduled = now + dt.timedelta(days=14)
    states = [
        (Uppfoljning.Tillstand.UTKAST, []),
        (Uppfoljning.Tillstand.KLAR, [Historik.Handling.KLAR]),
        (Uppfoljning.Tillstand.GODKAND, [Historik.Handling.KLAR, Historik.Handling.GODKAND]),
        (
            Uppfoljning.Tillstand.PUBLICERAD,
            [Historik.Handling.KLAR, Historik.Handling.GODKAND, Historik.Handling.PUBLICERAD],
        ),
        (Uppfoljning.Tillstand.KLAR, [Historik.Handling.KLAR]),
    ]
    for omrade, (state, steps) in zip(areas, states, strict=True):
        if Uppfoljning.objects.filter(period=period, omrade=omrade).exists():
            continue  # The demo's users may have moved it on: never reset it.
        text = f"[Demo] Påhittad uppföljning av {omrade.kortnamn.lower()} för {period}."
        publish_from = scheduled if state == Uppfoljning.Tillstand.PUBLICERAD else None
        uppf = Uppfoljning.objects.create(
            period=period,
            omrade=omrade,
            status=Status.GRON,
            sammanfattning=text,
            tillstand=state,
            publicera_fran=publish_from,
            version=1 + len(steps),
        )
        Historik.objects.create(
            uppfoljning=uppf,
            handling=Historik.Handling.SKAPAD,
            version=1,
            efter={"status": uppf.status, "kalla": "demo"},
        )
        for version, step in enumerate(steps, start=2):
            efter: dict[str, Any] = {"kalla": "demo"}
            if step == Historik.Handling.PUBLICERAD:
                efter["publicera_fran"] = scheduled.isoformat()
            Historik.objects.create(uppfoljning=uppf, handling=step, version=version, efter=efter)
        if publish_from is not None:
            Publicering.objects.create(
                uppfoljning=uppf,
                version=uppf.version,
                status=uppf.status,
                sammanfattning=uppf.sammanfattning,
                publicerad_at=publish_from,
            )


# Demo logins, one per role (issue 3). Only with DEBUG on; passwords are generated, printed
# once and never stored anywhere but as hashes in the local database.
DEMO_USERS = [
    ("demo-medarbetare", ["medarbetare"], None),
    ("demo-ledartroja", ["medarbetare"], "Demo Ledartröja 1A"),
    ("demo-fadder", ["medarbetare"], DEMO_FADDER),
    ("demo-klg", ["medarbetare", "kommunledningsgruppen"], None),
    ("demo-moderator", ["medarbetare", "moderator"], None),
    ("demo-administrator", ["medarbetare", "administratör"], None),
]


def create_demo_users(write: Callable[[str], Any]) -> None:
    """Create the demo logins that do not exist yet and print their generated passwords."""
    import secrets

    from django.conf import settings
    from django.contrib.auth.models import Group, User

    if not settings.DEBUG:
        write("Demo logins are only created with DEBUG on.")
        return
    for username, groups, person_name in DEMO_USERS:
        email = f"{username}@example.se"
        if User.objects.filter(username=username).exists():
            # Logins from before the demo had addresses get one; nothing else changes.
            User.objects.filter(username=username, email="").update(email=email)
            write(f"  {username}: exists (password unchanged)")
            continue
        password = secrets.token_urlsafe(12)
        # A name for the pages and e-mails ("Demo Klg"), where there is no person to name them.
        user = User.objects.create_user(
            username,
            email=email,
            password=password,
            first_name="Demo",
            last_name=username.removeprefix("demo-").capitalize(),
        )
        for name in groups:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
        if person_name:
            Person.objects.filter(namn=person_name, fiktiv=True, user__isnull=True).update(
                user=user
            )
        write(f"  {username} / {password}  ({', '.join(groups)})")
