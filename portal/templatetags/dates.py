"""Dates in words and ISO form for the lists that show many of them.

`{{ d|long_date }}` is `{{ d|date:"j F Y" }}` ("23 november 2026") and `{{ t|iso }}` is
`{{ t|date:'c' }}`, both in the current time zone as the template engine converts them. Django's
date filter walks its format machinery for every value (about 20 µs); a list of input shows
twenty of them. A day's words are remembered per day and language (a few thousand days at
most), and the ISO form is Python's own isoformat(), which 'c' returns.
"""

from __future__ import annotations

import datetime as dt
import functools

from django import template
from django.utils import dateformat, translation

register = template.Library()


@functools.lru_cache(maxsize=4096)
def _long_date(day: dt.date, language: str) -> str:
    with translation.override(language):
        return dateformat.format(day, "j F Y")


@register.filter(expects_localtime=True)
def long_date(value: dt.date | None) -> str:
    if not isinstance(value, dt.date):
        return ""
    day = value.date() if isinstance(value, dt.datetime) else value
    return _long_date(day, translation.get_language())


@register.filter(expects_localtime=True)
def iso(value: dt.date | None) -> str:
    if not isinstance(value, dt.date):
        return ""
    return value.isoformat()
