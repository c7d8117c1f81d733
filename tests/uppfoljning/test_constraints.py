"""The data rules hold in the database itself, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.conftest import (
    make_omrade,
    make_period,
    make_publicering,
    make_uppdrag,
    make_uppfoljning,
)
from uppfoljning.models import Historik, Uppfoljning


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["gul", "rod"])
@pytest.mark.parametrize(
    ("orsak", "atgarder"), [("", ""), ("Orsak", ""), ("", "Åtgärder"), ("   ", "Åtgärder")]
)
def test_the_database_rejects_yellow_and_red_without_cause_and_actions(
    status: str, orsak: str, atgarder: str
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make_uppfoljning(status=status, orsak=orsak, atgarder=atgarder)


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["gul", "rod"])
def test_the_database_accepts_yellow_and_red_with_cause_and_actions(status: str) -> None:
    uppf = make_uppfoljning(status=status, orsak="Försenad upphandling", atgarder="Ny tidplan")
    assert Uppfoljning.objects.get(pk=uppf.pk).status == status


@pytest.mark.django_db
def test_an_update_to_yellow_without_cause_is_rejected_too() -> None:
    uppf = make_uppfoljning(status="gron")
    with pytest.raises(IntegrityError), transaction.atomic():
        Uppfoljning.objects.filter(pk=uppf.pk).update(status="gul")


@pytest.mark.django_db
def test_green_needs_no_cause() -> None:
    assert make_uppfoljning(status="gron").pk


@pytest.mark.django_db
def test_the_database_rejects_an_unknown_status() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make_uppfoljning(status="bla")


@pytest.mark.django_db
def test_publications_follow_the_same_rule() -> None:
    uppf = make_uppfoljning(status="gul", orsak="Orsak", atgarder="Åtgärder")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_publicering(uppf, status="rod", orsak="", atgarder="")


@pytest.mark.django_db
def test_clean_gives_a_friendly_message_per_field() -> None:
    uppf = Uppfoljning(period=make_period(), omrade=make_omrade(), status="rod")
    with pytest.raises(ValidationError) as excinfo:
        uppf.full_clean()
    assert set(excinfo.value.message_dict) >= {"orsak", "atgarder"}


@pytest.mark.django_db
def test_one_follow_up_per_period_and_area() -> None:
    period, omrade = make_period(), make_omrade()
    make_uppfoljning(period=period, omrade=omrade)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_uppfoljning(period=period, omrade=omrade)


@pytest.mark.django_db
def test_one_follow_up_per_period_and_assignment() -> None:
    period, uppdrag = make_period(), make_uppdrag()
    make_uppfoljning(period=period, uppdrag=uppdrag)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_uppfoljning(period=period, uppdrag=uppdrag)


@pytest.mark.django_db
def test_a_follow_up_is_about_exactly_one_area_or_assignment() -> None:
    period = make_period()
    with pytest.raises(IntegrityError), transaction.atomic():
        Uppfoljning.objects.create(period=period)
    with pytest.raises(IntegrityError), transaction.atomic():
        Uppfoljning.objects.create(period=period, omrade=make_omrade(), uppdrag=make_uppdrag())


@pytest.mark.django_db
def test_one_period_per_year_and_tertial() -> None:
    make_period(ar=2024, tertial=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_period(ar=2024, tertial=2)


@pytest.mark.django_db
def test_history_rows_cannot_be_changed_or_deleted() -> None:
    row = Historik.objects.create(uppfoljning=make_uppfoljning(), handling="skapad", version=1)
    row.handling = "andrad"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        Historik.objects.all().delete()
    with pytest.raises(PermissionError):
        Historik.objects.update(handling="andrad")
    assert Historik.objects.get().handling == "skapad"
