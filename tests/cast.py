"""The staff cast for workspace and permission tests, like healthchecks' alice/bob/charlie.

Two areas A and B, an open period, the overarching assignment, and one user per role:
medarbetare, ledartröja of A, ledartröja of B, fadder of A, kommunledningsgruppen,
moderator, administratör.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from omraden.models import Omrade
from portal import roles
from tests.conftest import (
    make_ledartroja,
    make_omrade,
    make_period,
    make_person,
    make_uppdrag,
    make_user,
)
from uppfoljning.models import Period, Uppdrag

ROLES = [
    "anonymous",
    "medarbetare",
    "ledartroja_a",
    "ledartroja_b",
    "fadder_a",
    "klg",
    "moderator",
    "admin",
]


@dataclass
class Cast:
    omrade_a: Omrade
    omrade_b: Omrade
    period: Period
    uppdrag: Uppdrag
    users: dict[str, Any]


def make_cast() -> Cast:
    omrade_a = make_omrade()
    omrade_b = make_omrade()
    today = timezone.localdate()
    period = make_period(
        ar=today.year + 1,
        tertial=1,
        tillstand=Period.Tillstand.OPPEN,
        deadline=today + dt.timedelta(days=30),
    )
    uppdrag = make_uppdrag(namn="Övergripande – att arbeta kommungemensamt", overgripande=True)
    users: dict[str, Any] = {"anonymous": None}
    users["medarbetare"] = make_user("medarbetare", groups=(roles.MEDARBETARE,))
    users["ledartroja_a"] = make_user("ledartroja_a", groups=(roles.MEDARBETARE,))
    make_ledartroja(omrade_a, users["ledartroja_a"])
    users["ledartroja_b"] = make_user("ledartroja_b", groups=(roles.MEDARBETARE,))
    make_ledartroja(omrade_b, users["ledartroja_b"])
    users["fadder_a"] = make_user("fadder_a", groups=(roles.MEDARBETARE,))
    fadder = omrade_a.fadder or make_person(namn="Fadder A")
    fadder.user = users["fadder_a"]
    fadder.save()
    users["klg"] = make_user("klg", groups=(roles.MEDARBETARE, roles.KOMMUNLEDNINGSGRUPPEN))
    users["moderator"] = make_user("moderator", groups=(roles.MEDARBETARE, roles.MODERATOR))
    # A member of the administratör group only: no is_staff, no superuser (portal/admin_site.py).
    users["admin"] = make_user("admin", groups=(roles.ADMINISTRATOR,))
    return Cast(omrade_a, omrade_b, period, uppdrag, users)
