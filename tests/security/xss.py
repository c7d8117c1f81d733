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

A response that is not HTML is parsed as what it is (`file_problems()`), by its content type:

- Atom (xml.etree): every text construct of type="html" is parsed as HTML and checked as a
  page is; type="xhtml" is never written; every link is http(s) or mailto.
- iCalendar (the icalendar library): every address property (URL, ATTACH…) is http(s);
  a property carrying HTML (X-ALT-DESC, FMTTYPE=text/html) is checked as a page is.
- JSON (json): every address field (`url`, `*_url`, the paging links) is http(s) or null.
- CSV (csv): no cell starts a spreadsheet formula (=, +, -, @, tab, carriage return), except
  a plain number such as -1.5.
- RDF/XML and other XML (xml.etree): every rdf:about, rdf:resource, href and src is http(s) or
  mailto, and no literal is XML (rdf:parseType="Literal").
- PDF (pypdf): every link annotation goes to an http(s) or mailto address or within the
  document; no script, launch or form action, no action run on opening, no embedded file.
- Word .docx (zipfile, xml.etree): no macros, embedded objects or imported HTML (altChunk),
  every external relationship http(s) or mailto, and no field but PAGE and NUMPAGES.
- Plain text is shown as text; any other type is a problem until a check for it is added.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from dataclasses import field as dc_field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import icalendar
import pypdf
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
] + [
    # Line breaks cannot be written in the file: a formula behind a carriage return, and a
    # calendar event smuggled in through line breaks (iCalendar is a line format).
    '\r=HYPERLINK("http://evil.example/","Klicka")',
    "Möte\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nURL:javascript:alert(1)\r\nSUMMARY:x",
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


def plant_into(obj: models.Model, payload: str) -> None:
    """Write `payload` into every free-text field of one row (not an append-only one)."""
    model = type(obj)
    values = {f.attname: _value(payload, f, obj.pk) for f in text_fields(model)}
    model._base_manager.filter(pk=obj.pk).update(**values)
    obj.refresh_from_db()


def _append_only_rows(round_no: int) -> set[str]:
    """Publications and audit entries are never updated: add hostile ones instead."""
    from uppfoljning.models import Period

    a, b, c = (PAYLOADS[(round_no * 5 + i) % len(PAYLOADS)] for i in range(3))
    period = Period.objects.order_by("-ar", "-tertial").first()
    uppdrag_kwargs: dict[str, Any] = {"period": period} if period else {}
    uppfoljning = make_uppfoljning(
        status="gul", sammanfattning=a, orsak=b, atgarder=c, **uppdrag_kwargs
    )
    # The English versions, shown on /en/ (each a payload the Swedish texts do not hold).
    make_publicering(uppfoljning, sammanfattning_en=c, orsak_en=a, atgarder_en=b)
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
    prints = prints or Fingerprints.of(planted)
    if "html" in content_type:
        page = parse(body)
        problems.extend(f"{url}: {p}" for p in [*prints.found_in(page), *page.problems])
    else:
        found = file_problems(content_type, response.content, prints)
        problems.extend(f"{url}: {p}" for p in found)
    return problems


# Files: what "would run" means for each format (see the module's docstring).

LINK_SCHEMES = ("http:", "https:", "mailto:")
# OWASP's CSV Injection rule: a spreadsheet runs a cell that starts with one of these.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
ATOM_TEXT = {
    f"{{http://www.w3.org/2005/Atom}}{name}"
    for name in ("title", "subtitle", "summary", "content", "rights")
}
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
JSON_LINKS = {"url", "documentation", "csv", "license", "first", "last", "prev", "next"}
ICAL_LINKS = {"URL", "ATTACH", "TZURL", "SOURCE", "CONFERENCE", "IMAGE"}


def _link_problem(where: str, value: str) -> list[str]:
    # A browser ignores whitespace and control characters inside a scheme ("java\tscript:").
    scheme = "".join(ch for ch in value if ch.isprintable() and not ch.isspace()).lower()
    return [] if scheme.startswith(LINK_SCHEMES) else [f"{where}={value!r}"]


def _html_problems(where: str, html: str, prints: Fingerprints) -> list[str]:
    page = parse(html)
    return [f"{where}: {p}" for p in [*prints.found_in(page), *page.problems]]


def _atom_problems(body: bytes, prints: Fingerprints) -> list[str]:
    problems = []
    for el in ET.fromstring(body).iter():
        tag = el.tag.rpartition("}")[2]
        for name in ("href", "src"):
            if name in el.attrib:
                problems += _link_problem(f"<{tag} {name}>", el.attrib[name])
        if el.tag in ATOM_TEXT:
            kind = el.get("type", "text")
            if kind == "html":
                problems += _html_problems(f"<{tag} type=html>", el.text or "", prints)
            elif kind != "text" or len(el):
                problems.append(f"<{tag} type={kind!r}> with {len(el)} child elements")
    return problems


def _xml_problems(body: bytes) -> list[str]:
    problems = []
    for el in ET.fromstring(body).iter():
        for name, value in el.attrib.items():
            if name in {f"{RDF}about", f"{RDF}resource", "href", "src"}:
                problems += _link_problem(f"<{el.tag} {name}>", value)
        if el.get(f"{RDF}parseType") == "Literal":
            problems.append(f"<{el.tag} rdf:parseType=Literal>")
    return problems


def _ical_problems(body: bytes, prints: Fingerprints) -> list[str]:
    problems = []
    for component in icalendar.Calendar.from_ical(body).walk():
        for name, values in component.items():
            # A property given more than once (CATEGORIES) is a list.
            for value in values if isinstance(values, list) else [values]:
                where = f"{component.name} {name}"
                params = getattr(value, "params", {})
                if name in ICAL_LINKS:
                    problems += _link_problem(where, str(value))
                if name == "X-ALT-DESC" or params.get("FMTTYPE", "").lower() == "text/html":
                    problems += _html_problems(where, str(value), prints)
    return problems


def _json_problems(body: bytes) -> list[str]:
    problems: list[str] = []

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and (key in JSON_LINKS or key.endswith("_url")):
            problems.extend(_link_problem(f'"{key}"', value))

    walk(json.loads(body))
    return problems


def formula_cells(body: bytes) -> list[str]:
    text = body.decode("utf-8").removeprefix("\ufeff")
    return [
        cell
        for row in csv.reader(io.StringIO(text, newline=""))
        for cell in row
        if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell)
    ]


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# PDF actions that stay inside the document; any other (JavaScript, Launch, SubmitForm…) runs.
PDF_INTERNAL = {"/GoTo", "/Named"}
# The only Word fields a file may carry: the footer's page numbers.
DOCX_FIELDS = {"PAGE", "NUMPAGES"}
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _pdf_problems(body: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(body))
    root = reader.trailer["/Root"]
    problems = [f"catalog {key}" for key in ("/OpenAction", "/AA", "/AcroForm") if key in root]
    names = root.get("/Names", {})
    problems += [f"names {key}" for key in ("/JavaScript", "/EmbeddedFiles") if key in names]
    for number, page in enumerate(reader.pages, 1):
        if "/AA" in page:
            problems.append(f"page {number} /AA")
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            subtype = annotation.get("/Subtype")
            if subtype != "/Link":
                problems.append(f"page {number}: annotation {subtype}")
                continue
            action = annotation.get("/A")
            if action is None:
                continue  # a /Dest: a place in this document
            action = action.get_object()
            if action.get("/S") == "/URI":
                problems += _link_problem(f"page {number}: link", str(action.get("/URI", "")))
            elif action.get("/S") not in PDF_INTERNAL:
                problems.append(f"page {number}: link action {action.get('/S')}")
    return problems


