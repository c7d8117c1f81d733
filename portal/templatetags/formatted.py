"""`{{ text|markdown }}`: formatted text written by staff, rendered as safe HTML.

Markdown (Python-Markdown) turns the text into HTML without raw HTML or images; a single line
break is kept as <br> (the nl2br extension: staff write line by line, as in a textarea). nh3,
an allow-list sanitiser, then keeps only the tags below, whatever the Markdown step produced.
Headings are demoted to start at `top` (default h3; `|markdown:2` for a text directly under
the page's h1), so the heading order stays valid. Links get rel="nofollow noopener".

Use it inside a <div>, never a <p>: the output is block-level (paragraphs, lists).
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as etree

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy
from markdown.treeprocessors import Treeprocessor

register = template.Library()

# Shown under every textarea whose text is rendered with this filter (forms, admin, workspace).
MARKDOWN_HINT = gettext_lazy(
    "Markdown works: **bold**, *italic*, - list, [link](https://…). "
    "An empty line starts a new paragraph."
)

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "a",
    "code",
    "pre",
    "blockquote",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener"


class _DemoteHeadings(Treeprocessor):
    """Renumber the headings used, in order of level, from `top` down (never past h6)."""

    def __init__(self, md: markdown_lib.Markdown, top: int) -> None:
        super().__init__(md)
        self.top = top

    def run(self, root: etree.Element) -> None:
        used = sorted({int(el.tag[1]) for el in root.iter() if el.tag in HEADINGS})
        new_level = {level: min(6, self.top + rank) for rank, level in enumerate(used)}
        for el in root.iter():
            if el.tag in HEADINGS:
                el.tag = f"h{new_level[int(el.tag[1])]}"


def _markdown(top: int) -> markdown_lib.Markdown:
    md = markdown_lib.Markdown(extensions=["nl2br"], output_format="html")
    # No raw HTML and no images: both are left as text (and so escaped), not interpreted.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    for name in ("image_link", "image_reference", "short_image_ref"):
        md.inlinePatterns.deregister(name)
    md.treeprocessors.register(_DemoteHeadings(md, top), "demote_headings", 1)
    return md


def render_markdown(text: str, top: int = 3) -> SafeString:
    return mark_safe(_render(text or "", max(2, min(6, top))))  # noqa: S308 – nh3 in _render


# A page renders the same stored texts again on every cache miss (the tertial report holds
# about a hundred): keep the latest results; ~0.35 ms each otherwise. Bounded, pure.
@functools.lru_cache(maxsize=1024)
def _render(text: str, top: int) -> str:
    html = _markdown(top).convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


@register.filter(name="markdown")
def markdown_filter(text: str, top: int | str = 3) -> SafeString:
    """Render staff-written Markdown as sanitised HTML; `top` is the highest heading level."""
    return render_markdown(str(text or ""), int(top))
