"""`{% localized obj "field" %}`: a text that may have an English version, in the page's language.

Areas, follow-ups, publications, activities and phases keep an optional English version of
each public text in a field of its own, `<field>_en` (issue #24). Under English the tag gives
that version when it is not empty; otherwise the Swedish text, marked `lang="sv"` so that
screen readers read it as Swedish. Under Swedish it gives the Swedish text, unchanged.

    {% localized omrade "fraga" %}                  plain text (fallback in <span lang="sv">)
    {% localized omrade "beskrivning" markdown=2 %} |markdown:2 (fallback in <div lang="sv">)
    {% localized omrade "fraga" plain=True %}       the text alone, for <title>, attributes, feeds

`obj` is a model instance or a dict (rows read with `values()`, which must then name the
`_en` column too).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from portal.templatetags.formatted import render_markdown

register = template.Library()


def is_english() -> bool:
    return (get_language() or "").startswith("en")


def _field(obj: Any, name: str) -> str:
    value = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, "")
    return str(value or "")


def localized_text(obj: Any, field: str) -> tuple[str, bool]:
    """The text to show in the active language, and whether it is the Swedish text standing
    in for a missing English version (to be marked lang="sv")."""
    swedish = _field(obj, field)
    if not is_english():
        return swedish, False
    english = _field(obj, f"{field}_en").strip()
    if english:
        return english, False
    return swedish, bool(swedish)


@register.simple_tag
def localized(
    obj: Any, field: str, markdown: int | str | None = None, plain: bool = False
) -> str | SafeString:
    text, fallback = localized_text(obj, field)
    if markdown is not None:
        html = render_markdown(text, int(markdown))
        return format_html('<div lang="sv">{}</div>', html) if fallback else html
    if plain or not fallback:
        # A plain str: the template escapes it.
        return text
    return format_html('<span lang="sv">{}</span>', text)
