"""Drop the GIN index over every publication's search vector (PostgreSQL only).

Residents search the versions visible now, from the partial index of 0005 (and the
`publicering_ersatt_at` index for the few superseded only later); staff search the working
copies' own vectors. Nothing read the full index: after whole benchmark runs at top scale
PostgreSQL counted 0 scans of it against 7,228 of the partial one, and every publication
still paid for keeping it (5.3 MB at top scale). The stored vector column stays. On SQLite
this migration does nothing.
"""

from django.db import migrations

NAME = "uppfoljning_publicering_sok_gin"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{NAME}"')


def recreate(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "uppfoljning_publicering" USING gin ("sok")'
    )


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_search_current_publications")]

    operations = [migrations.RunPython(drop, recreate, elidable=False)]
