"""InspelAntal: each area's count of approved input, kept by database triggers.

The area page showed "Sida n av m" by counting the area's approved input on every visit (an
index-only scan of 7,000 entries at the benchmark's top scale). Now triggers on
omraden_inspel keep the count in its own table, one row per area, whatever writes the
input: one is added when an input of the area becomes approved (inserted approved, approved,
moved into the area) and taken away when it stops being (rejected, moved away, deleted).
Updates that change neither the status nor the area do not touch the count. The table is
filled from the input already there.

PostgreSQL: one PL/pgSQL function, an INSERT/DELETE trigger and an UPDATE trigger with a WHEN
clause. SQLite: three triggers with the same rules (UPSERT needs SQLite 3.24).
"""

import django.db.models.deletion
from django.db import migrations, models

APPROVED = "godkand"

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION omraden_inspel_antal() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE')
       AND OLD.status = '{APPROVED}' AND OLD.omrade_id IS NOT NULL THEN
        UPDATE omraden_inspelantal SET antal = antal - 1 WHERE omrade_id = OLD.omrade_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE')
       AND NEW.status = '{APPROVED}' AND NEW.omrade_id IS NOT NULL THEN
        INSERT INTO omraden_inspelantal (omrade_id, antal) VALUES (NEW.omrade_id, 1)
        ON CONFLICT (omrade_id) DO UPDATE SET antal = omraden_inspelantal.antal + 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER omraden_inspel_antal_insert_delete
    AFTER INSERT OR DELETE ON omraden_inspel
    FOR EACH ROW EXECUTE FUNCTION omraden_inspel_antal();
CREATE TRIGGER omraden_inspel_antal_update
    AFTER UPDATE OF status, omrade_id ON omraden_inspel
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.omrade_id IS DISTINCT FROM NEW.omrade_id)
    EXECUTE FUNCTION omraden_inspel_antal();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS omraden_inspel_antal_update ON omraden_inspel;
DROP TRIGGER IF EXISTS omraden_inspel_antal_insert_delete ON omraden_inspel;
DROP FUNCTION IF EXISTS omraden_inspel_antal();
"""

_ADD = f"""INSERT INTO omraden_inspelantal (omrade_id, antal) SELECT NEW.omrade_id, 1
        WHERE NEW.status = '{APPROVED}' AND NEW.omrade_id IS NOT NULL
        ON CONFLICT (omrade_id) DO UPDATE SET antal = antal + 1;"""
_TAKE = f"""UPDATE omraden_inspelantal SET antal = antal - 1
        WHERE OLD.status = '{APPROVED}' AND omrade_id = OLD.omrade_id;"""
SQLITE_FORWARD = [
    f"CREATE TRIGGER omraden_inspel_antal_insert AFTER INSERT ON omraden_inspel BEGIN {_ADD} END;",
    f"CREATE TRIGGER omraden_inspel_antal_delete AFTER DELETE ON omraden_inspel BEGIN {_TAKE} END;",
    "CREATE TRIGGER omraden_inspel_antal_update AFTER UPDATE OF status, omrade_id ON omraden_inspel"
    " WHEN OLD.status IS NOT NEW.status OR OLD.omrade_id IS NOT NEW.omrade_id"
    f" BEGIN {_TAKE} {_ADD} END;",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS omraden_inspel_antal_insert;",
    "DROP TRIGGER IF EXISTS omraden_inspel_antal_delete;",
    "DROP TRIGGER IF EXISTS omraden_inspel_antal_update;",
]
FILL = f"""
INSERT INTO omraden_inspelantal (omrade_id, antal)
SELECT omrade_id, COUNT(*) FROM omraden_inspel
 WHERE status = '{APPROVED}' AND omrade_id IS NOT NULL
 GROUP BY omrade_id
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)
    else:
        raise NotImplementedError(f"No triggers for {vendor}: only PostgreSQL and SQLite.")
    schema_editor.execute(FILL)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("omraden", "0006_inspel_godkand_id_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="InspelAntal",
            fields=[
                (
                    "omrade",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="inspel_antal",
                        serialize=False,
                        to="omraden.omrade",
                        verbose_name="area",
                    ),
                ),
                ("antal", models.PositiveIntegerField(default=0, verbose_name="approved input")),
            ],
            options={
                "verbose_name": "count of approved input",
                "verbose_name_plural": "counts of approved input",
            },
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
