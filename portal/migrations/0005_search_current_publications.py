"""A GIN index over the search vectors of the publications no later version supersedes.

Residents search each follow-up's version visible now (`Publicering.objects.current()`):
nearly always one with `ersatt_at IS NULL`, which this partial index covers (a tenth of the
rows when follow-ups are revised ten times), so a word's current matches come from the index
alone instead of a probe per follow-up. The few versions superseded only in the future use
the `publicering_ersatt_at` index. PostgreSQL only: on SQLite this migration does nothing.
"""

from django.db import migrations

NAME = "uppfoljning_publicering_sok_aktuell_gin"


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX "{NAME}" ON "uppfoljning_publicering" USING gin ("sok") '
        "WHERE ersatt_at IS NULL"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{NAME}"')


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_search_public_input_index"),
        ("uppfoljning", "0006_publicering_ersatt_at"),
    ]

    operations = [migrations.RunPython(add, remove, elidable=False)]
