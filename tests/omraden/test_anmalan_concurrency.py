"""100 residents sign up at once for 30 seats, each in its own thread and connection
(at most MAX_CONNECTIONS connections open at the same moment).

Runs on real PostgreSQL only (`make test-postgres`): SQLite serialises every writer anyway,
so it could not show that the row lock (SELECT … FOR UPDATE) is what keeps the count right.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from omraden.models import Anmalan
from omraden.services import anmalan_cancel, anmalan_create
from tests.conftest import make_aktivitet

SEATS = 30
PEOPLE = 100
# At most this many of the threads hold a connection at the same moment: PostgreSQL's default
# max_connections is 100, shared with the test runner and anyone else on the server.
MAX_CONNECTIONS = 20


def _run_in_threads(target, count: int) -> list[BaseException]:  # type: ignore[no-untyped-def]
    errors: list[BaseException] = []
    start = threading.Barrier(count)
    slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def worker(i: int) -> None:
        start.wait()  # all threads start together and race for the connection slots
        with slots:
            try:
                target(i)
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)
            finally:
                connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_100_concurrent_sign_ups_for_30_seats_confirm_exactly_30() -> None:
    assert connection.vendor == "postgresql"
    aktivitet = make_aktivitet(kapacitet=SEATS)

    errors = _run_in_threads(
        lambda i: anmalan_create(
            aktivitet_id=aktivitet.pk, namn=f"Person {i}", epost=f"p{i}@example.se", behov=""
        ),
        PEOPLE,
    )

    assert errors == []
    rows = Anmalan.objects.filter(aktivitet=aktivitet)
    assert rows.count() == PEOPLE  # none lost
    assert rows.filter(status=Anmalan.Status.BEKRAFTAD).count() == SEATS  # none double-booked
    assert rows.filter(status=Anmalan.Status.VANTELISTA).count() == PEOPLE - SEATS
    assert rows.values("epost").distinct().count() == PEOPLE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_each_free_one_seat_for_the_waiting_list() -> None:
    aktivitet = make_aktivitet(kapacitet=10)
    for i in range(30):
        anmalan_create(aktivitet_id=aktivitet.pk, namn=f"P{i}", epost=f"p{i}@example.se", behov="")
    confirmed = list(
        Anmalan.objects.filter(status=Anmalan.Status.BEKRAFTAD).values_list("token", flat=True)
    )

    errors = _run_in_threads(lambda i: anmalan_cancel(token=confirmed[i]), len(confirmed))

    assert errors == []
    rows = Anmalan.objects.filter(aktivitet=aktivitet)
    assert rows.filter(status=Anmalan.Status.AVBOKAD).count() == 10
    assert rows.filter(status=Anmalan.Status.BEKRAFTAD).count() == 10
    assert rows.filter(status=Anmalan.Status.VANTELISTA).count() == 10
