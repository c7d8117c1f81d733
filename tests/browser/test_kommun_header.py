"""The municipality's header in the browser: a wide logo, a long name and the example notice
keep a 320 px page from scrolling sideways, and axe finds nothing to fault (issue #24)."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from kommun.models import Kommun

NAME = "Kommunfullmäktigesammanträdesprotokollsjusteringsförfarandets kommun"


def _wide_logo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 400), (0, 80, 122)).save(buffer, format="PNG")
    return buffer.getvalue()


def _fictional_with_a_logo() -> None:
    kommun = Kommun.objects.get()
    kommun.namn, kommun.exempel = NAME, True
    kommun.set_logo(_wide_logo(), "image/png")
    kommun.save()


def test_a_wide_logo_and_a_long_name_fit_a_320_px_screen(visit: Any) -> None:
    v = visit()
    _fictional_with_a_logo()
    v.page.set_viewport_size({"width": 320, "height": 800})
    assert v.page.goto("/").status == 200
    assert v.page.evaluate("document.documentElement.scrollWidth") <= 320
    logo = v.page.locator("header img.brand-logo")
    box = logo.bounding_box()
    assert box is not None and box["height"] <= 48 + 1 and box["x"] + box["width"] <= 320
    assert logo.get_attribute("alt") == ""  # decorative: the name is the link's text
    assert v.page.locator(".notice-exempel").is_visible()
    assert v.axe_violations() == []
    assert v.foreign_requests() == []


def test_the_accent_colour_reaches_the_page(visit: Any) -> None:
    v = visit(javascript=False)
    kommun = Kommun.objects.get()
    kommun.accentfarg = "#6b2c91"
    kommun.save()
    v.page.goto("/")
    colour = v.page.evaluate("getComputedStyle(document.querySelector('main a')).color")
    assert colour == "rgb(107, 44, 145)"
