"""`{% status pub %}`: a published status as text and symbol (never colour alone).

A tag rather than an included template: a report or an area page shows dozens of statuses,
and each `{% include %}` costs a template render of its own.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from portal.lib.choices import labels
from uppfoljning.models import Status

register = template.Library()


@register.simple_tag
def status(pub: Any) -> SafeString:
    """`pub`: anything with a `status` value and its `symbol` (a Publicering), or None."""
    if not pub:
        return format_html(
            '<span class="status status-none">{}</span>', gettext("No published status yet")
        )
    return format_html(
        '<span class="status status-{}"><span class="status-symbol" aria-hidden="true">{}</span>'
        " {}</span>",
        pub.status,
        pub.symbol,
        labels(Status)[pub.status],
    )
