"""Text spacing and zoom (issue 20): nothing lost on any page.

WCAG 2.1's 1.4.12 Text Spacing: the text-spacing bookmarklet's values applied as a stylesheet
(line height 1.5, paragraph spacing 2 em, letter spacing 0.12 em, word spacing 0.16 em), on a
phone and on a laptop. 1.4.4 Resize Text: 200 % zoom in a 1280 x 720 window, which is a 640 x 360
CSS px viewport at device scale factor 2. On every page (tests/browser/conftest.py's `Pages`):
no sideways scrolling, no text cut off by a box that hides its overflow or spilling out of a box
onto what follows, and every control still visible and the topmost thing where it is clicked.
"""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Pages

# The bookmarklet's stylesheet. The portal's CSP allows no inline style, which is what
# page.add_style_tag(content=...) would add, so it is served from the portal's own origin
# (intercepted by Playwright, never reaching Django) and linked: the page keeps its real CSP.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""
TEXT_SPACING_URL = "/__text-spacing.css"

# Text a box cuts off (overflow hidden or clip, or an ellipsis), or that spills out of a box of
# fixed height onto what follows. Hidden-by-design boxes (visually-hidden, the honeypot, the
# skip link until focused) and SVG are left out.
CUT_OFF = """() => {
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
        if (el.closest('.visually-hidden, .hp, .skip-link, svg, script, template')) continue;
        if (!el.checkVisibility({visibilityProperty: true})) continue;
        const s = getComputedStyle(el);
        const hides = v => v === 'hidden' || v === 'clip';
        const wide = el.scrollWidth > el.clientWidth + 1;
        const tall = el.scrollHeight > el.clientHeight + 1;
        const spills = s.overflowY === 'visible' && tall && el.clientHeight > 0
            && !s.display.startsWith('inline') && s.display !== 'contents';
        if ((hides(s.overflowX) && wide) || (hides(s.overflowY) && tall) || spills
            || (s.textOverflow === 'ellipsis' && wide)) {
            const text = el.textContent.trim().slice(0, 40);
            out.push(`<${el.tagName.toLowerCase()} class="${el.className}"> cuts off "${text}"`);
        }
    }
    return out;
}"""

# Every control: scrolled into view, is it the topmost element at its centre (or inside it)?
COVERED = """() => {
    const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary';
    const out = [];
    // checkVisibility: not hidden by CSS, nor inside a closed <details>.
    const controls = [...document.querySelectorAll(selector)].filter(el =>
        el.checkVisibility({visibilityProperty: true})
        && !el.closest('.visually-hidden, .hp, .skip-link, [aria-hidden="true"]'));
    for (const el of controls) {
        el.scrollIntoView({block: 'center', inline: 'center'});
        const r = el.getClientRects()[0];
        const x = Math.min(Math.max((r.left + r.right) / 2, 0), innerWidth - 1);
        const y = Math.min(Math.max((r.top + r.bottom) / 2, 0), innerHeight - 1);
        const hit = document.elementFromPoint(x, y);
        if (!hit || !(el === hit || el.contains(hit) || hit.control === el)) {
            const text = (el.textContent || el.name).trim().slice(0, 30);
            const name = `${el.tagName.toLowerCase()} "${text}"`;
            out.push(`${name} is covered by <${hit ? hit.tagName.toLowerCase() : 'nothing'}>`);
        }
    }
    scrollTo(0, 0);
    return out;
}"""


def _loses_nothing(page: Any, width: int) -> list[str]:
    problems = []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        problems.append(f"{scroll_width} px wide in a {width} px window")
    problems += page.evaluate(CUT_OFF)
    problems += page.evaluate(COVERED)
    return problems


def _serve_text_spacing(page: Any) -> None:
    page.route(
        f"**{TEXT_SPACING_URL}",
        lambda route: route.fulfill(content_type="text/css", body=TEXT_SPACING),
    )


def test_text_spacing_loses_nothing_on_a_phone_or_a_laptop(pages: Pages) -> None:
    def check(page: Any, url: str) -> list[str]:
        page.add_style_tag(url=TEXT_SPACING_URL)
        # The stylesheet really applies (a page's CSP could have refused it).
        spacing = page.evaluate("getComputedStyle(document.querySelector('h1')).letterSpacing")
        font_size = page.evaluate("getComputedStyle(document.querySelector('h1')).fontSize")
        assert abs(float(spacing[:-2]) - 0.12 * float(font_size[:-2])) < 0.1, (url, spacing)
        problems = []
        for width in (320, 1280):
            page.set_viewport_size({"width": width, "height": 720})
            problems += [f"at {width} px: {p}" for p in _loses_nothing(page, width)]
        return problems

    problems = pages.walk(check, setup=_serve_text_spacing)
    assert problems == [], "\n".join(problems)


def test_200_percent_zoom_loses_nothing(pages: Pages) -> None:
    def check(page: Any, url: str) -> list[str]:
        assert page.evaluate("devicePixelRatio") == 2
        return _loses_nothing(page, 640)

    problems = pages.walk(check, viewport={"width": 640, "height": 360}, device_scale_factor=2)
    assert problems == [], "\n".join(problems)
