from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OppnaDataConfig(AppConfig):
    name = "oppna_data"
    verbose_name = _("Open data")
