from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from omraden.models import Inspel, Ledartroja
from tests.conftest import make_omrade, make_person


@pytest.mark.django_db
def test_at_most_two_active_ledartrojor_per_area() -> None:
    omrade = make_omrade()
    Ledartroja.objects.create(omrade=omrade, person=make_person(), slot=1)
    Ledartroja.objects.create(omrade=omrade, person=make_person(), slot=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ledartroja.objects.create(omrade=omrade, person=make_person(), slot=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ledartroja.objects.create(omrade=omrade, person=make_person(), slot=3)
    assert Ledartroja.objects.filter(omrade=omrade, aktiv=True).count() == 2


@pytest.mark.django_db
def test_a_former_ledartroja_frees_the_place() -> None:
    omrade = make_omrade()
    first = Ledartroja.objects.create(omrade=omrade, person=make_person(), slot=1)
    first.aktiv = False
    first.save()
    Ledartroja.objects.create(omrade=omrade, person=make_person(), slot=1)
    assert Ledartroja.objects.filter(omrade=omrade).count() == 2


@pytest.mark.django_db
def test_one_person_holds_one_place_per_area() -> None:
    omrade, person = make_omrade(), make_person()
    Ledartroja.objects.create(omrade=omrade, person=person, slot=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ledartroja.objects.create(omrade=omrade, person=person, slot=2)


@pytest.mark.django_db
def test_input_text_is_at_most_2000_characters_in_the_database() -> None:
    Inspel.objects.create(typ="ide", text="x" * 2000)
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspel.objects.create(typ="ide", text="x" * 2001)


@pytest.mark.django_db
def test_rejected_input_needs_a_reason() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspel.objects.create(typ="ide", text="Hej", status="avvisad")
