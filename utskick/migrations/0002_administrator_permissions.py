"""The administratör group sees the outbox in the admin and may send an e-mail again.

View and change (the rows are read-only in the admin; change allows the "Send again" action),
no add, no delete: the outbox is the record of what was sent. As portal's
0007_administrator_permissions, the permissions are made here, not left to post_migrate.
"""

from django.db import migrations

ADMINISTRATOR = "administratör"
ACTIONS = ["change", "view"]


def _permissions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    opts = apps.get_model("utskick", "Utskick")._meta
    content_type, _ = ContentType.objects.get_or_create(
        app_label=opts.app_label, model=opts.model_name
    )
    for action in ACTIONS:
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_{opts.model_name}",
            defaults={"name": f"Can {action} {opts.verbose_name_raw}"},
        )
        yield permission


def grant(apps, schema_editor):
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=ADMINISTRATOR)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=ADMINISTRATOR).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("utskick", "0001_initial"),
        ("portal", "0007_administrator_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
