"""Changes of who is fadder or ledartröja, in the audit log wherever they happen (admin, shell)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from granskning import audit
from granskning.models import Granskningslogg
from granskning.signals import actor
from omraden.models import Ledartroja, Omrade

H = Granskningslogg.Handling

ROLE_FIELDS = {Ledartroja: ("person_id", "omrade_id", "slot", "aktiv"), Omrade: ("fadder_id",)}


@receiver(pre_save, sender=Ledartroja, dispatch_uid="granskning_ledartroja_pre")
@receiver(pre_save, sender=Omrade, dispatch_uid="granskning_omrade_pre")
def _remember_roles(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.pk is None:
        return
    fields = ROLE_FIELDS[sender]
    instance._granskning_before = sender.objects.filter(pk=instance.pk).values(*fields).first()


@receiver(post_save, sender=Ledartroja, dispatch_uid="granskning_ledartroja_post")
@receiver(post_save, sender=Omrade, dispatch_uid="granskning_omrade_post")
def _roles_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kw: Any) -> None:
    if raw:
        return
    fields = ROLE_FIELDS[sender]
    after = {f: getattr(instance, f) for f in fields}
    before = getattr(instance, "_granskning_before", None) or {}
    if created:
        if sender is Omrade and instance.fadder_id is None:
            return
        before = {}
    elif before == after:
        return
    by, request = actor()
    audit(action=H.ROLL_ANDRAD, by=by, obj=instance, request=request, fore=before, efter=after)


@receiver(post_delete, sender=Ledartroja, dispatch_uid="granskning_ledartroja_delete")
def _ledartroja_deleted(sender: Any, instance: Ledartroja, **kwargs: Any) -> None:
    by, request = actor()
    before = {f: getattr(instance, f) for f in ROLE_FIELDS[Ledartroja]}
    audit(action=H.ROLL_ANDRAD, by=by, obj=instance, request=request, fore=before, efter={})
