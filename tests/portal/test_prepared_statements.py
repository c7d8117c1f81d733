"""Prepared statements on PostgreSQL (settings: DB_PREPARED_STATEMENTS) and the one way out."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from omraden.models import Omrade
from portal.lib.db import planned_for_values
from tests.conftest import make_omrade

# PostgreSQL only: `make test-postgres` (and CI) runs the tests marked `postgres`.
pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _prepared_count() -> int:
    with connection.cursor() as cursor, planned_for_values():
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%omraden_omrade%"],
        )
        return cursor.fetchone()[0]


def test_orm_queries_are_prepared_and_planned_generically():
    options = connection.settings_dict["OPTIONS"]
    assert options["server_side_binding"] is True
    assert "plan_cache_mode=force_generic_plan" in options["options"]
    make_omrade(nummer=1)
    for _ in range(options["prepare_threshold"] + 1):
        assert list(Omrade.objects.filter(nummer=1).values_list("nummer", flat=True)) == [1]
    assert _prepared_count() >= 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"


def test_planned_for_values_puts_the_values_in_the_text_and_still_counts():
    make_omrade(nummer=2, kortnamn="Värden")
    before = _prepared_count()
    with CaptureQueriesContext(connection) as queries, planned_for_values():
        for _ in range(5):
            with connection.cursor() as cursor:
                cursor.execute("SELECT kortnamn FROM omraden_omrade WHERE nummer = %s", [2])
                assert cursor.fetchall() == [("Värden",)]
    assert len(queries) == 5
    # The values were written into the text: nothing of it was prepared.
    assert _prepared_count() == before
    assert "nummer = 2" in queries[0]["sql"]
