from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class KommunConfig(AppConfig):
    name = "kommun"
    verbose_name = _("Municipality")

    def ready(self) -> None:
        # Infrastructure: the cached copy of the record goes with every write to it.
        from kommun.models import Kommun, forget_current

        post_save.connect(forget_current, sender=Kommun, dispatch_uid="kommun-forget-s")
        post_delete.connect(forget_current, sender=Kommun, dispatch_uid="kommun-forget-d")
