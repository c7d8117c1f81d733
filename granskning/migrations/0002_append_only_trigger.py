"""Audit rows are never changed or deleted: a database trigger refuses it.

The same rule as uppfoljning's Historik: PostgreSQL refuses UPDATE and DELETE of rows (TRUNCATE,
which `flush` and the test runner use, stays possible for the table owner); SQLite refuses
UPDATE only, because `flush` empties SQLite tables with DELETE.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION granskning_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'granskning_granskningslogg is append-only: % is refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER granskning_no_update_delete
    BEFORE UPDATE OR DELETE ON granskning_granskningslogg
    FOR EACH ROW EXECUTE FUNCTION granskning_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS granskning_no_update_delete ON granskning_granskningslogg;
DROP FUNCTION IF EXISTS granskning_append_only();
"""
SQLITE_FORWARD = """CREATE TRIGGER granskning_no_update BEFORE UPDATE ON granskning_granskningslogg
BEGIN SELECT RAISE(ABORT, 'granskning_granskningslogg is append-only: UPDATE is refused'); END;"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS granskning_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("granskning", "0001_audit_log")]

    operations = [migrations.RunPython(forward, backward)]
