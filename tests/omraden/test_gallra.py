from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from omraden.models import Anmalan, Inspel
from tests.conftest import make_aktivitet, make_inspel


def _gallra(*args: str) -> str:
    out = StringIO()
    call_command("gallra", *args, stdout=out)
    return out.getvalue()


def _scenario() -> dict[str, Any]:
    now = timezone.now()
    today = timezone.localdate()
    contact = {"namn": "Eva Ek", "epost": "eva@example.se", "visa_namn": True}
    old_closed = make_inspel(stangd_at=now - dt.timedelta(days=400), svar="Svar", **contact)
    recent_closed = make_inspel(stangd_at=now - dt.timedelta(days=200), **contact)
    open_old = make_inspel(status=Inspel.Status.NY, **contact)
    Inspel.objects.filter(pk=open_old.pk).update(skapad=now - dt.timedelta(days=800))
    rejected_old = make_inspel(
        status=Inspel.Status.AVVISAD, stangd_at=now - dt.timedelta(days=400), **contact
    )
    old_activity = make_aktivitet(datum=today - dt.timedelta(days=120), kapacitet=5)
    new_activity = make_aktivitet(datum=today - dt.timedelta(days=30), kapacitet=5)
    signups = {
        "old": Anmalan.objects.create(
            aktivitet=old_activity,
            namn="Ola",
            epost="ola@example.se",
            behov="Tolk",
            status=Anmalan.Status.BEKRAFTAD,
        ),
        "new": Anmalan.objects.create(
            aktivitet=new_activity,
            namn="Nils",
            epost="nils@example.se",
            status=Anmalan.Status.BEKRAFTAD,
        ),
    }
    return {
        "old_closed": old_closed,
        "recent_closed": recent_closed,
        "open_old": open_old,
        "rejected_old": rejected_old,
        **signups,
    }


@pytest.mark.django_db
def test_it_removes_contact_details_after_the_retention_and_keeps_the_records() -> None:
    s = _scenario()
    out = _gallra()
    assert "contact details removed from 2 input and personal data from 1 sign-ups" in out

    for key in ("old_closed", "rejected_old"):
        inspel = Inspel.objects.get(pk=s[key].pk)
        assert (inspel.namn, inspel.epost, inspel.visa_namn) == ("", "", False)
        assert inspel.gallrad_at is not None
        # The record itself is kept: the text as received, the status, the answer.
        assert inspel.text == s[key].text and inspel.status == s[key].status
    assert Inspel.objects.get(pk=s["old_closed"].pk).svar == "Svar"
    # Closed less than 12 months ago, or never closed: contact details are kept.
    for key in ("recent_closed", "open_old"):
        assert Inspel.objects.get(pk=s[key].pk).epost == "eva@example.se"

    old = Anmalan.objects.get(pk=s["old"].pk)
    assert (old.namn, old.epost, old.behov, old.status) == ("", "", "", "bekraftad")
    assert Anmalan.objects.get(pk=s["new"].pk).epost == "nils@example.se"
    assert Inspel.objects.count() == 4 and Anmalan.objects.count() == 2  # nothing deleted


@pytest.mark.django_db
def test_dry_run_reports_the_counts_and_changes_nothing() -> None:
    s = _scenario()
    out = _gallra("--dry-run")
    assert "[dry run] gallra: contact details removed from 2 input" in out
    assert Inspel.objects.get(pk=s["old_closed"].pk).epost == "eva@example.se"
    assert Anmalan.objects.get(pk=s["old"].pk).epost == "ola@example.se"


@pytest.mark.django_db
def test_the_retention_is_configurable(settings: Any) -> None:
    s = _scenario()
    settings.GALLRING = {"inspel_kontaktuppgifter_manader": 6, "anmalan_manader": 0}
    out = _gallra()
    assert "from 3 input and personal data from 2 sign-ups" in out
    assert Inspel.objects.get(pk=s["recent_closed"].pk).epost == ""


@pytest.mark.django_db
def test_a_second_run_finds_nothing_more() -> None:
    _scenario()
    _gallra()
    assert "from 0 input and personal data from 0 sign-ups" in _gallra()


@pytest.mark.django_db
def test_the_public_page_no_longer_shows_a_removed_name(client: Any) -> None:
    s = _scenario()
    assert "Eva Ek" in client.get("/tyck-till/").content.decode()
    _gallra()
    html = client.get("/tyck-till/").content.decode()
    # Only the recent one still shows the chosen name.
    assert html.count("Eva Ek") == 1
    assert Inspel.objects.get(pk=s["recent_closed"].pk).namn == "Eva Ek"
