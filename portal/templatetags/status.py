"""`{% status pub %}`: a published status as text and symbol (never colour alone).

A tag rather than an included template: a report or an area page shows dozens of statuses,
and each `{% include %}` costs a template render of its own.
"""

from __future__ import annotations

import functools
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from portal.lib.choices import labels
from uppfoljning.models import STATUS_SYMBOLS, Status

register = template.Library()


@register.simple_tag
def status(pub: Any) -> SafeString:
    """`pub`: anything with a `status` value and its `symbol` (a Publicering), or None."""
    return _status_html(pub.status if pub else None, get_language())


# A page shows the same three statuses over and over: each one's markup is kept per language.
@functools.lru_cache(maxsize=32)
def _status_html(value: str | None, language: str | None) -> SafeString:
    # `language` is the cache key only: the label is translated into the active language.
    if value is None:
        return format_html(
            '<span class="status status-none">{}</span>', gettext("No published status yet")
        )
    return format_html(
        '<span class="status status-{}"><span class="status-symbol" aria-hidden="true">{}</span>'
        " {}</span>",
        value,
        STATUS_SYMBOLS[Status(value)],
        labels(Status)[value],
    )
