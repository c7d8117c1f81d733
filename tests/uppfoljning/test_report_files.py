"""The tertial report as PDF and Word (uppfoljning/report_files.py), read back as text."""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import pgettext
from pytest_django import DjangoAssertNumQueries

from kommun.models import Kommun
from tests.conftest import (
    make_omrade,
    make_period,
    make_publicering,
    make_uppdrag,
    make_uppfoljning,
    make_user,
)
from tests.security.xss import PAYLOADS, Fingerprints, file_problems
from uppfoljning import report_files
from uppfoljning.models import Period

CLOSED_AT = timezone.make_aware(dt.datetime(2026, 9, 15, 12, 0))
PDF_URL = "/uppfoljning/2026-t2/rapport.pdf"
DOCX_URL = "/uppfoljning/2026-t2/rapport.docx"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# What each area's follow-up says: status, its symbol and Swedish word, summary.
AREAS = [
    ("gron", "● Grön", "Medskapande verkstäder i Bollmora med fyrtio deltagare."),
    ("gul", "▲ Gul", "Rekryteringen av ledartröjor drog ut på tiden under sommaren."),
    ("rod", "■ Röd", "Arbetet med återbruksstationen har inte kommit i gång."),
]


def _published(day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 9, day, 12, 0))


@pytest.fixture
def t2() -> Period:
    """T2 2026, closed, with three areas (one per status) and the overarching assignment."""
    make_period(ar=2026, tertial=1, tillstand="stangd", stangd_at=CLOSED_AT)
    period = make_period(ar=2026, tertial=2, tillstand="stangd", stangd_at=CLOSED_AT)
    for status, _words, summary in AREAS:
        uppf = make_uppfoljning(
            omrade=make_omrade(),
            period=period,
            status=status,
            sammanfattning=summary,
            orsak="" if status == "gron" else f"Orsaken till {status}.",
            atgarder="" if status == "gron" else f"Åtgärderna för {status}.",
        )
        make_publicering(uppf, publicerad_at=_published(1), skapad_at=_published(1))
    uppdrag = make_uppdrag(namn="Övergripande – att arbeta kommungemensamt", overgripande=True)
    uppf = make_uppfoljning(uppdrag=uppdrag, period=period, status="gron")
    make_publicering(
        uppf,
        sammanfattning="Förenklingsfredagar har hållits i alla förvaltningar.",
        publicerad_at=_published(2),
        skapad_at=_published(2),
    )
    return period


def _open_t3() -> Period:
    period = make_period(ar=2026, tertial=3, tillstand="oppen")
    uppf = make_uppfoljning(omrade=make_omrade(), period=period, status="gron")
    make_publicering(uppf, sammanfattning="Ett utkast till årsredovisningen.")
    return period


def _words(text: str) -> str:
    # WeasyPrint hyphenates long words at line ends (U+2010); lines become spaces.
    return " ".join(text.replace("\u2010\n", "").split())


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return _words("\n".join(page.extract_text() for page in reader.pages))


def _flat(outline: list[Any]) -> list[Any]:
    """pypdf's outline (a bookmark, then a list of its children, …) as one list."""
    return [b for item in outline for b in (_flat(item) if isinstance(item, list) else [item])]


def docx_paragraphs(content: bytes) -> list[Any]:
    return docx.Document(io.BytesIO(content)).paragraphs


def docx_text(content: bytes) -> str:
    return _words("\n".join(p.text for p in docx_paragraphs(content)))


# What the files say


@pytest.mark.django_db
def test_the_pdf_has_every_areas_status_word_and_summary(client: Client, t2: Period) -> None:
    r = client.get(PDF_URL)
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == 'attachment; filename="uppfoljning-2026-t2.pdf"'
    text = pdf_text(r.content)
    assert "Uppföljningsrapport T2 2026" in text
    for _status, words, summary in AREAS:
        assert words in text
        assert summary in text
    assert "Orsaken till gul." in text and "Åtgärderna för rod." in text
    assert "Förenklingsfredagar har hållits i alla förvaltningar." in text
    # The legend: each status with its definition.
    assert "■ Röd Uppdraget är inte påbörjat." in text
    assert "Perioden stängdes 15 september 2026." in text


