"""Publications, moderation decisions and exports leave an entry in the audit log."""

from __future__ import annotations

import pytest
from django.test import Client

from granskning.models import Granskningslogg
from omraden import services as omraden_services
from omraden.models import Inspel
from tests.conftest import make_inspel, make_omrade, make_period, make_uppfoljning, make_user
from uppfoljning import services as uppfoljning_services
from uppfoljning.models import Uppfoljning

H = Granskningslogg.Handling


@pytest.mark.django_db
def test_a_publication_is_audited_with_who_and_what() -> None:
    klg = make_user("klg", groups=("kommunledningsgruppen",))
    uppf = make_uppfoljning(
        omrade=make_omrade(),
        period=make_period(),
        status="gron",
        tillstand=Uppfoljning.Tillstand.GODKAND,
    )
    uppfoljning_services.uppfoljning_publish(uppfoljning=uppf, version=uppf.version, by=klg)
    entry = Granskningslogg.objects.get(handling=H.PUBLICERING)
    assert entry.av == klg
    assert entry.objekt_typ == "uppfoljning.uppfoljning"
    assert entry.objekt_id == str(uppf.pk)
    assert entry.detalj["status"] == "gron"


@pytest.mark.django_db
def test_each_moderation_decision_is_audited() -> None:
    moderator = make_user("mod", groups=("moderator",))
    omrade = make_omrade()
    a = make_inspel(omrade=omrade, status=Inspel.Status.NY)
    b = make_inspel(omrade=omrade, status=Inspel.Status.NY)
    omraden_services.inspel_approve(inspel=a, publicerad_text="Bra idé", by=moderator)
    omraden_services.inspel_answer(inspel=a, text="Tack!", by=moderator)
    omraden_services.inspel_reject(inspel=b, reason="Personuppgifter", by=moderator)
    entries = Granskningslogg.objects.filter(handling=H.MODERERING).order_by("pk")
    assert [(e.objekt_id, e.detalj["beslut"], e.av) for e in entries] == [
        (str(a.pk), "godkand", moderator),
        (str(a.pk), "besvarad", moderator),
        (str(b.pk), "avvisad", moderator),
    ]


@pytest.mark.django_db
def test_an_export_of_resident_input_is_audited(client: Client) -> None:
    moderator = make_user("mod", groups=("moderator",))
    make_inspel(omrade=make_omrade(), epost="eva@example.se")
    client.force_login(moderator)
    assert client.get("/arbetsyta/inspel/export.csv", REMOTE_ADDR="192.0.2.9").status_code == 200
    entry = Granskningslogg.objects.get(handling=H.EXPORT)
    assert entry.av == moderator
    assert entry.ip == "192.0.2.9"
    assert entry.detalj == {"format": "csv", "rader": 1}
