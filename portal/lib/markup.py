"""Helpers for markup written in Python (search hits, workspace cells)."""

from __future__ import annotations

import html
from typing import Any


def autoescape(value: Any) -> str:
    """What the template's autoescaping does to a value: markup (anything with `__html__`)
    as it is, everything else as escaped text.

    Django's `conditional_escape()` does the same behind a lazy-string wrapper that cost more
    than the escaping, for the hundreds of values a written-out page escapes.
    """
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))
