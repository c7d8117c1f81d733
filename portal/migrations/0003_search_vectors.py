"""Stored Swedish full-text vectors with GIN indexes for /sok/ (PostgreSQL only).

Each searched table gets a generated, stored tsvector column computed from its text fields
(kept in step by PostgreSQL on every insert and update) and a GIN index on it, so a search
reads the index and ranks stored vectors instead of parsing every row's text. The columns are
not model fields: only portal/search.py reads them, and only on PostgreSQL. On SQLite this
migration does nothing (search falls back to a substring match there).
"""

from django.db import migrations

# (table, column, text fields) — the same list as portal.search.SEARCH_COLUMNS.
COLUMNS = [
    ("uppfoljning_publicering", "sok", ["sammanfattning", "orsak", "atgarder"]),
    ("uppfoljning_uppfoljning", "sok", ["sammanfattning", "orsak", "atgarder"]),
    ("uppfoljning_rapport", "sok", ["titel", "sammanfattning"]),
    ("omraden_inspel", "sok_publik", ["publicerad_text", "svar"]),
    ("omraden_inspel", "sok_intern", ["text", "publicerad_text", "svar"]),
]


def _document(fields):
    return " || ' ' || ".join(f"coalesce(\"{f}\", '')" for f in fields)


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, fields in COLUMNS:
        schema_editor.execute(
            f'ALTER TABLE "{table}" ADD COLUMN "{column}" tsvector GENERATED ALWAYS AS '
            f"(to_tsvector('swedish'::regconfig, {_document(fields)})) STORED"
        )
        schema_editor.execute(
            f'CREATE INDEX "{table}_{column}_gin" ON "{table}" USING gin ("{column}")'
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, _fields in COLUMNS:
        schema_editor.execute(f'ALTER TABLE "{table}" DROP COLUMN IF EXISTS "{column}"')


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_tillganglighetsredogorelse"),
        ("omraden", "0001_initial"),
        ("uppfoljning", "0001_initial"),
    ]

    operations = [migrations.RunPython(add, remove, elidable=False)]
