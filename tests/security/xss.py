"""Plant hostile text into every free-text field and check that pages render it inert.

`plant(round_no)` writes a payload from xss_payloads.txt into every CharField and TextField
of every row of every model of the portal (found through `_meta`, so a new model or field is
covered without touching this file), rotating the payloads per round. `html_problems()`
then checks a response by parsing it, as a browser would, rather than searching its source:

- no element that a planted value would create if it were markup exists in the page (the
  same tag with the same attributes, or for an element without attributes, the same tag
  with the same text), and
- nothing in the page can run script (event-handler attributes, javascript: URLs, foreign
  or inline <script>, inline <style> or style="", frames, <base>, meta refresh…).

A planted value may appear in the page's *text*: that is what escaping achieves. Searching
the source for the verbatim value would be wrong for formatted text: Markdown's HTML (nh3)
leaves quotes raw in text nodes, where they are inert, and Django's escaping would not.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import DatabaseError, models, transaction
from django.http import HttpResponse

from granskning import audit
from granskning.models import Granskningslogg
from tests.conftest import make_publicering, make_uppfoljning

PAYLOADS = [
    line
    for line in (Path(__file__).with_name("xss_payloads.txt")).read_text().splitlines()
    if line and not line.startswith("# ")
]
APPS = ["omraden", "uppfoljning", "portal", "granskning"]
# Never free text: addresses, codes, identities that pages and URLs depend on.
SKIP_FIELDS = {"slug", "token", "password", "username", "kolada_kpi"}


def text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and not isinstance(f, models.SlugField | models.EmailField)
        and f.name not in SKIP_FIELDS
        and not f.primary_key
    ]


def planted_models() -> list[type[models.Model]]:
    user = get_user_model()
    return [user, *[m for label in APPS for m in apps.get_app_config(label).get_models()]]


def _value(payload: str, field: models.Field, pk: Any) -> str:
    if isinstance(field, models.URLField):
        # An address field gets a script address: it must never end up in an href.
        payload = "javascript:alert(1)//" + payload
    if field.unique:
        payload = f"{payload} #{pk}"
    if field.max_length:
        payload = payload[: field.max_length]
    return payload


def plant(round_no: int = 0) -> set[str]:
    """Overwrite every free-text field with payloads; returns the values written."""
    planted: set[str] = set()
    slot = round_no * 7
    for model in planted_models():
        fields = text_fields(model)
        if not fields:
            continue
        for pk in model._base_manager.values_list("pk", flat=True):
            values = {}
            for field in fields:
                values[field.attname] = _value(PAYLOADS[slot % len(PAYLOADS)], field, pk)
                slot += 1
            try:
                with transaction.atomic():
                    model._base_manager.filter(pk=pk).update(**values)
            except (PermissionError, DatabaseError):
                continue  # append-only rows (history, audit log): new rows are added below
            planted.update(values.values())
    planted |= _append_only_rows(round_no)
    return planted


def _append_only_rows(round_no: int) -> set[str]:
    """Publications and audit entries are never updated: add hostile ones instead."""
    from uppfoljning.models import Period

    a, b, c = (PAYLOADS[(round_no * 5 + i) % len(PAYLOADS)] for i in range(3))
    period = Period.objects.order_by("-ar", "-tertial").first()
    uppdrag_kwargs: dict[str, Any] = {"period": period} if period else {}
    uppfoljning = make_uppfoljning(
        status="gul", sammanfattning=a, orsak=b, atgarder=c, **uppdrag_kwargs
    )
    make_publicering(uppfoljning)
    audit(action=Granskningslogg.Handling.INLOGGNING_MISSLYCKAD, username=a[:150])
    return {a, b, c, a[:150]}


# Elements whose end tag is implied: they never hold text or children.
VOID = {
    *("area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta"),
    *("param", "source", "track", "wbr"),
}
# Enough text to tell a planted element from the page's own (`<b>mall</b>`, `<script>…`).
TEXT_KEPT = 80


@dataclass
class _Element:
    tag: str
    attrs: frozenset[tuple[str, str]]
    text: str = ""

    @property
    def words(self) -> str:
        return " ".join(self.text.split())


class _Page(HTMLParser):
    """Parses HTML into its elements and collects anything in it that could run script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[_Element] = []
        self.problems: list[str] = []
        self._open: list[_Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, frozenset((name, value or "") for name, value in attrs))
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(_Element(tag, frozenset((n, v or "") for n, v in attrs)))
        self._check(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                if tag == "script" and self._open[i].words:
                    self.problems.append(f"inline script {self._open[i].words[:40]!r}")
                del self._open[i:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            if len(element.text) < TEXT_KEPT:
                element.text += data

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}:
            self.problems.append(f"<{tag}>")
        if tag == "style":
            # CSP forbids inline style, and html.parser (unlike a browser inside <math> or
            # <svg>) reads a <style> element's content as text: flag the element itself.
            self.problems.append("<style> (CSP forbids inline style)")
        if tag == "meta" and any(
            k == "http-equiv" and (v or "").lower() == "refresh" for k, v in attrs
        ):
            self.problems.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in {"href", "src", "action", "formaction", "xlink:href", "data"}:
                v = "".join((value or "").split()).lower()
                if v.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.problems.append(f"<{tag} style=…> (CSP forbids inline style)")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            # Same-origin files only (ours under /static/, the admin's /admin/jsi18n/).
            if not src.startswith("/") or src.startswith("//"):
                self.problems.append(f"<script src={src!r}>")


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


@dataclass
class Fingerprints:
    """The elements planted values would create if a page rendered them as markup."""

    with_attrs: dict[tuple[str, frozenset[tuple[str, str]]], str] = dc_field(default_factory=dict)
    # An element without attributes is known by its tag and its text (`<b>mall</b>`). One
    # with neither (`<video>` around `<source onerror=…>`) is not fingerprinted: every such
    # payload in the corpus also holds an element that is.
    by_text: dict[str, dict[str, str]] = dc_field(default_factory=dict)

    @classmethod
    def of(cls, planted: set[str]) -> Fingerprints:
        prints = cls()
        for value in planted:
            if "<" not in value:
                continue
            for element in parse(value).elements:
                if element.attrs:
                    prints.with_attrs[element.tag, element.attrs] = value
                elif element.words:
                    prints.by_text.setdefault(element.tag, {})[element.words] = value
        return prints

    def found_in(self, page: _Page) -> list[str]:
        found = []
        for element in page.elements:
            if element.attrs:
                value = self.with_attrs.get((element.tag, element.attrs))
            else:
                texts = self.by_text.get(element.tag, {})
                words = element.words
                value = next((v for t, v in texts.items() if words.startswith(t)), None)
            if value is not None:
                found.append(f"<{element.tag}> from {value!r} is an element, not text")
        return found


def html_problems(
    url: str, response: HttpResponse, planted: set[str], prints: Fingerprints | None = None
) -> list[str]:
    content_type = response.get("Content-Type", "")
    body = response.content.decode("utf-8", "replace")
    problems: list[str] = []
    if response.status_code >= 500:
        problems.append(f"{url}: status {response.status_code}")
    if "html" in content_type:
        page = parse(body)
        prints = prints or Fingerprints.of(planted)
        problems.extend(f"{url}: {p}" for p in [*prints.found_in(page), *page.problems])
    elif "xml" in content_type:
        # Atom feeds: a reader renders the escaped text; a raw "<" would be markup.
        problems.extend(f"{url}: unescaped {v!r}" for v in planted if "<" in v and v in body)
    # CSV, JSON and iCalendar are served with their own type and nosniff: never run.
    return problems
