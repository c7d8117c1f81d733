"""`Publicering.ersatt_at`: when a later version of the same follow-up becomes visible.

Filled here for the publications already written (the earliest moment of a version after it,
the later id winning a tie); Publicering.save() keeps it from now on.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Min, OuterRef, Q, Subquery


def fill(apps, schema_editor):
    Publicering = apps.get_model("uppfoljning", "Publicering")
    later = Publicering.objects.filter(uppfoljning=OuterRef("uppfoljning")).filter(
        Q(publicerad_at__gt=OuterRef("publicerad_at"))
        | Q(publicerad_at=OuterRef("publicerad_at"), pk__gt=OuterRef("pk"))
    )
    first = later.order_by().values("uppfoljning").annotate(first=Min("publicerad_at"))
    Publicering.objects.update(ersatt_at=Subquery(first.values("first")))


class Migration(migrations.Migration):
    dependencies = [
        ("uppfoljning", "0005_publicering_senaste"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="publicering",
            name="ersatt_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="superseded from"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="publicering",
            index=models.Index(
                condition=models.Q(("ersatt_at__isnull", False)),
                fields=["ersatt_at"],
                name="publicering_ersatt_at",
            ),
        ),
        migrations.AddConstraint(
            model_name="publicering",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("ersatt_at__isnull", True),
                    ("ersatt_at__gte", models.F("publicerad_at")),
                    _connector="OR",
                ),
                name="publicering_ersatt_efter_synlig",
            ),
        ),
    ]
