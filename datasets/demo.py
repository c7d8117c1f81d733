"""Fictional demo data for trying the portal out (`load_tyreso --demo`).

Everything here is invented and marked so: people carry `fiktiv=True` and names starting
with "Demo", follow-ups say "[Demo]" and live in the current year's periods, never in the
real 2023 periods.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from omraden.models import Ledartroja, Omrade, Person
from uppfoljning.models import Historik, Period, Publicering, Status, Uppfoljning

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


def load_demo(upsert: Upsert) -> None:
    year = timezone.localdate().year
    t1 = upsert(Period, {"ar": year, "tertial": 1}, {"tillstand": Period.Tillstand.STANGD})
    upsert(
        Period,
        {"ar": year, "tertial": 2},
        {"tillstand": Period.Tillstand.OPPEN, "deadline": dt.date(year, 12, 15)},
    )
    for omrade, status in zip(Omrade.objects.order_by("nummer"), DEMO_STATUSES, strict=True):
        for slot in (1, 2):
            person = upsert(
                Person,
                {"namn": f"Demo Ledartröja {omrade.nummer}{'AB'[slot - 1]}"},
                {"titel": "fiktiv person för demo", "fiktiv": True},
            )
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


# Demo logins, one per role (issue 3). Only with DEBUG on; passwords are generated, printed
# once and never stored anywhere but as hashes in the local database.
DEMO_USERS = [
    ("demo-medarbetare", ["medarbetare"], None),
    ("demo-ledartroja", ["medarbetare"], "Demo Ledartröja 1A"),
    ("demo-klg", ["medarbetare", "kommunledningsgruppen"], None),
    ("demo-moderator", ["medarbetare", "moderator"], None),
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
        if User.objects.filter(username=username).exists():
            write(f"  {username}: exists (password unchanged)")
            continue
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username, password=password)
        for name in groups:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
        if person_name:
            Person.objects.filter(namn=person_name, fiktiv=True, user__isnull=True).update(
                user=user
            )
        write(f"  {username} / {password}  ({', '.join(groups)})")
