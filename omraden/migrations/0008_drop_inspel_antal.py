"""Drop InspelAntal and the triggers that kept it (0007).

The area page's pager counts Inspel.objects.visible_to(resident) of the area instead, over
the partial index inspel_godkand_omrade: the rule of what residents see stays in one place,
not in a trigger as well. The triggers go first (on SQLite a trigger naming a dropped table
fails the next write to omraden_inspel), then the table. Reversed, the table comes back
and 0007's triggers refill it.
"""

import importlib

from django.db import migrations

_0007 = importlib.import_module("omraden.migrations.0007_inspel_antal")


class Migration(migrations.Migration):
    dependencies = [
        ("omraden", "0007_inspel_antal"),
    ]

    operations = [
        # 0007's own functions the other way round: its backward drops the triggers (and the
        # PostgreSQL function), its forward creates them and fills the count.
        migrations.RunPython(_0007.backward, _0007.forward, elidable=False),
        migrations.DeleteModel(name="InspelAntal"),
    ]
