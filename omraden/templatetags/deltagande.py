"""Template tags for residents' participation: the waiting count, retention periods."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from omraden.services import waiting_count_for
from portal.roles import can_use_moderation

register = template.Library()


@register.inclusion_tag("omraden/_inspel_vantar.html", takes_context=True)
def inspel_vantar(context: dict[str, Any]) -> dict[str, Any]:
    """The number of input waiting for the current user's moderation, with a link.

    Use on any staff page: `{% load deltagande %}{% inspel_vantar %}` (one query).
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"antal": waiting_count_for(user), "visible": can_use_moderation(user)}


@register.simple_tag
def gallring_manader(kind: str) -> int:
    """The retention period in months for one kind of record (settings.GALLRING)."""
    return int(settings.GALLRING[kind])
