"""/oppna-data/uppfoljningar.json page by page: each request reads the rows as they are at
its own moment, and the pages split exactly the rows the total counts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from oppna_data import datasets as open_data
from tests.conftest import make_period, make_publicering, make_uppdrag, make_uppfoljning

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_off(settings: object) -> None:
    # Every request runs the page's queries.
    settings.PUBLIC_CACHE = False  # type: ignore[attr-defined]


def _page(client: Client, page: int = 1) -> dict[str, Any]:
    r = client.get("/oppna-data/uppfoljningar.json", {"page": page} if page > 1 else {})
    assert r.status_code == 200
    return json.loads(r.content)


def test_a_scheduled_version_is_counted_and_latest_only_from_its_time(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    uppf = make_uppfoljning(status="gron")
    make_publicering(uppf)
    make_publicering(uppf, publicerad_at=timezone.now() + dt.timedelta(hours=1))
    body = _page(client)
    assert body["total"] == 1
    assert [(i["version"], i["is_latest"]) for i in body["items"]] == [(1, True)]
    later = timezone.now() + dt.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    body = _page(client)
    assert body["total"] == 2
    assert [(i["version"], i["is_latest"]) for i in body["items"]] == [(1, False), (2, True)]


def test_every_page_has_its_own_records_and_the_last_ends_at_the_total(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(open_data, "PAGE_SIZE", 3)
    period = make_period(ar=2024, tertial=1)
    for n in range(1, 8):
        make_publicering(make_uppfoljning(uppdrag=make_uppdrag(ordning=n), period=period))
    pages = [_page(client, n) for n in (1, 2, 3, 2)]
    ids = [[i["id"] for i in p["items"]] for p in pages]
    assert [len(i) for i in ids] == [3, 3, 1, 3]
    assert ids[1] == ids[3]
    assert len(set(ids[0] + ids[1] + ids[2])) == 7 == pages[0]["total"]


def test_no_records_need_no_page_query(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # 1: the rows' count; an empty first page reads no rows.
    with django_assert_num_queries(1):
        body = _page(client)
    assert (body["total"], body["items"]) == (0, [])