def _docx_problems(body: bytes) -> list[str]:
    problems = []
    with zipfile.ZipFile(io.BytesIO(body)) as package:
        for name in package.namelist():
            lowered = name.lower()
            if any(part in lowered for part in ("vbaproject", "activex", "embeddings", "afchunk")):
                problems.append(f"part {name}")
            if not name.endswith((".xml", ".rels")):
                continue
            for el in ET.fromstring(package.read(name)).iter():
                tag = el.tag.rpartition("}")[2]
                if tag == "Relationship":
                    kind = el.get("Type", "").rpartition("/")[2]
                    if kind in {"aFChunk", "oleObject", "attachedTemplate", "package"}:
                        problems.append(f"{name}: relationship {kind}")
                    if el.get("TargetMode") == "External":
                        problems += _link_problem(f"{name}: {kind}", el.get("Target", ""))
                elif tag == "altChunk":
                    problems.append(f"{name}: altChunk")
                elif tag in {"fldSimple", "instrText"}:
                    instruction = el.get(f"{W_NS}instr") if tag == "fldSimple" else el.text
                    words = (instruction or "").split()
                    if not words or words[0] not in DOCX_FIELDS:
                        problems.append(f"{name}: field {instruction!r}")
    return problems


def file_problems(content_type: str, body: bytes, prints: Fingerprints) -> list[str]:
    """What in a file could run, read by a parser of its format (a new format needs one)."""
    media_type = content_type.partition(";")[0].strip()
    if media_type == "application/atom+xml":
        return _atom_problems(body, prints)
    if media_type.endswith("xml"):
        return _xml_problems(body)
    if media_type == "text/calendar":
        return _ical_problems(body, prints)
    if media_type == "application/json":
        return _json_problems(body)
    if media_type == "text/csv":
        return [f"formula cell {cell[:40]!r}" for cell in formula_cells(body)]
    if media_type == "application/pdf":
        return _pdf_problems(body)
    if media_type == DOCX:
        return _docx_problems(body)
    if media_type == "text/plain":
        return []  # shown as text (nosniff): nothing in it runs
    if media_type == "text/css":
        # The municipality's colours (kommun/views.py): two custom properties and nothing else.
        css = body.decode("utf-8", errors="replace").strip()
        allowed = re.fullmatch(
            r":root \{ --brand: #[0-9a-f]{6}; --brand-dark: #[0-9a-f]{6}; \}", css
        )
        return [] if allowed else [f"stylesheet beyond the two colours: {css[:80]!r}"]
    return [f"no check for {media_type!r}: add one here"]
