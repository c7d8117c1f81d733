"""Pages, e-mails, feeds and files name the municipality from its record, never Tyresö by code
(issue #24 point 1): a record for "Provkommun" leaves no trace of Tyresö on the main pages."""

from __future__ import annotations

import io
import re
from typing import Any

import docx
import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone
from PIL import Image

from kommun.models import Kommun
from tests.conftest import (
    make_aktivitet,
    make_inspel,
    make_kommun,
    make_omrade,
    make_period,
    make_publicering,
    make_uppfoljning,
)

pytestmark = pytest.mark.django_db

PROV = {
    "namn": "Provkommun",
    "namn_en": "Test Municipality",
    "kortnamn": "Prov",
    "postadress": "999 99 Provby",
    "epost": "info@prov.example",
    "telefon": "0123-45 67 89",
    "dataskyddsombud_epost": "dso@prov.example",
    "webbplats": "https://www.prov.example/",
    "kolada_id": "",
}
# The pages residents see most, in both languages.
PAGES = [
    "/",
    "/uppfoljning/",
    "/aktiviteter/",
    "/tyck-till/",
    "/folj/",
    "/om-personuppgifter/",
    "/tillganglighet/",
    "/ordlista/",
    "/oppna-data/",
    "/sok/?q=park",
    "/en/",
    "/en/om-personuppgifter/",
]
TYRESO = re.compile(r"tyres[oö]", re.IGNORECASE)


@pytest.fixture
def provkommun() -> Kommun:
    make_kommun(**PROV)
    return Kommun.objects.current()


@pytest.fixture
def area() -> Any:
    omrade = make_omrade(slug="park", kortnamn="Parkerna")
    make_publicering(make_uppfoljning(omrade=omrade, period=make_period(), status="gron"))
    make_aktivitet(omraden=[omrade], titel="Parkvandring")
    return omrade


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (0, 80, 122)).save(buffer, format="PNG")
    return buffer.getvalue()


# Pages


