"""Each area's count of approved input is kept by the database (omraden/migrations/0007).

Whatever writes the input — the moderation, a plain save, a bulk insert, a queryset update
or delete — the count equals a fresh count of the area's approved input.
"""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.test import Client

from omraden.models import Inspel, InspelAntal, Omrade
from tests.conftest import make_omrade

pytestmark = pytest.mark.django_db


def _kept() -> dict[int, int]:
    return {k: v for k, v in InspelAntal.objects.values_list("omrade_id", "antal") if v}


def _counted() -> dict[int, int]:
    return dict(
        Inspel.objects.filter(status=Inspel.Status.GODKAND, omrade__isnull=False)
        .values("omrade")
        .annotate(n=Count("*"))
        .values_list("omrade", "n")
    )


def _inspel(omrade: Omrade | None, status: str = "godkand") -> Inspel:
    return Inspel.objects.create(
        typ="ide",
        text="Text",
        publicerad_text="Text" if status == "godkand" else "",
        avvisningsorsak="Skäl" if status == "avvisad" else "",
        status=status,
        omrade=omrade,
    )


def test_every_way_of_writing_input_keeps_the_count() -> None:
    a, b = make_omrade(), make_omrade()
    approved = [_inspel(a) for _ in range(3)] + [_inspel(b)]
    waiting = _inspel(a, status="ny")
    _inspel(None)  # the whole municipality's input has no area to count in
    assert _kept() == _counted() == {a.pk: 3, b.pk: 1}

    waiting.approve(publicerad_text="Godkänd text", by=None)  # the moderation's path
    assert _kept() == _counted() == {a.pk: 4, b.pk: 1}

    moved = approved[0]
    moved.omrade = b
    moved.save()  # moved to another area
    approved[1].text = "Ändrad text"
    approved[1].save()  # neither status nor area changes: nothing moves
    assert _kept() == _counted() == {a.pk: 3, b.pk: 2}

    Inspel.objects.filter(pk=approved[2].pk).update(status="avvisad", avvisningsorsak="Skäl")
    Inspel.objects.filter(pk=approved[3].pk).delete()
    Inspel.objects.bulk_create(
        Inspel(typ="ide", text="T", publicerad_text="T", status="godkand", omrade=a)
        for _ in range(5)
    )
    assert _kept() == _counted() == {a.pk: 7, b.pk: 1}


def test_the_area_page_pages_over_the_kept_count(client: Client) -> None:
    area = make_omrade(slug="bada")
    for _ in range(23):
        _inspel(area)
    html = client.get("/omraden/bada/").content.decode()
    assert "Sida 1 av 3" in html
    assert Omrade.objects.with_input_count().get(pk=area.pk).godkanda_inspel == 23
