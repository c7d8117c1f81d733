"""The municipality record in templates rendered without a request (e-mails, files, feeds).

`{% load kommun %}{% current_kommun as kommun %}`: the record the context already holds (a
page gets it from kommun.context_processors.kommun), else `Kommun.objects.current()`.
`{{ kommun.telefon|tel_uri }}`: the number as a tel: link's target. `{% kontakt kommun as x %}`:
the e-mail address and telephone number the record has, as words for a plain-text e-mail.
"""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.translation import gettext

from kommun.models import Kommun

register = template.Library()


@register.simple_tag(takes_context=True)
def current_kommun(context: template.Context) -> Any:
    return context.get("kommun") or Kommun.objects.current()


@register.filter
def tel_uri(number: str) -> str:
    """ "08-578 291 00" → "tel:+46857829100": a Swedish number in international form (RFC 3966)."""
    digits = re.sub(r"[^\d+]", "", number or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+46" + digits[1:]
    return f"tel:{digits}" if digits else ""


@register.simple_tag
def kontakt(kommun: Kommun) -> str:
    """ "a@b.se or 08-123 45", or whichever of the two is set, or ""."""
    if kommun.epost and kommun.telefon:
        return gettext("%(epost)s or %(telefon)s") % {
            "epost": kommun.epost,
            "telefon": kommun.telefon,
        }
    return kommun.epost or kommun.telefon