@pytest.mark.django_db
def test_the_docx_has_every_areas_status_word_and_summary(client: Client, t2: Period) -> None:
    r = client.get(DOCX_URL)
    assert r.status_code == 200
    assert r["Content-Type"] == DOCX_TYPE
    assert r["Content-Disposition"] == 'attachment; filename="uppfoljning-2026-t2.docx"'
    paragraphs = docx_paragraphs(r.content)
    headings = {p.text: p.style.name for p in paragraphs if p.style.name.startswith("Heading")}
    text = docx_text(r.content)
    for omrade_title in [p.text for p in paragraphs if p.text.startswith(("1. ", "2. ", "3. "))]:
        assert headings[omrade_title] == "Heading 1"
    assert headings["Övergripande – att arbeta kommungemensamt"] == "Heading 1"
    assert headings["Orsak"] == headings["Vidtagna åtgärder"] == "Heading 2"
    for _status, words, summary in AREAS:
        assert f"Status: {words} – " in text
        assert summary in text
    assert "Orsaken till gul." in text and "Åtgärderna för rod." in text
    # The title, the period's closing, each follow-up's publication date and the legend.
    assert paragraphs[0].text == "Uppföljningsrapport T2 2026"
    assert paragraphs[0].style.name == "Title"
    assert "Perioden stängdes 15 september 2026." in text
    assert "Publicerad 1 september 2026." in text
    assert "Publicerad 2 september 2026." in text
    assert "Vad statusarna betyder" in headings
    for definition in [
        "● Grön – Uppdraget genomförs enligt plan och kommer levereras i tid.",
        "▲ Gul – Uppdraget är påbörjat men går inte enligt plan eller riskerar att inte "
        "levereras i tid.",
        "■ Röd – Uppdraget är inte påbörjat.",
    ]:
        assert definition in text
    assert "Rapportens permanenta adress: http://testserver/uppfoljning/2026-t2/" in text


@pytest.mark.django_db
def test_the_docx_has_title_language_and_page_numbers(
    client: Client, t2: Period, kommun: Kommun
) -> None:
    document = docx.Document(io.BytesIO(client.get(DOCX_URL).content))
    props = document.core_properties
    assert props.title == "Uppföljningsrapport T2 2026"
    assert props.language == "sv-SE"
    assert props.author == "Tyresö kommun"
    assert props.created.year == timezone.now().year
    lang = document.styles.element.xpath("//w:docDefaults//w:lang")
    assert lang and lang[0].get(f"{{{lang[0].nsmap['w']}}}val") == "sv-SE"
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    with translation.override("sv"):
        assert pgettext("page X of Y", "Page") in footer


@pytest.mark.django_db
def test_the_pdf_is_tagged_in_its_language_with_a_title_embedded_fonts_and_page_numbers(
    client: Client, t2: Period, kommun: Kommun
) -> None:
    reader = pypdf.PdfReader(io.BytesIO(client.get(PDF_URL).content))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "sv"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title == "Uppföljningsrapport T2 2026 – Tyresö kommun"
    # Headings are bookmarks: the title, the legend and every area and assignment.
    bookmarks = [b["/Title"] for b in _flat(reader.outline)]
    assert "Vad statusarna betyder" in bookmarks
    assert "Övergripande – att arbeta kommungemensamt" in bookmarks
    assert sum(b.startswith(("1. ", "2. ", "3. ")) for b in bookmarks) == 3
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            # A composite (Type0) font keeps its descriptor in its descendant font.
            inner = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = inner["/FontDescriptor"].get_object()
            fonts[font["/BaseFont"]] = "/FontFile2" in descriptor or "/FontFile3" in descriptor
    assert fonts and all(fonts.values()), fonts
    assert any("DejaVu-Sans" in name for name in fonts)
    # "Sida 2 av 5" on every page, in the page's language.
    with translation.override("sv"):
        page, of = pgettext("page X of Y", "Page"), pgettext("page X of Y", "of")
    total = len(reader.pages)
    assert total >= 4  # the legend, then each of the four sections on a page of its own
    for number, p in enumerate(reader.pages, 1):
        assert f"{page} {number} {of} {total}" in _words(p.extract_text())


