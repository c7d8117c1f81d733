"""A choices class's labels as plain strings in the active language, once per language.

`get_FOO_display()` and lazy labels hash and translate again on every call; pages that show a
label per row (the workspace matrix, the indicator cards, open-data records) ask here instead.
The labels are fixed translations, so a result is kept per choices class and language for the
life of the process.
"""

from __future__ import annotations

import functools

from django.db import models
from django.utils.translation import get_language


def labels(choices: type[models.Choices]) -> dict[str, str]:
    """{value: label} for `choices` in the active language, in the choices' own order."""
    return _labels(choices, get_language())


@functools.lru_cache(maxsize=64)
def _labels(choices: type[models.Choices], language: str | None) -> dict[str, str]:
    # `language` is the cache key only: str(label) translates into the active language.
    return {str(value): str(label) for value, label in choices.choices}
