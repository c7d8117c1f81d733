"""Pages with rich Markdown in every formatted field stay axe-clean, in heading order, CSP-clean."""

from __future__ import annotations

from typing import Any

from tests.conftest import make_publicering, make_uppfoljning
from tests.security.test_formatted_fields import FORMATTED
from tests.security.urlmap import build_world
from uppfoljning.models import Indikator, Rapport, Uppdrag

RICH = """# Rubrik

Ett stycke med **fet**, *kursiv* och `kod`,
och en rad till.

## Underrubrik

- ett
- två

1. först
2. sedan

> Ett citat.

[Tyresö kommun](https://www.tyreso.se)
"""

# Each heading may go at most one level deeper than the one before it.
HEADING_JUMPS = """() => {
    const levels = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]);
    return levels.filter((level, i) => i > 0 && level > levels[i - 1] + 1).length;
}"""


def test_pages_with_markdown_are_axe_clean_and_keep_the_heading_order(visit: Any) -> None:
    v = visit()
    world = build_world()
    for model, fields in FORMATTED.items():
        model.objects.update(**dict.fromkeys(fields, RICH))
    # Publications are append-only: a new area's follow-up, published in the world's period.
    texts = dict.fromkeys(["sammanfattning", "orsak", "atgarder"], RICH)
    follow_up = make_uppfoljning(status="gul", period=world["period"], **texts)
    make_publicering(follow_up)
    pages = [
        world["omrade"].get_absolute_url(),
        follow_up.omrade.get_absolute_url(),
        f"/aktiviteter/{world['past'].pk}/",
        world["period"].get_absolute_url(),
        f"/uppdrag/{Uppdrag.objects.first().slug}/",
        f"/rapporter/{Rapport.objects.filter(publik=True).first().slug}/",
        f"/indikatorer/{Indikator.objects.first().slug}/",
        "/ordlista/",
        "/tillganglighet/",
        "/",
    ]
    console: list[str] = []
    v.page.on("console", lambda m: console.append(f"{v.page.url}: {m.text}"))
    for path in pages:
        response = v.page.goto(path)
        assert response.status == 200, path
        assert "<strong>fet</strong>" in v.page.content() or path == "/", path
        assert v.axe_violations() == [], path
        assert v.page.evaluate(HEADING_JUMPS) == 0, path
    assert [c for c in console if "Content Security Policy" in c] == []