@pytest.mark.django_db
def test_english_files_are_under_en_in_english(client: Client, t2: Period) -> None:
    r = client.get("/en/uppfoljning/2026-t2/rapport.pdf")
    assert r["Content-Disposition"] == 'attachment; filename="uppfoljning-2026-t2-en.pdf"'
    reader = pypdf.PdfReader(io.BytesIO(r.content))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    text = pdf_text(r.content)
    assert "Follow-up report T2 2026" in text and "Page 1 of" in text
    # The texts are Swedish, as written.
    assert AREAS[0][2] in text
    r = client.get("/en/uppfoljning/2026-t2/rapport.docx")
    assert r["Content-Disposition"] == 'attachment; filename="uppfoljning-2026-t2-en.docx"'
    document = docx.Document(io.BytesIO(r.content))
    assert document.core_properties.language == "en-GB"
    assert document.paragraphs[0].text == "Follow-up report T2 2026"
    assert "Status: ● Green – " in docx_text(r.content)


@pytest.mark.django_db
def test_a_correction_after_closing_is_in_both_files_beside_the_snapshot(
    client: Client, t2: Period
) -> None:
    uppf = t2.uppfoljningar.filter(status="gul").get()
    make_publicering(
        uppf,
        status="gron",
        sammanfattning="Rättad: ledartröjorna är på plats.",
        skapad_at=timezone.make_aware(dt.datetime(2026, 10, 3, 12, 0)),
    )
    for text in (pdf_text(client.get(PDF_URL).content), docx_text(client.get(DOCX_URL).content)):
        report, correction = text.split("Rättad 3 oktober 2026", 1)
        assert AREAS[1][2] in report
        assert "Rättad: ledartröjorna är på plats." in correction


# Who gets them


@pytest.mark.django_db
def test_a_resident_gets_no_files_of_an_open_period_and_the_page_offers_none(
    client: Client, t2: Period
) -> None:
    _open_t3()
    assert client.get("/uppfoljning/2026-ar/rapport.pdf").status_code == 404
    assert client.get("/uppfoljning/2026-ar/rapport.docx").status_code == 404
    assert client.get("/en/uppfoljning/2026-ar/rapport.docx").status_code == 404
    page = client.get("/uppfoljning/2026-ar/").content.decode()
    assert "rapport.pdf" not in page and "rapport.docx" not in page
    # A closed period's page links both files.
    page = client.get("/uppfoljning/2026-t2/").content.decode()
    assert f'href="{PDF_URL}"' in page and f'href="{DOCX_URL}"' in page


@pytest.mark.django_db
def test_staff_get_the_files_of_an_open_period_with_what_the_page_shows(
    client: Client, t2: Period
) -> None:
    period = _open_t3()
    draft = make_uppfoljning(
        omrade=make_omrade(), period=period, status="rod", orsak="Orsak", atgarder="Åtgärd"
    )
    make_publicering(
        draft,
        sammanfattning="Publiceras först i januari.",
        publicerad_at=timezone.now() + dt.timedelta(days=30),
    )
    client.force_login(make_user("handlaggare"))
    page = client.get("/uppfoljning/2026-ar/").content.decode()
    assert 'href="/uppfoljning/2026-ar/rapport.pdf"' in page
    pdf = client.get("/uppfoljning/2026-ar/rapport.pdf")
    assert pdf.status_code == 200
    docx_response = client.get("/uppfoljning/2026-ar/rapport.docx")
    assert docx_response.status_code == 200
    for text in (pdf_text(pdf.content), docx_text(docx_response.content)):
        assert "Ett utkast till årsredovisningen." in text
        assert "Perioden är inte stängd ännu" in text
        # The page shows staff what residents see: a scheduled publication is not in it.
        assert "Publiceras först i januari." not in text


