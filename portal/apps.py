from __future__ import annotations

from django.apps import AppConfig, apps
from django.contrib.admin import apps as admin_apps
from django.core.checks import Tags, register
from django.db.models.signals import m2m_changed, post_save, pre_delete
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from portal.checks import site_url

        # With DEBUG off, a missing or wrong SITE_URL is an error of `manage.py check`.
        register(site_url, Tags.security)

        # Infrastructure, not domain flow: any write to a model whose data is public (through
        # a view, a service, a command or the admin) makes the cached public pages stale.
        from portal import page_cache as cache

        for label in cache.PUBLIC_MODELS:
            try:
                model = apps.get_model(label)
            except LookupError:
                continue  # listed ahead of time; connected once it exists
            post_save.connect(cache.on_save, sender=model, dispatch_uid=f"pc-s-{label}")
            pre_delete.connect(cache.on_delete, sender=model, dispatch_uid=f"pc-d-{label}")
            for m2m in model._meta.local_many_to_many:
                m2m_changed.connect(
                    cache.on_m2m_change,
                    sender=m2m.remote_field.through,
                    dispatch_uid=f"pc-m-{label}-{m2m.name}",
                )


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the portal's site (portal/admin_site.py), in INSTALLED_APPS."""

    # Not the default configuration of this module: "portal" itself loads PortalConfig.
    default = False
    default_site = "portal.admin_site.PortalAdminSite"
