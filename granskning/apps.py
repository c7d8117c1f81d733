from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GranskningConfig(AppConfig):
    name = "granskning"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        # Logins and role changes are framework events (auth signals, admin edits of groups,
        # ledartröjor and faddrar): signals are the one place that sees all of them.
        from granskning import signals  # noqa: F401