@pytest.mark.django_db
def test_an_unknown_period_has_no_files(client: Client) -> None:
    assert client.get("/uppfoljning/2031-t1/rapport.pdf").status_code == 404
    assert client.get("/uppfoljning/2031-t1/rapport.docx").status_code == 404


@pytest.mark.django_db
def test_the_files_refuse_post(client: Client, t2: Period) -> None:
    assert client.post(PDF_URL).status_code == 405
    assert client.post(DOCX_URL).status_code == 405


# Without WeasyPrint


@pytest.mark.django_db
def test_without_weasyprint_the_pdf_link_answers_a_swedish_503(
    client: Client, t2: Period, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `import weasyprint` raises ImportError while sys.modules holds None for it.
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    r = client.get(PDF_URL)
    assert r.status_code == 503
    html = r.content.decode()
    assert '<html lang="sv">' in html
    assert "WeasyPrint" in html and "weasyprint" in html
    assert f'href="{DOCX_URL}"' in html
    # The rest of the report works: the page and the Word file.
    assert client.get("/uppfoljning/2026-t2/").status_code == 200
    assert client.get(DOCX_URL).status_code == 200


@pytest.mark.django_db
def test_without_pango_the_503_names_the_debian_packages(
    client: Client, t2: Period, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pango() -> None:
        raise OSError("cannot load library 'libpango-1.0-0': no such file")

    monkeypatch.setattr(report_files, "_import_weasyprint", no_pango)
    r = client.get(PDF_URL)
    assert r.status_code == 503
    html = r.content.decode()
    assert "Pango" in html and "libpango-1.0-0 libpangoft2-1.0-0" in html
    # A 503 is never kept in the page cache: the next request tries again.
    assert "X-Public-Cache" not in client.get(PDF_URL)


# Hostile text


@pytest.mark.django_db
def test_hostile_texts_are_text_in_both_files_never_links_or_markup(client: Client) -> None:
    period = make_period(ar=2026, tertial=2, tillstand="stangd", stangd_at=CLOSED_AT)
    # Markup and script addresses, as text and as Markdown links; an address that may link.
    payloads = [p for p in PAYLOADS if "<" in p or "](" in p][:20]
    for payload in payloads:
        omrade = make_omrade(fraga=f"Fråga {payload}")
        uppf = make_uppfoljning(
            omrade=omrade,
            period=period,
            status="gul",
            sammanfattning=payload,
            orsak=f"Se [rapporten](https://example.org/rapport) och {payload}",
            atgarder=payload,
        )
        make_publicering(uppf, skapad_at=_published(1))
    prints = Fingerprints.of(set(payloads))
    pdf, word = client.get(PDF_URL), client.get(DOCX_URL)
    assert file_problems(pdf["Content-Type"], pdf.content, prints) == []
    assert file_problems(word["Content-Type"], word.content, prints) == []
    # The PDF links only to the portal and to the one http(s) address written.
    links = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None:
                links.add(str(action.get_object().get("/URI", "")))
    assert links and all(
        link.startswith(("http://testserver/", "https://example.org/")) for link in links
    ), links
    # The texts are there, as text: markup in them is shown, not applied.
    pdf_words, docx_words = pdf_text(pdf.content), docx_text(word.content)
    for shown in ["<script>alert(1)</script>", '<a href="javascript:alert(1)">klicka</a>']:
        assert shown in pdf_words and shown in docx_words
    assert "rapporten (https://example.org/rapport)" in docx_words
    with zipfile.ZipFile(io.BytesIO(word.content)) as package:
        document = package.read("word/document.xml").decode()
    assert "<script" not in document and "&lt;script&gt;alert(1)&lt;/script&gt;" in document


def test_the_pdf_check_flags_a_script_link_and_the_docx_check_a_field() -> None:
    # A PDF with a javascript: link annotation.
    writer = pypdf.PdfWriter()
    writer.add_blank_page(100, 100)
    from pypdf.annotations import Link
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    link = Link(rect=(0, 0, 50, 50), url="https://example.org/")
    link[NameObject("/A")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/URI"),
            NameObject("/URI"): TextStringObject("javascript:alert(1)"),
        }
    )
    writer.add_annotation(0, link)
    out = io.BytesIO()
    writer.write(out)
    assert file_problems("application/pdf", out.getvalue(), Fingerprints()) != []
    # A .docx with a DDE field.
    document = docx.Document()
    document.add_paragraph("x")._p.append(
        docx.oxml.parse_xml(
            '<w:fldSimple xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
            ' w:instr="DDEAUTO cmd /c calc"/>'
        )
    )
    out = io.BytesIO()
    document.save(out)
    assert file_problems(DOCX_TYPE, out.getvalue(), Fingerprints()) != []


# Fetching


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example/static/css/portal.css",
        "https://testserver/static/css/portal.css",
        "file:///etc/passwd",
        "http://testserver/static/../../../../etc/passwd",
        "http://testserver/static/%2e%2e/%2e%2e/manage.py",
        "http://testserver/admin/",
        "http://testserver/static/css/",
        "http://testserver/static/css/portal.css%00.png",
        "data:text/css,body{}",
    ],
)
def test_the_pdf_fetches_nothing_but_the_portals_static_files(url: str) -> None:
    assert report_files._static_path(url, "http", "testserver") is None


