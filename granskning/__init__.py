"""The audit log. Call `audit(action=..., by=..., obj=..., request=..., **detail)`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from granskning.models import Granskningslogg


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address; behind TRUSTED_PROXY_COUNT proxies, from X-Forwarded-For."""
    if request is None:
        return None
    # The same rule as the rate limits, so the log and the limits name the same client.
    from portal.lib.client import client_ip as forwarded_client_ip

    address = forwarded_client_ip(request)
    return address if address and address != "unknown" else None


def audit(
    *,
    action: str,
    by: Any = None,
    obj: Any = None,
    request: HttpRequest | None = None,
    username: str = "",
    **detail: Any,
) -> Granskningslogg:
    """Append one event to the audit log and return it.

    `action` is a `Granskningslogg.Handling` value; `by` the acting user (or None); `obj` the
    model instance acted on; `detail` anything JSON-serialisable worth keeping (never a
    password or a resident's contact details).
    """
    from granskning.models import Granskningslogg

    user = by if by is not None and getattr(by, "is_authenticated", False) else None
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    entry = Granskningslogg(
        av=user,
        anvandarnamn=(user.get_username() if user is not None else username)[:150],
        handling=action,
        detalj=detail,
        ip=client_ip(request),
    )
    if obj is not None:
        entry.objekt_typ = obj._meta.label_lower
        entry.objekt_id = str(obj.pk) if obj.pk is not None else ""
        entry.objekt_text = str(obj)[:300]
    entry.save()
    return entry
