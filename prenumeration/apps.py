from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrenumerationConfig(AppConfig):
    name = "prenumeration"
    verbose_name = _("Subscriptions")