def test_the_pdf_fetches_the_portals_stylesheets_from_disk() -> None:
    path = report_files._static_path(
        "http://testserver/static/css/rapport-print.css", "http", "testserver"
    )
    assert path is not None and path.read_text().startswith("/* The tertial report on paper")
    assert path.resolve().is_relative_to(Path(__file__).resolve().parents[2])


# Cost


@pytest.mark.django_db
def test_a_residents_file_is_kept_in_the_page_cache_until_public_data_changes(
    client: Client, t2: Period
) -> None:
    first = client.get(PDF_URL)
    again = client.get(PDF_URL)
    assert again["X-Public-Cache"] == "hit" and again.content == first.content
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert client.get(DOCX_URL).get("X-Public-Cache") is None
    assert client.get(DOCX_URL)["X-Public-Cache"] == "hit"
    uppf = t2.uppfoljningar.filter(status="rod").get()
    make_publicering(uppf, status="gul", sammanfattning="Nu har arbetet börjat.")
    fresh = client.get(DOCX_URL)
    assert fresh.get("X-Public-Cache") is None
    assert "Nu har arbetet börjat." in docx_text(fresh.content)


@pytest.mark.django_db
def test_a_query_string_is_sent_to_the_files_one_address(client: Client, t2: Period) -> None:
    # Otherwise each "?n" would be a cache entry of its own, and a PDF made for each.
    for url in (PDF_URL, DOCX_URL, "/en" + PDF_URL):
        r = client.get(url + "?v=1")
        assert r.status_code == 301 and r["Location"] == url


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 15])
def test_the_number_of_queries_is_the_pages_whatever_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    t1 = make_period(ar=2026, tertial=1, tillstand="stangd", stangd_at=CLOSED_AT)
    t2 = make_period(ar=2026, tertial=2, tillstand="stangd", stangd_at=CLOSED_AT)
    make_uppdrag(overgripande=True)
    for _ in range(size):
        omrade = make_omrade()
        for period in (t1, t2):
            uppf = make_uppfoljning(
                omrade=omrade, period=period, status="gul", orsak="Orsak", atgarder="Åtgärd"
            )
            make_publicering(uppf, skapad_at=_published(1))
    for url in (PDF_URL, DOCX_URL):
        # 1: the period and the previous one
        # 2: the public publications both periods show, with their follow-ups
        # 3: the assignments (overarching, or followed up in the period)
        # 4: the public areas with their fadder
        with django_assert_num_queries(4):
            assert Client().get(url).status_code == 200
