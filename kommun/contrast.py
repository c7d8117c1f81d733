"""WCAG 2.1 contrast ratio between two sRGB colours given as #rrggbb."""

from __future__ import annotations

import re

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
# Text and links in the accent colour on white, white text on it: WCAG 1.4.3 (AA, normal text).
MINIMUM = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def ratio(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def darker(colour: str, share: float = 0.3) -> str:
    """The colour mixed with `share` black: the header's background and links on hover."""
    r, g, b = (round(int(colour[i : i + 2], 16) * (1 - share)) for i in (1, 3, 5))
    return f"#{r:02x}{g:02x}{b:02x}"
