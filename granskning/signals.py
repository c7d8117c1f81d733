"""Logins and group changes, recorded wherever they happen (login view, admin, shell).

Changes of who is fadder or ledartröja are the areas' own: omraden/signals.py records them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.http import HttpRequest

from granskning import audit
from granskning.middleware import current_request
from granskning.models import Granskningslogg

H = Granskningslogg.Handling
User = get_user_model()


def actor() -> tuple[Any, HttpRequest | None]:
    request = current_request.get()
    user = getattr(request, "user", None) if request is not None else None
    return (user if user is not None and user.is_authenticated else None), request


@receiver(user_logged_in, dispatch_uid="granskning_login")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit(action=H.INLOGGNING, by=user, obj=user, request=request)


@receiver(user_login_failed, dispatch_uid="granskning_login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already masked the password in `credentials`; only the name is kept.
    username = str(credentials.get("username") or credentials.get(User.USERNAME_FIELD) or "")
    audit(action=H.INLOGGNING_MISSLYCKAD, request=request, username=username)


@receiver(user_logged_out, dispatch_uid="granskning_logout")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit(action=H.UTLOGGNING, by=user, obj=user, request=request)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="granskning_groups")
def _groups_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action == "pre_clear":
        # The cleared set is gone after the clear: remember it now, log it in post_clear.
        rel = instance.user_set if reverse else instance.groups
        instance._granskning_cleared = sorted(rel.values_list("pk", flat=True))
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    ids = sorted(pk_set or getattr(instance, "_granskning_cleared", []))
    if not ids:
        return
    by, request = actor()
    if reverse:  # group.user_set.add(...): instance is the group, ids are users
        names = list(User.objects.filter(pk__in=ids).values_list(User.USERNAME_FIELD, flat=True))
        detail = {"grupp": instance.name, "anvandare": sorted(names)}
    else:
        names = list(
            instance.groups.model.objects.filter(pk__in=ids).values_list("name", flat=True)
        )
        detail = {"grupper": sorted(names)}
    audit(
        action=H.ROLL_ANDRAD,
        by=by,
        obj=instance,
        request=request,
        andring={"post_add": "tillagd", "post_remove": "borttagen", "post_clear": "rensad"}[action],
        **detail,
    )
