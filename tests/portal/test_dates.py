"""The dates library's filters give exactly what Django's date filter gives for their formats."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

UTC = dt.UTC


def _render(src: str, value: object) -> str:
    return Template("{% load dates %}" + src).render(Context({"v": value}))


VALUES = [
    dt.date(2026, 1, 1),
    dt.date(2024, 2, 29),
    dt.date(1999, 12, 31),
    # Around the spring and autumn clock changes in Stockholm, and local midnight.
    dt.datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),
    dt.datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC),
    dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    dt.datetime(2026, 12, 31, 23, 30, 0, 123456, tzinfo=UTC),
    dt.datetime(2026, 6, 30, 22, 0, tzinfo=UTC),
    dt.datetime(2026, 6, 30, 21, 59, 59, tzinfo=UTC),
    None,
    "",
    "inte ett datum",
]


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("value", VALUES)
def test_as_djangos_date_filter(language: str, value: object) -> None:
    with translation.override(language):
        assert _render("{{ v|long_date }}", value) == _render('{{ v|date:"j F Y" }}', value)
        if isinstance(value, dt.datetime):
            assert _render("{{ v|iso }}", value) == _render("{{ v|date:'c' }}", value)
        elif isinstance(value, dt.date):
            assert _render("{{ v|iso }}", value) == _render("{{ v|date:'Y-m-d' }}", value)
        else:
            assert _render("{{ v|iso }}", value) == ""


def test_each_language_its_own_words() -> None:
    day = dt.date(2026, 5, 17)
    with translation.override("sv"):
        assert _render("{{ v|long_date }}", day) == "17 maj 2026"
    with translation.override("en"):
        assert _render("{{ v|long_date }}", day) == "17 May 2026"
    with translation.override("sv"):
        assert _render("{{ v|long_date }}", day) == "17 maj 2026"
