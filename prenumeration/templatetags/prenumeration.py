"""`{% folj_form omrade as form %}`: the follow form for one area's page (no query)."""

from __future__ import annotations

from django import template
from django.conf import settings

from omraden.models import Omrade
from prenumeration.forms import FoljForm

register = template.Library()


@register.simple_tag
def folj_form(omrade: Omrade) -> FoljForm:
    return FoljForm(fixed_omrade=omrade)


@register.simple_tag
def prenumeration_dagar() -> int:
    """Days an unconfirmed subscription is kept (settings.PRENUMERATION_BEKRAFTA_DAGAR)."""
    return int(settings.PRENUMERATION_BEKRAFTA_DAGAR)
