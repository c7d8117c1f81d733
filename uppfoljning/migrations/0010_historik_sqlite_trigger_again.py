"""Recreate the history's append-only trigger on SQLite after 0009.

Adding `Historik.kommentar` made SQLite rebuild the table (a new table, copied rows, renamed),
which drops its triggers; 0003's trigger is made again here. PostgreSQL adds the column in
place and keeps its trigger, so nothing is done there.
"""

from django.db import migrations

SQLITE_FORWARD = """CREATE TRIGGER IF NOT EXISTS uppfoljning_historik_no_update
    BEFORE UPDATE ON uppfoljning_historik
    BEGIN SELECT RAISE(ABORT, 'uppfoljning_historik is append-only: UPDATE is refused'); END;"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


class Migration(migrations.Migration):
    dependencies = [("uppfoljning", "0009_signoff_and_assignment_areas")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
