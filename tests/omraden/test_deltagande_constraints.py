"""Database rules of input and sign-ups: hold on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from omraden.models import Anmalan, Inspel
from tests.conftest import make_aktivitet


@pytest.mark.django_db
def test_approved_input_needs_a_published_text() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspel.objects.create(typ="ide", text="Hej", status="godkand", publicerad_text="")
    Inspel.objects.create(typ="ide", text="Hej", status="godkand", publicerad_text="Hej")


@pytest.mark.django_db
def test_input_status_must_be_known() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspel.objects.create(typ="ide", text="Hej", status="raderad")


@pytest.mark.django_db
def test_sign_up_status_must_be_known_and_cancelled_needs_a_time() -> None:
    aktivitet = make_aktivitet(kapacitet=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Anmalan.objects.create(aktivitet=aktivitet, namn="A", epost="a@example.se", status="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Anmalan.objects.create(
            aktivitet=aktivitet, namn="A", epost="a@example.se", status="avbokad"
        )
    Anmalan.objects.create(
        aktivitet=aktivitet,
        namn="A",
        epost="a@example.se",
        status="avbokad",
        avbokad_at=timezone.now(),
    )


@pytest.mark.django_db
def test_cancel_codes_are_unique() -> None:
    aktivitet = make_aktivitet(kapacitet=3)
    first = Anmalan.objects.create(aktivitet=aktivitet, status="bekraftad")
    assert len(first.token) >= 32
    with pytest.raises(IntegrityError), transaction.atomic():
        Anmalan.objects.create(aktivitet=aktivitet, status="bekraftad", token=first.token)


@pytest.mark.django_db
def test_state_changes_never_touch_the_text_as_received() -> None:
    inspel = Inspel.objects.create(typ="ide", text="Originalet")
    inspel.approve(publicerad_text="", by=None)
    assert inspel.publicerad_text == "Originalet"  # the default is the received text
    inspel.answer(text="Svar", by=None)
    inspel.reject(reason="Skäl", by=None)
    inspel.refresh_from_db()
    assert inspel.text == "Originalet"
    with pytest.raises(ValueError):
        inspel.reject(reason=" ", by=None)


@pytest.mark.django_db
def test_the_admin_cannot_delete_input_or_sign_ups(admin_client: object) -> None:
    inspel = Inspel.objects.create(typ="ide", text="Hej")
    anmalan = Anmalan.objects.create(aktivitet=make_aktivitet(kapacitet=1), status="bekraftad")
    for url in (
        f"/admin/omraden/inspel/{inspel.pk}/delete/",
        f"/admin/omraden/anmalan/{anmalan.pk}/delete/",
    ):
        assert admin_client.post(url, {"post": "yes"}).status_code == 403  # type: ignore[attr-defined]
    assert Inspel.objects.filter(pk=inspel.pk).exists()
    assert Anmalan.objects.filter(pk=anmalan.pk).exists()
