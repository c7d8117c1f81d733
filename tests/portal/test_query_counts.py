"""Every public page runs the same number of queries, at most ten, at small and larger data.

Walks every route of the URLconf (tests/security/urlmap.py: a new page is picked up without
touching this file) as an anonymous visitor, with the public page cache off so the views'
own queries are counted; then grows every table the pages list and walks the same addresses
again.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from omraden.models import Inspel, Omrade
from tests.conftest import (
    make_aktivitet,
    make_indikator,
    make_matvarde,
    make_period,
    make_publicering,
    make_rapport,
    make_uppfoljning,
)
from tests.security.urlmap import build_world, concrete_urls
from uppfoljning.models import Period, Uppdrag

MAX_QUERIES = 10


def _walk(client: Client, urls: list[str]) -> dict[str, int]:
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        if response.status_code == 200:
            counts[url] = len(ctx.captured_queries)
    return counts


def _grow() -> None:
    """Many more rows of everything the public pages list."""
    omraden = list(Omrade.objects.all())
    uppdrag = list(Uppdrag.objects.all())
    taken = set(Period.objects.values_list("ar", "tertial"))
    for ar in range(2010, 2016):
        for tertial in (1, 2, 3):
            if (ar, tertial) in taken:
                continue
            period = make_period(ar=ar, tertial=tertial, tillstand="stangd")
            for subject in [{"omrade": o} for o in omraden] + [{"uppdrag": u} for u in uppdrag]:
                uppf = make_uppfoljning(period=period, status="gron", **subject)
                make_publicering(uppf)
                make_publicering(uppf, version=2)
    today = timezone.localdate()
    for i in range(30):
        make_aktivitet(
            titel=f"Träff {i}",
            omraden=omraden[: 1 + i % 3],
            datum=today + dt.timedelta(days=i - 15),
        )
    for i in range(40):
        Inspel.objects.create(
            typ="ide",
            text=f"Idé nummer {i}",
            publicerad_text=f"Idé nummer {i}",
            status="godkand",
            omrade=omraden[i % len(omraden)],
            svar="Tack!" if i % 2 else "",
        )
    for i in range(5):
        indikator = make_indikator(slug=f"extra-{i}", namn=f"Extra indikator {i}")
        for ar in range(2010, 2024):
            make_matvarde(indikator, ar=ar)
    for _ in range(12):
        make_rapport()


@pytest.mark.django_db
def test_every_public_page_runs_the_same_few_queries_whatever_the_data(
    client: Client, tyreso: None, settings: object
) -> None:
    settings.PUBLIC_CACHE = False  # type: ignore[attr-defined]
    # Search with words every kind of row contains: its page shows all four kinds.
    urls = [*concrete_urls(build_world()), "/sok/?q=kommun", "/en/sok/?q=kommun"]
    small = _walk(client, urls)
    _grow()
    large = _walk(client, urls)
    assert len(small) > 20, "the walk found too few public pages"
    grew = {url: (small[url], large.get(url)) for url in small if large.get(url) != small[url]}
    assert grew == {}, "pages whose query count changed with the data (small, large)"
    too_many = {url: n for url, n in large.items() if n > MAX_QUERIES}
    assert too_many == {}, f"pages with more than {MAX_QUERIES} queries"
