from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.conftest import make_indikator, make_matvarde
from uppfoljning.models import Indikator, Matvarde


@pytest.mark.django_db
def test_the_database_refuses_a_value_without_any_figure() -> None:
    indikator = make_indikator()
    with pytest.raises(IntegrityError), transaction.atomic():
        Matvarde.objects.create(
            indikator=indikator, ar=2023, kommun=None, riket=None, kalla="manuell"
        )


@pytest.mark.django_db
def test_the_database_refuses_a_second_value_for_the_same_year() -> None:
    indikator = make_indikator()
    make_matvarde(indikator, ar=2023)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_matvarde(indikator, ar=2023)


@pytest.mark.django_db
def test_clean_refuses_a_future_year_and_a_percentage_over_100() -> None:
    indikator = make_indikator(enhet=Indikator.Enhet.PROCENT)
    value = Matvarde(
        indikator=indikator, ar=dt.date.today().year + 1, kommun=Decimal(101), kalla="manuell"
    )
    with pytest.raises(ValidationError) as e:
        value.clean()
    assert set(e.value.message_dict) == {"ar", "kommun"}


@pytest.mark.django_db
def test_clean_allows_a_count_over_100() -> None:
    indikator = make_indikator(enhet=Indikator.Enhet.ANTAL)
    Matvarde(indikator=indikator, ar=2023, kommun=Decimal(250), kalla="manuell").clean()


@pytest.mark.django_db
def test_set_value_reports_created_updated_and_unchanged() -> None:
    indikator = make_indikator()
    kwargs = {"ar": 2023, "riket": None, "kalla": Matvarde.Kalla.KOLADA}
    assert indikator.set_value(kommun=Decimal(60), **kwargs)[1] == "created"
    before = Matvarde.objects.get().hamtad_at
    assert indikator.set_value(kommun=Decimal("60.00"), **kwargs)[1] == "unchanged"
    assert Matvarde.objects.get().hamtad_at == before
    assert indikator.set_value(kommun=Decimal(61), **kwargs)[1] == "updated"
    assert Matvarde.objects.get().kommun == Decimal(61)


@pytest.mark.django_db
def test_the_baseline_is_the_first_point_only_without_a_stored_value_that_year() -> None:
    indikator = make_indikator(startlage_ar=2021, startlage_kommun=58, startlage_riket=58)
    make_matvarde(indikator, ar=2023, kommun=61)
    assert [(p.ar, p.kalla) for p in indikator.serie()] == [(2021, "startlage"), (2023, "manuell")]
    make_matvarde(indikator, ar=2021, kommun=57, kalla=Matvarde.Kalla.KOLADA)
    indikator = Indikator.objects.get(pk=indikator.pk)
    assert [(p.ar, p.kalla) for p in indikator.serie()] == [(2021, "kolada"), (2023, "manuell")]
    assert indikator.senaste().ar == 2023
