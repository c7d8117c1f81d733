"""The tertial report as files for kommunstyrelsen's papers: PDF and Word.

Both say what the printable page says: they read `views.period_context()`, the page's own
context, and residents get them only where `reports.files_shown()` allows (closed periods;
staff any period).

- The PDF is the page itself: the same template and context, laid out by WeasyPrint with the
  page's print stylesheets (portal.css's print rules and rapport-print.css: A4, "Sida 2 av 7",
  the title on every page, a font from the server's disk, embedded). The PDF is tagged and
  carries the page's language and title. WeasyPrint is imported only when a PDF is asked for:
  without it, or without the Pango library it loads, the link answers a Swedish 503 page
  naming what is missing, and the rest of the portal runs as before. It reads nothing from the
  network: its URL fetcher serves the portal's own static files and refuses any other address.
- The Word file (python-docx) is written from the same context as plain text: the staff's
  Markdown goes through the portal's sanitiser (`render_markdown`) and only the text of the
  result is written, so nothing in it becomes a link, a field or markup.

A closed period's files change only when public data changes, so responses for anonymous
visitors are kept in the page cache (`@public_cache`) exactly as the page is. The cache keeps
one entry per address, and a PDF costs about a second to make: an address with a query string
("?1", "?2"…) is sent to the file's one address instead of making a PDF of its own.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import logging
import mimetypes
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import docx
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext, pgettext
from django.views.decorators.http import require_safe
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from kommun.models import Kommun
from portal.page_cache import public_cache
from portal.templatetags.dates import long_date
from portal.templatetags.formatted import render_markdown
from portal.templatetags.localized import localized_text
from uppfoljning import views
from uppfoljning.models import STATUS_SYMBOLS, Publicering, Status

log = logging.getLogger(__name__)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Debian's packages for what WeasyPrint loads at import (named on the 503 page and in the docs).
PANGO_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0"
# XML 1.0 has no place for these control characters; a .docx with one does not open.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _report(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The page's context, or 404 where the viewer does not get the files."""
    ctx = views.period_context(request, slug)
    if not ctx["files"]:
        raise Http404("The report's files are published when the period closes")
    # The page's address, not the file's, on the page "Permanent address of this report".
    ctx["report_url"] = request.build_absolute_uri(ctx["period"].get_absolute_url())
    return ctx


def _filename(ctx: dict[str, Any], extension: str) -> str:
    language = "" if get_language() == settings.LANGUAGE_CODE else f"-{get_language()}"
    return f"uppfoljning-{ctx['period'].slug}{language}.{extension}"


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# The PDF


def _import_weasyprint() -> Any:
    """WeasyPrint, imported on first use: it loads Pango (a C library) when imported."""
    # Its warnings name each property of portal.css it does not know (forty lines a PDF) and
    # its progress (from the import on) is logged at INFO; errors (a refused address) are kept.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return importlib.import_module("weasyprint")


@public_cache
@require_safe
def period_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    if request.META.get("QUERY_STRING"):
        return HttpResponsePermanentRedirect(request.path)
    ctx = _report(request, slug)
    try:
        weasyprint = _import_weasyprint()
    except (ImportError, OSError) as error:
        return _pdf_unavailable(request, ctx, error)
    html = render_to_string("uppfoljning/period.html", ctx, request=request)
    document = weasyprint.HTML(
        string=html,
        base_url=request.build_absolute_uri(),
        url_fetcher=_static_fetcher(weasyprint, request),
    )
    # Tagged (headings, paragraphs, lists, the language of each part) for screen readers.
    pdf = document.write_pdf(pdf_tags=True)
    return _file(pdf, "application/pdf", _filename(ctx, "pdf"))


def _pdf_unavailable(request: HttpRequest, ctx: dict[str, Any], error: Exception) -> HttpResponse:
    # ImportError: the Python package is missing; OSError: it is there, but Pango is not.
    missing = "weasyprint" if isinstance(error, ImportError) else "pango"
    log.warning("The report's PDF cannot be made (%s missing): %s", missing, error)
    ctx = {**ctx, "missing": missing, "pango_packages": PANGO_PACKAGES}
    return render(request, "uppfoljning/rapport_pdf_saknas.html", ctx, status=503)


