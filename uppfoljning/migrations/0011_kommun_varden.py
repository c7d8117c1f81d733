"""The indicator values for the municipality are no longer named after one municipality.

`Matvarde.tyreso` becomes `Matvarde.kommun` and `Indikator.startlage_tyreso` becomes
`Indikator.startlage_kommun`. RenameField keeps every value. The two check constraints refer
to the renamed fields, so they are dropped before and made again after the rename (same
names); the history table and its append-only trigger are not touched.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("uppfoljning", "0010_historik_sqlite_trigger_again")]

    operations = [
        migrations.RemoveConstraint(model_name="indikator", name="indikator_startlage_har_ar"),
        migrations.RemoveConstraint(model_name="matvarde", name="matvarde_har_ett_varde"),
        migrations.RenameField(
            model_name="indikator", old_name="startlage_tyreso", new_name="startlage_kommun"
        ),
        migrations.RenameField(model_name="matvarde", old_name="tyreso", new_name="kommun"),
        migrations.AlterField(
            model_name="indikator",
            name="startlage_kommun",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=10,
                null=True,
                verbose_name="baseline, municipality",
            ),
        ),
        migrations.AlterField(
            model_name="matvarde",
            name="kommun",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=10,
                null=True,
                verbose_name="municipality",
            ),
        ),
        migrations.AddConstraint(
            model_name="indikator",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("startlage_kommun__isnull", True),
                    ("startlage_ar__isnull", False),
                    _connector="OR",
                ),
                name="indikator_startlage_har_ar",
            ),
        ),
        migrations.AddConstraint(
            model_name="matvarde",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kommun__isnull", False), ("riket__isnull", False), _connector="OR"
                ),
                name="matvarde_har_ett_varde",
                violation_error_message=(
                    "A value needs a figure for the municipality or the nation."
                ),
            ),
        ),
    ]
