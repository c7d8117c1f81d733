"""The administratör group's model permissions: what administrators do in the admin.

People and roles (users, their groups, the person behind a login), areas with their fadder
and ledartröjor, periods (open and close), and the content staff keep there. Records stay
read-only: follow-ups change in the workspace (a version check and a history row per save),
publications, history and reminders are append-only, resident input and sign-ups are
handled by moderation and `gallra`. No permission on groups beyond viewing them, and none on
permissions: an administrator hands out the portal's roles, never new rights (see
portal/admin.py for what the user admin hides from them). Axes → Access attempts: view and
delete, which lifts a login lock.

Permissions are created here rather than left to post_migrate, which runs only after every
migration: on a fresh database they would not exist yet. The names are those Django gives.
A model added to the admin later needs its own migration like this one.
"""

from django.db import migrations

ADMINISTRATOR = "administratör"

PERMISSIONS = {
    "auth.user": ["add", "change", "view"],
    "auth.group": ["view"],
    "omraden.person": ["add", "change", "delete", "view"],
    "omraden.fas": ["add", "change", "view"],
    "omraden.omrade": ["add", "change", "view"],
    "omraden.ledartroja": ["add", "change", "delete", "view"],
    "omraden.initiativ": ["add", "change", "delete", "view"],
    "omraden.aktivitet": ["add", "change", "delete", "view"],
    "omraden.inspel": ["view"],
    "omraden.anmalan": ["view"],
    "uppfoljning.period": ["add", "change", "view"],
    "uppfoljning.uppdrag": ["add", "change", "view"],
    "uppfoljning.uppfoljning": ["view"],
    "uppfoljning.publicering": ["view"],
    "uppfoljning.historik": ["view"],
    "uppfoljning.paminnelse": ["view"],
    "uppfoljning.indikator": ["add", "change", "view"],
    "uppfoljning.matvarde": ["add", "change", "delete", "view"],
    "uppfoljning.rapport": ["add", "change", "delete", "view"],
    "portal.tillganglighetsredogorelse": ["add", "change", "view"],
    "portal.kandbrist": ["add", "change", "delete", "view"],
    "axes.accessattempt": ["delete", "view"],
}


def _permissions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for label, actions in PERMISSIONS.items():
        opts = apps.get_model(label)._meta
        content_type, _ = ContentType.objects.get_or_create(
            app_label=opts.app_label, model=opts.model_name
        )
        for action in actions:
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
        ("portal", "0006_drop_full_publication_search_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("omraden", "0008_drop_inspel_antal"),
        ("uppfoljning", "0008_publicering_publicerad_id"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