def test_the_main_pages_name_the_record_and_never_tyreso(
    client: Client, provkommun: Kommun, area: Any
) -> None:
    for path in [*PAGES, f"/omraden/{area.slug}/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        name = "Test Municipality" if path.startswith("/en/") else "Provkommun"
        assert f'<span class="brand-org">{name}</span>' in html, path
        assert f"– {name}</title>" in html, path
        assert "999 99 Provby" in html, path  # the footer
        assert not TYRESO.search(html), (path, TYRESO.findall(html))


def test_the_privacy_boxes_give_the_records_controller_and_officer(
    client: Client, provkommun: Kommun, area: Any
) -> None:
    for path in ("/tyck-till/", "/folj/", f"/omraden/{area.slug}/"):
        html = client.get(path).content.decode()
        assert "Provkommun (kommunstyrelsen), 999 99 Provby, " in html, path
        assert '<a href="mailto:info@prov.example">info@prov.example</a>' in html, path
        assert '<a href="tel:+46123456789">0123-45 67 89</a>' in html, path
        assert '<a href="mailto:dso@prov.example">dso@prov.example</a>' in html, path


def test_a_fictional_municipality_is_marked_on_every_page(client: Client) -> None:
    make_kommun(**PROV | {"exempel": True})
    for path in [*PAGES, "/finns-inte/"]:
        html = client.get(path).content.decode()
        # In words, not only by the border's colour.
        assert '<p class="notice notice-exempel"><strong>' in html, path
        assert "Exempelkommun:" in html or "Example municipality:" in html, path


def test_a_real_municipality_has_no_example_notice(client: Client, provkommun: Kommun) -> None:
    assert "notice-exempel" not in client.get("/").content.decode()


def test_the_header_shows_the_logo_beside_the_name(client: Client, provkommun: Kommun) -> None:
    assert "brand-logo" not in client.get("/").content.decode()
    record = Kommun.objects.get()
    record.set_logo(_png(), "image/png")
    record.save()
    html = client.get("/").content.decode()
    src = f"/kommun/logotyp-{record.logotyp_hash}.png"
    # Decorative: the name beside it is the link's text.
    assert f'<img class="brand-logo" src="{src}" alt="">' in html
    assert client.get(src).status_code == 200


def test_the_colour_stylesheet_comes_after_portal_css(client: Client) -> None:
    make_kommun(**PROV | {"accentfarg": "#6B2C91"})
    html = client.get("/").content.decode()
    colours = html.index('href="/kommun/farger-6b2c91.css"')
    assert html.index("css/portal") < colours < html.index("</head>")
    assert client.get("/kommun/farger-6b2c91.css").status_code == 200


def test_without_a_record_pages_use_a_neutral_name(client: Client) -> None:
    html = client.get("/om-personuppgifter/").content.decode()
    assert '<span class="brand-org">Kommunen</span>' in html
    assert not TYRESO.search(html)


def test_saving_the_record_renders_cached_pages_anew(client: Client, provkommun: Kommun) -> None:
    assert "Provkommun" in client.get("/ordlista/").content.decode()
    assert client.get("/ordlista/").headers.get("X-Public-Cache") == "hit"
    record = Kommun.objects.get()
    record.namn = "Nykommun"
    record.save()
    response = client.get("/ordlista/")
    assert response.headers.get("X-Public-Cache") != "hit"
    html = response.content.decode()
    assert '<span class="brand-org">Nykommun</span>' in html and "Provkommun" not in html


# E-mails: rendered without a request, the record comes from {% current_kommun %}.

EMAILS = [
    "prenumeration/email/bekrafta.txt",
    "prenumeration/email/finns.txt",
    "prenumeration/email/nisa.txt",
    "prenumeration/email/sammandrag.txt",
    "omraden/email/besked.txt",
    "uppfoljning/email/godkand.txt",
    "uppfoljning/email/klar.txt",
    "uppfoljning/email/tillbaka.txt",
]


@pytest.mark.parametrize("template", EMAILS)
def test_every_email_is_signed_with_the_records_name(provkommun: Kommun, template: str) -> None:
    body = render_to_string(template, {"inspel": make_inspel(epost="eva@example.se")})
    assert "Provkommun – " in body
    assert not TYRESO.search(body)


@pytest.mark.parametrize("template", ["omraden/email/besked.txt", "prenumeration/email/nisa.txt"])
def test_the_residents_emails_give_the_contacts_the_record_has(
    provkommun: Kommun, template: str
) -> None:
    inspel = make_inspel(epost="eva@example.se")
    body = render_to_string(template, {"inspel": inspel})
    assert "Provkommun" in body and "info@prov.example" in body and "0123-45 67 89" in body
    Kommun.objects.filter(pk=Kommun.PK).update(epost="")
    Kommun.objects.get().save()
    body = render_to_string(template, {"inspel": inspel})
    assert "info@prov.example" not in body and "0123-45 67 89" in body
    Kommun.objects.filter(pk=Kommun.PK).update(telefon="")
    Kommun.objects.get().save()
    body = render_to_string(template, {"inspel": inspel})
    assert "0123-45 67 89" not in body and "Provkommun" in body  # no question line, a name


def test_the_confirmation_email_names_the_record(
    client: Client, provkommun: Kommun, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/folj/", {"epost": "ny@example.net", "omfattning": "alla", "typer": ["svar"]})
    [message] = mail.outbox
    assert "Provkommun" in message.body and not TYRESO.search(message.body)


# Feeds and files


def test_feeds_and_the_catalogue_name_the_record(client: Client, provkommun: Kommun) -> None:
    make_kommun_publisher = Kommun.objects.get()
    make_kommun_publisher.utgivare = "Provkommuns kommunstyrelse"
    make_kommun_publisher.utgivare_url = "https://ks.prov.example/"
    make_kommun_publisher.save()
    omrade = make_omrade(slug="park")
    make_aktivitet(omraden=[omrade])
    ical = client.get("/oppna-data/aktiviteter.ics").content.decode()
    assert "PRODID:-//Provkommun//Kommungemensamt//SV" in ical
    assert "– Provkommun" in ical
    atom = client.get("/oppna-data/uppfoljningar.atom").content.decode()
    assert "Provkommun</title>" in atom
    dcat = client.get("/datasets/dcat").content.decode()
    assert '<foaf:name xml:lang="sv">Provkommuns kommunstyrelse</foaf:name>' in dcat
    assert '<foaf:homepage rdf:resource="https://ks.prov.example/"/>' in dcat
    for text in (ical, atom, dcat):
        assert not TYRESO.search(text)


def test_the_catalogue_leaves_out_a_homepage_it_does_not_have(client: Client) -> None:
    make_kommun(**PROV | {"webbplats": ""})
    dcat = client.get("/datasets/dcat").content.decode()
    assert '<foaf:name xml:lang="sv">Provkommun</foaf:name>' in dcat
    assert 'rdf:resource=""' not in dcat


def test_the_word_file_is_by_the_record(client: Client, provkommun: Kommun) -> None:
    period = make_period(ar=2024, tertial=1, tillstand="stangd", stangd_at=timezone.now())
    make_publicering(make_uppfoljning(period=period, status="gron"))
    response = client.get(f"/uppfoljning/{period.slug}/rapport.docx")
    assert response.status_code == 200, response
    document = docx.Document(io.BytesIO(response.content))
    assert document.core_properties.author == "Provkommun"


def test_a_hostile_record_stays_text_on_the_pages(client: Client) -> None:
    from tests.security.xss import PAYLOADS, Fingerprints, html_problems

    prints = Fingerprints.of(set(PAYLOADS))
    kommun = make_kommun(**PROV)
    for payload in PAYLOADS:
        # As an administrator could write them (the name fields hold 100 characters).
        kommun.namn = kommun.namn_en = kommun.kortnamn = payload[:60]
        kommun.postadress = kommun.telefon = payload[:40]
        kommun.save()
        for path in ("/", "/en/", "/om-personuppgifter/", "/tyck-till/", "/finns-inte/"):
            response = client.get(path)
            assert html_problems(path, response, {payload}, prints) == [], (path, payload)
