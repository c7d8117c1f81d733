"""The area page's count of approved input comes with the area (with_input_count()) and pages
the list: only approved input of that area counts."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from omraden.models import Inspel, Omrade
from tests.conftest import make_inspel, make_omrade

pytestmark = pytest.mark.django_db


def test_counts_only_the_areas_approved_input() -> None:
    a, b, empty = make_omrade(), make_omrade(), make_omrade()
    for _ in range(3):
        make_inspel(omrade=a)
    make_inspel(omrade=a, status=Inspel.Status.NY)
    make_inspel(omrade=a, status=Inspel.Status.AVVISAD)
    make_inspel(omrade=b)
    make_inspel()  # about no particular area
    counts = dict(Omrade.objects.with_input_count().values_list("pk", "godkanda_inspel"))
    assert counts == {a.pk: 3, b.pk: 1, empty.pk: 0}


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
