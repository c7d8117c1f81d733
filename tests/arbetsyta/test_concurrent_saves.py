"""No lost updates under real concurrency: 20 saves at once from separate connections.

Runs against PostgreSQL only (`make test-postgres` selects the `postgres` marker; `make test`
deselects it), because it needs a server that takes many writing connections at once.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connection

from tests.cast import make_cast
from uppfoljning import services
from uppfoljning.models import Historik, Uppfoljning

THREADS = 20


def _race(pk: int, user: Any, version_for: Any) -> list[str]:
    """Start THREADS saves at the same moment, each on its own database connection."""
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def save(i: int) -> None:
        try:
            uppf = Uppfoljning.objects.select_related("period").get(pk=pk)
            version = version_for(uppf)
            barrier.wait()
            try:
                services.uppfoljning_save(
                    uppfoljning=uppf,
                    version=version,
                    changes={"sammanfattning": f"Sparat av tråd {i}"},
                    by=user,
                )
                result = "saved"
            except services.StaleVersion:
                result = "refused"
            with lock:
                outcomes.append(result)
        finally:
            # Each thread opened its own connection; close it so the database can be flushed.
            connection.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_saves_from_one_version_let_exactly_one_through() -> None:
    cast = make_cast()
    klg = cast.users["klg"]
    uppf, _ = services.uppfoljning_get_or_create(period=cast.period, omrade=cast.omrade_a, by=klg)
    start = uppf.version

    outcomes = _race(uppf.pk, klg, lambda u: start)

    assert Counter(outcomes) == {"saved": 1, "refused": THREADS - 1}
    row = Uppfoljning.objects.get(pk=uppf.pk)
    assert row.version == start + 1
    changes = Historik.objects.filter(uppfoljning=uppf, handling=Historik.Handling.ANDRAD)
    assert changes.count() == 1
    assert changes.get().efter == {"sammanfattning": row.sammanfattning}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_each_from_the_version_they_read_leave_one_history_row_per_save() -> None:
    cast = make_cast()
    klg = cast.users["klg"]
    uppf, _ = services.uppfoljning_get_or_create(period=cast.period, omrade=cast.omrade_a, by=klg)
    start = uppf.version

    outcomes = _race(uppf.pk, klg, lambda u: u.version)

    saved = outcomes.count("saved")
    assert saved >= 1
    assert len(outcomes) == THREADS
    row = Uppfoljning.objects.get(pk=uppf.pk)
    assert row.version == start + saved
    versions = list(
        Historik.objects.filter(uppfoljning=uppf, handling=Historik.Handling.ANDRAD)
        .order_by("version")
        .values_list("version", flat=True)
    )
    # Exactly one successful save per version, and one history row for each.
    assert versions == list(range(start + 1, start + saved + 1))