def _static_fetcher(weasyprint: Any, request: HttpRequest) -> Any:
    """A URL fetcher that serves the portal's static files from disk and refuses the rest."""
    origin = urlsplit(request.build_absolute_uri("/"))

    class StaticFilesOnly(weasyprint.URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = _static_path(url, origin.scheme, origin.netloc)
            if path is None:
                raise ValueError(f"Not one of the portal's static files: {url[:200]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return weasyprint.urls.URLFetcherResponse(
                url, body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticFilesOnly()


def _static_path(url: str, scheme: str, netloc: str) -> Path | None:
    """The file behind a static URL of this site (collected or in static/), else None."""
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (scheme, netloc):
        return None
    if not parts.path.startswith(settings.STATIC_URL):
        return None
    name = unquote(parts.path.removeprefix(settings.STATIC_URL))
    try:
        if staticfiles_storage.exists(name):
            found = staticfiles_storage.path(name)
        else:
            found = finders.find(name)
    except SuspiciousFileOperation:
        return None  # "../" out of the static folders
    return Path(found) if isinstance(found, str) and Path(found).is_file() else None


# The Word file


@public_cache
@require_safe
def period_docx(request: HttpRequest, slug: str) -> HttpResponse:
    if request.META.get("QUERY_STRING"):
        return HttpResponsePermanentRedirect(request.path)
    ctx = _report(request, slug)
    return _file(_docx(ctx), DOCX_TYPE, _filename(ctx, "docx"))


def _docx(ctx: dict[str, Any]) -> bytes:
    period = ctx["period"]
    language = {"sv": "sv-SE", "en": "en-GB"}.get(get_language(), "sv-SE")
    title = gettext("Follow-up report %(period)s") % {"period": period}
    document = docx.Document()
    _set_properties(document, title=title, language=language)
    _add_page_numbers(document)

    document.add_heading(_text(title), level=0)
    document.add_paragraph(_text(_lead(period)))
    address = gettext("Permanent address of this report: %(url)s") % {"url": ctx["report_url"]}
    document.add_paragraph(_text(address))

    document.add_heading(gettext("What the statuses mean"), level=1)
    for s in ctx["legend"]:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{s['symbol']} {s['label']}").bold = True
        paragraph.add_run(f" – {s['definition']}")
    document.add_paragraph(
        gettext("For yellow and red, the follow-up always states the cause and the actions taken.")
    )

    previous = ctx["previous"]
    for s in ctx["sections"]:
        document.add_heading(_text(s["title"]), level=1)
        if s["fadder"] is not None:
            document.add_paragraph(_text(f"{gettext('Sponsor (fadder)')}: {s['fadder'].namn}"))
        pub = s["pub"]
        if pub:
            _add_status(document, pub, definition=True)
            published = gettext("Published %(datum)s.") % {"datum": _day(pub.publicerad_at)}
            document.add_paragraph(published)
            _add_texts(document, pub, level=2)
        else:
            document.add_paragraph(gettext("No follow-up was published for this period."))
        for c in s["corrections"]:
            corrected = gettext("Corrected %(datum)s") % {"datum": _day(c.skapad_at)}
            document.add_heading(corrected, level=2)
            _add_status(document, c)
            _add_texts(document, c, level=3)
        if previous:
            document.add_heading(gettext("Since %(previous)s") % {"previous": previous.kort}, 2)
            for line in _change(s["change"]):
                document.add_paragraph(line)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _lead(period: Any) -> str:
    """The page's first paragraph: whether the report can still change."""
    if not period.is_closed:
        return gettext(
            "This period is not closed yet: the report shows the latest published follow-ups "
            "and may still change."
        )
    if period.stangd_at:
        return gettext(
            "This period was closed on %(datum)s. The report shows what was published then and "
            "never changes; later corrections are shown beside it, with their date."
        ) % {"datum": _day(period.stangd_at)}
    return gettext(
        "This period is closed. The report shows what was first published for each area and "
        "assignment and never changes; later corrections are shown beside it, with their date."
    )


def _day(moment: dt.datetime) -> str:
    """ "3 december 2024": the day in the portal's time zone, as the page writes it."""
    return long_date(timezone.localtime(moment))


def _status_words(pub: Publicering | None) -> str:
    """Symbol and word, as `{% status %}` shows them (never colour alone)."""
    if pub is None:
        return gettext("No published status yet")
    status = Status(pub.status)
    return f"{STATUS_SYMBOLS[status]} {status.label}"


def _add_status(document: Any, pub: Publicering, *, definition: bool = False) -> None:
    paragraph = document.add_paragraph(f"{gettext('Status')}: ")
    paragraph.add_run(_status_words(pub)).bold = True
    if definition:
        paragraph.add_run(f" – {pub.definition}")


def _add_texts(document: Any, pub: Publicering, *, level: int) -> None:
    # The English version where there is one, in an English file; else the Swedish text.
    _add_markdown(document, localized_text(pub, "sammanfattning")[0])
    for label, field in ((gettext("Cause"), "orsak"), (gettext("Actions taken"), "atgarder")):
        text = localized_text(pub, field)[0]
        if text.strip():
            document.add_heading(label, level=level)
            _add_markdown(document, text)


def _change(change: Any) -> list[str]:
    """The page's "Since T1" lines for one section, as text."""
    if change.before and change.after:
        if change.status_changed:
            status = (
                f"{gettext('Status changed')}: "
                f"{_status_words(change.before)} → {_status_words(change.after)}"
            )
        else:
            status = f"{gettext('Status unchanged')}: {_status_words(change.after)}"
        if change.text_changed:
            return [status, gettext("The text has changed.")]
        return [status, gettext("The text is unchanged.")]
    if change.after:
        return [gettext("New: nothing was published for the previous period.")]
    if change.before:
        return [
            gettext("Something was published for the previous period, but nothing for this one.")
        ]
    return [gettext("Nothing published in either period.")]


def _add_markdown(document: Any, text: str) -> None:
    """Staff Markdown as plain paragraphs and list items (the sanitised HTML's text only)."""
    blocks = _Blocks()
    blocks.feed(str(render_markdown(text)))
    blocks.close()
    for kind, content in blocks.blocks:
        content = _text(content.strip())
        if not content:
            continue
        if kind == "li":
            document.add_paragraph(content, style="List Bullet")
        elif kind in {"h2", "h3", "h4", "h5", "h6"}:
            document.add_paragraph().add_run(content).bold = True
        else:
            document.add_paragraph(content)


class _Blocks(HTMLParser):
    """The text of each block (paragraph, list item, heading…) of sanitised Markdown HTML.

    A link keeps its text and shows its address after it in brackets: a printed page cannot
    be clicked, and the file holds no links.
    """

    BLOCKS = {"p", "li", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self._kind: list[str] = []
        self._href: list[str] = []
        self._link_text = ""

    def _start(self, kind: str) -> None:
        self.blocks.append((kind, ""))

    def _append(self, text: str) -> None:
        if not self.blocks:
            self._start("p")
        kind, content = self.blocks[-1]
        self.blocks[-1] = (kind, content + text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self._kind.append(tag)
            # A paragraph inside a list item continues the item.
            if not (tag == "p" and self._kind[:-1] and self._kind[-2] == "li"):
                self._start(tag)
        elif tag == "br":
            self._append("\n")
        elif tag == "a":
            self._href.append(dict(attrs).get("href") or "")
            self._link_text = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS and self._kind:
            self._kind.pop()
            if self._kind:  # back in the enclosing block (a list item after a nested list)
                self._start(self._kind[-1])
        elif tag == "a" and self._href:
            href = self._href.pop()
            if href and href != self._link_text.strip():
                self._append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self._href:
            self._link_text += data
        if data.strip() or self._kind:
            self._append(data)


def _text(value: str) -> str:
    return NOT_XML.sub("", str(value))


def _set_properties(document: Any, *, title: str, language: str) -> None:
    """Title, language and dates of the file (python-docx's template has its own)."""
    now = timezone.now().replace(microsecond=0).astimezone(dt.UTC).replace(tzinfo=None)
    props = document.core_properties
    props.title = _text(title)
    props.language = language
    props.author = props.last_modified_by = _text(Kommun.objects.current().visningsnamn)
    props.subject = gettext("Joint areas")
    props.keywords = props.comments = ""
    props.created = props.modified = now
    props.revision = 1
    # The language Word checks the spelling in: every run's default.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)


def _add_page_numbers(document: Any) -> None:
    """ "Sida 2 av 7" in the footer: Word's PAGE and NUMPAGES fields, the only fields written."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run(pgettext("page X of Y", "Page") + " ")
    _add_field(paragraph, "PAGE")
    paragraph.add_run(" " + pgettext("page X of Y", "of") + " ")
    _add_field(paragraph, "NUMPAGES")


def _add_field(paragraph: Any, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
