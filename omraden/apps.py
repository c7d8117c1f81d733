from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OmradenConfig(AppConfig):
    name = "omraden"
    verbose_name = _("Areas and co-creation")
