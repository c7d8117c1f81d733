"""Residents on a phone (issue 20): every page at 320 and 375 CSS px in Chromium.

WCAG 2.1's 1.4.10 Reflow (no scrolling sideways: the document no wider than the viewport; a
table may scroll inside its own labelled region), 2.2's 2.5.8 Target Size (Minimum), fields
that bring the right keyboard and autofill, a menu that works at 320 px without JavaScript, and
nothing shown only on hover. axe-core tests none of these. The pages are every URL pattern in
tests/world.py's world with long words added (tests/browser/conftest.py's `Pages`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings

from tests.browser.conftest import LONG_WORD, Pages

PHONE_WIDTHS = (320, 375)

# The outermost elements that reach past the right edge of the viewport, for the failure message.
WIDER_THAN_VIEWPORT = """() => {
    const w = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        const parent = el.parentElement.getBoundingClientRect();
        if (r.width > 0 && r.right > w + 0.5 && parent.right <= w + 0.5) {
            const text = el.textContent.trim().slice(0, 40);
            const name = `${el.tagName.toLowerCase()}.${el.className}`;
            out.push(`${name} reaches ${Math.round(r.right)} px ("${text}")`);
        }
    }
    return out.slice(0, 3);
}"""

# WCAG 2.5.8: a target is at least 24 x 24 CSS px, or a circle of 24 px diameter on its centre
# meets no other target nor another small target's circle. Exempt: links inline in running text
# (the criterion's "Inline" exception), hidden things and the skip link until it is focused.
SMALL_TARGETS = """() => {
    const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, '
        + '[tabindex]:not([tabindex="-1"])';
    const name = el => `${el.tagName.toLowerCase()}#${el.id}[name=${el.name || ''}] `
        + `"${(el.textContent || el.value || '').trim().slice(0, 30)}"`;
    const shown = el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.bottom + scrollY > 0
            && el.checkVisibility({visibilityProperty: true})
            && !el.closest('.visually-hidden, .hp, [aria-hidden="true"]');
    };
    const words = el => el.textContent.replace(/\\s+/g, ' ').trim();
    const blockOf = el => {
        let b = el.parentElement;
        while (getComputedStyle(b).display.startsWith('inline')) b = b.parentElement;
        return b;
    };
    const inline = el => el.tagName === 'A' && getComputedStyle(el).display === 'inline'
        && words(blockOf(el)) !== words(el);
    const targets = [...document.querySelectorAll(selector)].filter(shown).map(el => {
        const r = el.getBoundingClientRect();
        return {el, r, c: {x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2},
                small: r.width < 23.5 || r.height < 23.5, exempt: inline(el)};
    });
    const gap = (c, r) => Math.hypot(
        Math.max(r.left - c.x, 0, c.x - r.right), Math.max(r.top - c.y, 0, c.y - r.bottom));
    const nested = (a, b) => a.el.contains(b.el) || b.el.contains(a.el);
    const out = [];
    for (const t of targets) {
        if (!t.small || t.exempt) continue;
        const crowded = targets.find(o => o !== t && !nested(o, t) && (o.small && !o.exempt
            ? Math.hypot(o.c.x - t.c.x, o.c.y - t.c.y) < 24 : gap(t.c, o.r) < 12));
        const size = `${Math.round(t.r.width)} x ${Math.round(t.r.height)} px`;
        if (crowded) out.push(`${name(t.el)} is ${size}, too close to ${name(crowded.el)}`);
    }
    return out;
}"""

# Every field a person types into: its text at least 16 px (iOS zooms in on smaller), and the
# type, inputmode and autocomplete its name calls for.
FIELDS = """() => [...document.querySelectorAll('input:not([type="hidden"]), select, textarea')]
    .filter(el => !el.closest('.hp'))
    .map(el => ({name: el.name, type: el.type, inputmode: el.inputMode,
                 autocomplete: el.getAttribute('autocomplete') || '',
                 fontSize: parseFloat(getComputedStyle(el).fontSize)}))"""

# (pattern on the field's name, what it must have)
FIELD_RULES = [
    (r"(^|_)(epost|e?mail)$", {"type": "email", "autocomplete": "email"}),
    (r"^namn$", {"autocomplete": "name"}),
    (r"(^|_)(telefon|tel)$", {"type": "tel", "autocomplete": "tel"}),
    (r"^username$", {"autocomplete": "username"}),
    (r"^password$", {"type": "password", "autocomplete": "current-password"}),
]
NUMBER_FIELD = re.compile(r"^(ar|antal_.*|kommun|riket)$")


def _overflow(page: Any, url: str) -> list[str]:
    problems = []
    for width in PHONE_WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            wide = "; ".join(page.evaluate(WIDER_THAN_VIEWPORT))
            problems.append(f"{scroll_width} px wide at {width} px: {wide}")
    return problems


def test_no_page_scrolls_sideways_at_320_or_375_px(pages: Pages) -> None:
    problems = pages.walk(_overflow)
    assert problems == [], "\n".join(problems)
    # The walk saw the pages that used to fail, and the staff pages logged in.
    assert {"/", "/rapporter/", "/tyck-till/", "/tillganglighet/"} <= set(pages.public)
    assert "/arbetsyta/inspel/" in pages.staff
    assert len(pages.public) >= 15 and len(pages.staff) >= 6


def test_a_long_word_breaks_instead_of_widening_the_page(pages: Pages) -> None:
    page = pages.open(staff=False, viewport={"width": 320, "height": 800})
    page.goto("/tyck-till/")
    assert page.locator("html").get_attribute("lang") == "sv"
    word = page.locator(".inspel-item", has_text=LONG_WORD).first
    assert word.is_visible()
    # Broken over several lines, inside the 320 px.
    box = word.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 320
    assert page.evaluate("getComputedStyle(document.body).hyphens") == "auto"
    page.context.close()


def test_every_table_fits_or_scrolls_in_its_own_labelled_region(pages: Pages) -> None:
    def check(page: Any, url: str) -> list[str]:
        page.set_viewport_size({"width": 320, "height": 800})
        return page.evaluate(
            """() => [...document.querySelectorAll('main table')].flatMap(t => {
                const name = `"${t.caption?.textContent.trim()}"`;
                const region = t.closest('.table-scroll');
                if (!region) {
                    const fits = t.getBoundingClientRect().width <= innerWidth;
                    return fits ? [] : [`${name} is wider than the screen, in no scroll region`];
                }
                const by = document.getElementById(region.getAttribute('aria-labelledby') || '');
                const label = by ? by.textContent : region.getAttribute('aria-label') || '';
                return region.getAttribute('role') === 'region' && label.trim()
                    && region.tabIndex === 0 && getComputedStyle(region).overflowX === 'auto'
                    ? [] : [`${name}: its scroll region is not labelled and focusable`];
            })"""
        )

    problems = pages.walk(check)
    assert problems == [], "\n".join(problems)


def test_targets_are_at_least_24_px_or_spaced_apart(pages: Pages) -> None:
    def check(page: Any, url: str) -> list[str]:
        return page.evaluate(SMALL_TARGETS)

    problems = pages.walk(check, viewport={"width": 375, "height": 800})
    assert problems == [], "\n".join(problems)


def test_fields_bring_the_right_keyboard_and_autofill_and_16_px_text(pages: Pages) -> None:
    seen: set[str] = set()

    def check(page: Any, url: str) -> list[str]:
        problems = []
        for field in page.evaluate(FIELDS):
            seen.add(field["name"])
            if field["fontSize"] < 16:
                problems.append(f"{field['name']}: {field['fontSize']} px text")
            for pattern, wanted in FIELD_RULES:
                if re.search(pattern, field["name"]):
                    got = {key: field[key] for key in wanted}
                    if got != wanted:
                        problems.append(f"{field['name']}: {got}, expected {wanted}")
            if NUMBER_FIELD.match(field["name"]) and field["type"] == "text":
                if field["inputmode"] not in ("numeric", "decimal"):
                    problems.append(f"{field['name']}: no numeric keyboard")
        return problems

    problems = pages.walk(check, viewport={"width": 375, "height": 800})
    assert problems == [], "\n".join(problems)
    # The forms that matter were there: input, sign-up, login, a value, participants.
    assert {"epost", "namn", "username", "password", "ar", "antal_deltagare"} <= seen


def test_the_menu_works_with_one_thumb_at_320_px_without_javascript(pages: Pages) -> None:
    page = pages.open(
        staff=False, java_script_enabled=False, viewport={"width": 320, "height": 640}
    )
    page.goto("/")
    links = page.locator("header.site-header a")
    assert links.count() >= 9  # brand, seven menu items, language, login
    for i in range(links.count()):
        link = links.nth(i)
        box = link.bounding_box()
        assert box is not None and link.is_visible(), link.inner_text()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, link.inner_text()
        if link.get_attribute("class") != "brand":
            assert box["height"] >= 44, (link.inner_text(), box)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Tyck till").click()
    assert page.url.endswith("/tyck-till/")
    page.context.close()


def test_nothing_is_shown_only_on_hover(pages: Pages) -> None:
    def check(page: Any, url: str) -> list[str]:
        # A title attribute is a tooltip: hover only, never on touch or to the keyboard.
        return [
            f"title attribute on <{tag}>"
            for tag in page.eval_on_selector_all("body [title]", "els => els.map(e => e.tagName)")
        ]

    problems = pages.walk(check)
    assert problems == [], "\n".join(problems)
    # And no :hover rule in the stylesheet shows, hides or moves anything: only colours and lines.
    css = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text()
    allowed = re.compile(
        r"^(color|background(-color)?|text-decoration[-a-z]*|border-color|outline[-a-z]*|box-shadow|cursor)$"
    )
    hover_rules = re.findall(r"([^{}]*:hover[^{}]*)\{([^}]*)\}", css)
    assert hover_rules
    for selector, body in hover_rules:
        for declaration in filter(str.strip, body.split(";")):
            prop = declaration.split(":")[0].strip()
            assert allowed.match(prop), f"{selector.strip()} sets {prop} on hover"
