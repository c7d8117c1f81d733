"""A small world with one object of every kind a URL can name, plus secrets that must not leak.

Used by the permission matrix and the "nothing leaks" test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kommun.models import Kommun
from omraden.models import Aktivitet, Anmalan, Inspel
from tests.cast import Cast, make_cast
from tests.conftest import (
    make_aktivitet,
    make_indikator,
    make_inspel,
    make_kommun,
    make_period,
    make_person,
    make_publicering,
    make_rapport,
    make_uppfoljning,
    make_user,
    sign_off,
)
from uppfoljning import services
from uppfoljning.models import Indikator, Period, Rapport, Uppfoljning

# Strings that live only on the staff side. None may appear on a public page.
SECRETS = {
    "draft_summary": "HEMLIGT-UTKAST sammanfattning som inte är publicerad",
    "draft_cause": "HEMLIG-ORSAK i utkastet",
    "draft_actions": "HEMLIGA-ATGARDER i utkastet",
    "internal_note": "INTERN-ANTECKNING som aldrig får lämna personalsidorna",
    "scheduled_summary": "SCHEMALAGD-TEXT som ännu inte ska synas",
    "editor_username": "redaktor_hemlig_anvandare",
    "editor_name": "Hemliga Redaktörsnamnet",
}


@dataclass
class World:
    cast: Cast
    uppf: Uppfoljning
    closed_period: Period
    aktivitet: Aktivitet
    inspel: Inspel
    anmalan: Anmalan
    indikator: Indikator
    rapport: Rapport
    kommun: Kommun
    extra: dict[str, Any]


def make_world() -> World:
    cast = make_cast()
    # A closed period with a published follow-up of area A: the public report.
    closed = make_period(ar=2023, tertial=2, tillstand=Period.Tillstand.STANGD)
    published = make_uppfoljning(
        period=closed, omrade=cast.omrade_a, status="gron", sammanfattning="Publicerad text"
    )
    make_publicering(published)
    # The open period: a follow-up published once, then revised as a draft full of secrets,
    # edited by a user whose name must never reach the public side.

    editor = make_user(SECRETS["editor_username"], groups=("kommunledningsgruppen",))
    make_person(namn=SECRETS["editor_name"], user=editor)
    uppf, _ = services.uppfoljning_get_or_create(
        period=cast.period, omrade=cast.omrade_a, by=editor
    )
    uppf = services.uppfoljning_save(
        uppfoljning=uppf,
        version=uppf.version,
        changes={"status": "gron", "sammanfattning": "Första publicerade versionen"},
        by=editor,
    )
    uppf = sign_off(uppf, by=editor)
    services.uppfoljning_publish(uppfoljning=uppf, version=uppf.version, by=editor)
    uppf = Uppfoljning.objects.get(pk=uppf.pk)
    uppf = services.uppfoljning_save(
        uppfoljning=uppf,
        version=uppf.version,
        changes={
            "status": "rod",
            "sammanfattning": SECRETS["draft_summary"],
            "orsak": SECRETS["draft_cause"],
            "atgarder": SECRETS["draft_actions"],
            "intern_anteckning": SECRETS["internal_note"],
        },
        by=editor,
    )
    # Area B: published from a later date, so hidden for now.
    scheduled, _ = services.uppfoljning_get_or_create(
        period=cast.period, omrade=cast.omrade_b, by=editor
    )
    scheduled = services.uppfoljning_save(
        uppfoljning=scheduled,
        version=scheduled.version,
        changes={"status": "gron", "sammanfattning": SECRETS["scheduled_summary"]},
        by=editor,
    )
    scheduled = sign_off(scheduled, by=editor)
    services.uppfoljning_publish(
        uppfoljning=scheduled,
        version=scheduled.version,
        by=editor,
        at=timezone.now() + dt.timedelta(days=10),
    )
    aktivitet = make_aktivitet(
        omraden=[cast.omrade_a], titel="Workshop om återbruk", kapacitet=20, oppen_for_invanare=True
    )
    inspel = make_inspel(omrade=cast.omrade_a)
    anmalan = Anmalan.objects.create(
        aktivitet=aktivitet, namn="Deltagare", epost="deltagare@example.se", status="bekraftad"
    )
    indikator = make_indikator()
    rapport = make_rapport()
    # A configured municipality with a logo, so that its logo's address answers too.
    kommun = make_kommun()
    kommun.set_logo(_png(), "image/png")
    kommun.save()
    return World(
        cast,
        uppf,
        closed,
        aktivitet,
        inspel,
        anmalan,
        indikator,
        rapport,
        kommun,
        {"editor": editor},
    )


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 80, 122)).save(buffer, format="PNG")
    return buffer.getvalue()
