""" "Ni sa – vi gjorde": a resident whose input fed into something published is told, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from omraden import services as omraden_services
from omraden.models import Inspel
from prenumeration import services
from prenumeration.models import Omgang
from tests.conftest import (
    make_fas,
    make_inspel,
    make_omrade,
    make_period,
    make_uppfoljning,
    make_user,
    sign_off,
)
from uppfoljning import services as uppf_services
from utskick.models import Utskick


@pytest.fixture
def klg(db: None) -> Any:
    return make_user("klg", groups=("medarbetare", "kommunledningsgruppen"))


def nisa() -> list[Utskick]:
    return list(Utskick.objects.filter(nyckel__startswith="nisa:").order_by("nyckel"))


@override_settings(SAMMANDRAG_TYST=0)
@pytest.mark.django_db
def test_input_linked_to_a_published_follow_up_is_told_once(
    klg: Any, django_capture_on_commit_callbacks: Any
) -> None:
    omrade = make_omrade(kortnamn="Trygghet")
    uppf = make_uppfoljning(omrade=omrade, period=make_period())
    told = make_inspel(
        omrade=omrade,
        epost="eva@example.net",
        text="Belysning i parken, ring 0701234567",
        publicerad_text="Belysning i parken",
    )
    no_address = make_inspel(omrade=omrade)
    unpublished = make_inspel(omrade=omrade, epost="ny@example.net", status=Inspel.Status.NY)
    for i in (told, no_address, unpublished):
        Inspel.objects.filter(pk=i.pk).update(uppfoljning=uppf, kopplad_at=timezone.now())
    uppf = uppf_services.uppfoljning_save(
        uppfoljning=uppf,
        version=uppf.version,
        changes={"status": "gron", "sammanfattning": "Nya lampor i Alby.", "atgarder": ""},
        by=klg,
    )
    uppf = sign_off(uppf, by=klg)
    with django_capture_on_commit_callbacks(execute=True):
        pub = uppf_services.uppfoljning_publish(uppfoljning=uppf, version=uppf.version, by=klg)
    [row] = nisa()
    assert row.nyckel == f"nisa:{pub.pk}:{told.pk}" and row.till == ["eva@example.net"]
    # The published text only (what the resident saw published), and what was done.
    assert "Belysning i parken" in row.text and "0701234567" not in row.text
    assert "● Grön" in row.text and "Nya lampor i Alby." in row.text
    assert f"/omraden/{omrade.slug}/" in row.text
    # Queueing the round again tells nobody twice.
    services.sammandrag_queue(omgang_id=Omgang.objects.get().pk)
    assert len(nisa()) == 1


@pytest.mark.django_db
def test_input_linked_to_an_initiative_published_later_is_told(
    klg: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from omraden.models import Initiativ

    omrade = make_omrade()
    initiativ = Initiativ.objects.create(
        omrade=omrade, titel="Trygga stråk", fas=make_fas(), publik=False
    )
    inspel = make_inspel(omrade=omrade, epost="eva@example.net")
    moderator = make_user("mod", groups=("medarbetare", "moderator"))
    omraden_services.inspel_link(inspel=inspel, initiativ=initiativ, uppfoljning=None, by=moderator)
    # A first round, before the initiative is public: nothing.
    with django_capture_on_commit_callbacks(execute=True):
        services.sammandrag_close_round(force=True)
        services.sammandrag_run()
    assert nisa() == []
    later = timezone.now() + dt.timedelta(seconds=5)
    Initiativ.objects.filter(pk=initiativ.pk).update(publik=True, andrad=later)
    with django_capture_on_commit_callbacks(execute=True):
        services.sammandrag_run(now=later + dt.timedelta(hours=2))
    [row] = nisa()
    assert row.nyckel == f"nisa:initiativ-{initiativ.pk}:{inspel.pk}"
    assert "Trygga stråk" in row.text
