"""History rows are never changed or deleted: a database trigger refuses it.

The model and its queryset already refuse updates and deletes; the trigger also stops raw SQL,
the shell and any future code path. PostgreSQL refuses UPDATE and DELETE of single rows;
TRUNCATE (what `manage.py flush` and the test runner use to empty the whole database, an act
that needs the table owner's rights) stays possible. SQLite refuses UPDATE only: it has no
TRUNCATE, and `flush` empties tables with DELETE, so a delete trigger would make the test
database impossible to reset; the model and its queryset still refuse deletes there.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION uppfoljning_historik_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'uppfoljning_historik is append-only: % is refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER uppfoljning_historik_no_update_delete
    BEFORE UPDATE OR DELETE ON uppfoljning_historik
    FOR EACH ROW EXECUTE FUNCTION uppfoljning_historik_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS uppfoljning_historik_no_update_delete ON uppfoljning_historik;
DROP FUNCTION IF EXISTS uppfoljning_historik_append_only();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER uppfoljning_historik_no_update BEFORE UPDATE ON uppfoljning_historik
    BEGIN SELECT RAISE(ABORT, 'uppfoljning_historik is append-only: UPDATE is refused'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS uppfoljning_historik_no_update;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # params=None: the SQL holds a literal % (RAISE format), not a placeholder.
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("uppfoljning", "0002_paminnelse")]

    operations = [migrations.RunPython(forward, backward)]
