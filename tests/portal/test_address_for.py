"""portal.lib.urls.address_for gives exactly what reverse() gives, in both languages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from portal.lib.urls import INT, address_for


@pytest.mark.parametrize("language", ["sv", "en"])
def test_address_for_equals_reverse(language: str) -> None:
    with translation.override(language):
        period = address_for("uppfoljning:period")
        indicator = address_for("indikatorer:detail")
        activity = address_for("omraden:aktivitet", INT)
        for slug in ["2026-t2", "2023-ar", "a", "0"]:
            assert period(slug) == reverse("uppfoljning:period", args=[slug])
            assert indicator(slug) == reverse("indikatorer:detail", args=[slug])
        for pk in [0, 1, 10, 2147483647, 99999999999]:
            assert activity(pk) == reverse("omraden:aktivitet", args=[pk])
