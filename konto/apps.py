from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KontoConfig(AppConfig):
    name = "konto"
    verbose_name = _("Accounts and single sign-on")

    def ready(self) -> None:
        from konto import checks  # noqa: F401 (registers the configuration checks)
