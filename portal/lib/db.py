"""Database helpers that the ORM does not offer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection


def _client_bound(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    db = context["connection"]
    wrapper = context["cursor"]
    if db.vendor == "postgresql" and db.settings_dict["OPTIONS"].get("server_side_binding"):
        from django.db.backends.postgresql.base import Cursor  # psycopg 3's ClientCursor

        if not isinstance(wrapper.cursor, Cursor):
            # The values are written into the query text, as without server-side binding:
            # PostgreSQL plans this text afresh for them. Django's wrapper reads the rows
            # from the new cursor as from its own.
            wrapper.cursor.close()
            wrapper.cursor = Cursor(db.connection)
    return execute(sql, params, many, context)


@contextmanager
def planned_for_values() -> Iterator[None]:
    """Run the queries inside with their values in the text, planned for those values.

    With prepared statements on (settings: DB_PREPARED_STATEMENTS) PostgreSQL plans each
    query text once, for any values (a generic plan). That is right for the portal's short
    lookups and wrong for a query whose best plan depends on its values, such as full-text
    search, where a rare word reads an index and a common word walks the newest rows.
    Query logging and counting see these queries as any other.
    """
    with connection.execute_wrapper(_client_bound):
        yield
