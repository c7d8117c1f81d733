"""The area page pages the input residents see of that area ("Sida n av m"): the count is
Inspel.objects.visible_to(resident) of the area, so whatever writes the input — the
moderation, a plain save, a bulk insert, a queryset update or delete — the page follows."""

from __future__ import annotations

import re

import pytest
from django.db.models import Count
from django.test import Client

from omraden import deltagande_views
from omraden.models import Inspel, Omrade
from portal.viewer import Viewer
from tests.conftest import make_inspel, make_omrade

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_per_page(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    """One input a page, so that the pager's "Sida 1 av n" is the count the page shows."""
    settings.PUBLIC_CACHE = False
    monkeypatch.setattr(deltagande_views, "PER_PAGE", 1)


def _shown(client: Client, *areas: Omrade) -> dict[int, int]:
    """Each area's number of input as its page shows it (with one input a page)."""
    counts = {}
    for area in areas:
        html = client.get(area.get_absolute_url()).content.decode()
        pager = re.search(r"Sida 1 av (\d+)", html)
        counts[area.pk] = int(pager[1]) if pager else html.count('class="inspel-item"')
    return counts


def _counted() -> dict[int, int]:
    return dict(
        Inspel.objects.filter(status=Inspel.Status.GODKAND, omrade__isnull=False)
        .values("omrade")
        .annotate(n=Count("*"))
        .values_list("omrade", "n")
    )


def test_counts_only_the_areas_approved_input(client: Client, one_per_page: None) -> None:
    a, b, empty = make_omrade(), make_omrade(), make_omrade()
    for _ in range(3):
        make_inspel(omrade=a)
    make_inspel(omrade=a, status=Inspel.Status.NY)
    make_inspel(omrade=a, status=Inspel.Status.AVVISAD)
    make_inspel(omrade=b)
    make_inspel()  # about no particular area
    assert _shown(client, a, b, empty) == {a.pk: 3, b.pk: 1, empty.pk: 0}
    resident = Inspel.objects.visible_to(Viewer.resident())
    counts = {o.pk: resident.filter(omrade=o).count() for o in (a, b, empty)}
    assert counts == {a.pk: 3, b.pk: 1, empty.pk: 0}


def test_every_way_of_writing_input_changes_the_count_shown(
    client: Client, one_per_page: None
) -> None:
    a, b = make_omrade(), make_omrade()
    approved = [make_inspel(omrade=a) for _ in range(3)] + [make_inspel(omrade=b)]
    waiting = make_inspel(omrade=a, status=Inspel.Status.NY)
    make_inspel()  # the whole municipality's input has no area to count in
    assert _shown(client, a, b) == _counted() == {a.pk: 3, b.pk: 1}

    waiting.approve(publicerad_text="Godkänd text", by=None)  # the moderation's path
    assert _shown(client, a, b) == _counted() == {a.pk: 4, b.pk: 1}

    moved = approved[0]
    moved.omrade = b
    moved.save()  # moved to another area
    approved[1].text = "Ändrad text"
    approved[1].save()  # neither status nor area changes: nothing moves
    assert _shown(client, a, b) == _counted() == {a.pk: 3, b.pk: 2}

    Inspel.objects.filter(pk=approved[2].pk).update(status="avvisad", avvisningsorsak="Skäl")
    Inspel.objects.filter(pk=approved[3].pk).delete()
    Inspel.objects.bulk_create(
        Inspel(typ="ide", text="T", publicerad_text="T", status="godkand", omrade=a)
        for _ in range(5)
    )
    assert _shown(client, a, b) == _counted() == {a.pk: 7, b.pk: 1}


def test_the_area_page_pages_over_the_count(client: Client) -> None:
    area = make_omrade(slug="bada")
    for _ in range(23):
        make_inspel(omrade=area)
    html = client.get("/omraden/bada/").content.decode()
    assert "Sida 1 av 3" in html
    assert Inspel.objects.visible_to(Viewer.resident()).filter(omrade=area).count() == 23


def test_the_pager_follows_approvals(client: Client, settings) -> None:
    settings.PUBLIC_CACHE = False
    area = make_omrade(slug="bada")
    for _ in range(10):
        make_inspel(omrade=area)
    waiting = make_inspel(omrade=area, status=Inspel.Status.NY)
    html = client.get("/omraden/bada/").content.decode()
    assert len(re.findall('class="inspel-item"', html)) == 10
    assert "Sida 1 av" not in html  # one page: no pager
    waiting.status = Inspel.Status.GODKAND
    waiting.publicerad_text = waiting.text
    waiting.save()
    html = client.get("/omraden/bada/").content.decode()
    assert "Sida 1 av 2" in html
    assert (
        len(re.findall('class="inspel-item"', client.get("/omraden/bada/?sida=2").content.decode()))
        == 1
    )
