from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OmradenConfig(AppConfig):
    name = "omraden"
    verbose_name = _("Areas and co-creation")

    def ready(self) -> None:
        # Role changes are made in the admin as often as in views: signals see all of them.
        from omraden import signals  # noqa: F401
