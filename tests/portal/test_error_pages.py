"""The error pages: 400, 403 (and a failed CSRF check), 404, 429, 500 and 503 in the portal's
layout, in Swedish at the plain address and in English under /en/, each saying what happened
and where to go: the start page, search, and how to contact the municipality.

The 429s of the input form and the sign-up form keep the resident's text on the form's own page
(tests/omraden/test_tyck_till.py, test_anmalan.py); a locked-out login is the lockout page
(tests/konto/test_login.py). The 500 and 503 pages with the database and the cache both down
are in tests/security/test_database_unavailable.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kommun.models import Kommun
from tests.cast import make_cast

# Tyresö's record (tests/conftest.py): the pages name it and give its contacts.
pytestmark = pytest.mark.usefixtures("kommun")
# (status, what a request for it looks like, the page's heading in Swedish and in English)
SV, EN = "sv", "en"
HEADINGS = {
    400: ("Begäran kunde inte läsas", "The request could not be read"),
    403: ("Du har inte behörighet till det här", "You do not have access to this"),
    404: ("Sidan finns inte", "Page not found"),
    429: ("För många förfrågningar", "Too many requests"),
    500: ("Något gick fel", "Something went wrong"),
}
CSRF_HEADINGS = ("Formuläret kunde inte skickas", "The form could not be sent")


def assert_error_page(r: Any, status: int, heading: str, language: str) -> str:
    """The page is the error page in the layout, in the language, with where to go."""
    assert r.status_code == status
    html = r.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert f"<h1>{heading}</h1>" in html
    assert f"<title>{heading} – " in html
    # Where to go: the start page in the page's language, search, and the municipality.
    start = "/en/" if language == EN else "/"
    assert f'<a href="{start}">' in html
    assert 'href="mailto:tyreso.kommun@tyreso.se"' in html
    assert 'href="tel:+46857829100"' in html
    name = "Tyresö municipality" if language == EN else "Tyresö kommun"
    assert f"{heading} – {name}</title>" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "Traceback" not in html
    return html


def _get(path: str, language: str, client: Client | None = None) -> Any:
    client = client or Client(raise_request_exception=False)
    return client.get(("/en" if language == EN else "") + path)


@pytest.mark.django_db
@pytest.mark.parametrize("language", [SV, EN])
def test_an_unknown_address_gets_the_404_page(language: str) -> None:
    r = _get("/finns-inte/", language)
    assert_error_page(r, 404, HEADINGS[404][language == EN], language)


@pytest.mark.django_db
@pytest.mark.parametrize("language", [SV, EN])
def test_a_role_without_the_right_gets_the_403_page_with_its_own_header(language: str) -> None:
    client = Client()
    client.force_login(make_cast().users["medarbetare"])
    # Moderation is for moderators and the areas' own staff (the permission matrix).
    r = _get(reverse("omraden:moderering"), language, client)
    html = assert_error_page(r, 403, HEADINGS[403][language == EN], language)
    # Still logged in on the error page: the workspace link and the logout form.
    assert 'class="logout-form"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", [SV, EN])
def test_a_failed_csrf_check_gets_the_403_page_of_forms(language: str) -> None:
    client = Client(enforce_csrf_checks=True)
    path = ("/en" if language == EN else "") + "/tyck-till/"
    r = client.post(path, {"typ": "ide", "text": "Hej"})
    html = assert_error_page(r, 403, CSRF_HEADINGS[language == EN], language)
    assert "CSRF" not in html  # the visitor is told what to do, not Django's reason


@pytest.mark.django_db
@pytest.mark.urls("tests.portal.error_urls")
@pytest.mark.parametrize("language", [SV, EN])
def test_a_rate_limit_raised_anywhere_gets_the_429_page(language: str) -> None:
    r = _get("/for-manga/", language)
    assert_error_page(r, 429, HEADINGS[429][language == EN], language)


@pytest.mark.django_db
@pytest.mark.urls("tests.portal.error_urls")
@pytest.mark.parametrize("language", [SV, EN])
def test_a_bug_gets_the_500_page(language: str) -> None:
    r = _get("/fel/", language)
    assert_error_page(r, 500, HEADINGS[500][language == EN], language)


@pytest.mark.django_db
@pytest.mark.parametrize("language", [SV, EN])
def test_a_bad_host_gets_the_400_page(language: str) -> None:
    # DisallowedHost comes from the page cache's middleware, before LocaleMiddleware: the
    # page's language is still the one of its address. (NUL in an address: test_bad_input.py.)
    r = _get("/", language, Client(HTTP_HOST="evil.example"))
    assert_error_page(r, 400, HEADINGS[400][language == EN], language)


@pytest.mark.django_db
def test_the_error_pages_keep_the_security_headers() -> None:
    r = _get("/finns-inte/", SV)
    assert "frame-ancestors 'none'" in r["Content-Security-Policy"]
    assert r["X-Frame-Options"] == "DENY"
    assert r["Permissions-Policy"].startswith("accelerometer=()")


@pytest.mark.django_db
def test_the_error_page_gives_only_the_contacts_the_record_has() -> None:
    Kommun.objects.filter(pk=Kommun.PK).update(epost="", telefon="08-123 45")
    Kommun.objects.get().save()  # the cached copy goes with the write
    html = _get("/finns-inte/", SV).content.decode()
    assert "Frågor? Kontakta Tyresö kommun:" in html
    assert '<a href="tel:+46812345">08-123 45</a>' in html and "mailto:" not in html


@pytest.mark.django_db
def test_without_a_record_the_error_page_has_a_neutral_name_and_no_contacts() -> None:
    Kommun.objects.all().delete()
    html = _get("/finns-inte/", SV).content.decode()
    assert "<title>Sidan finns inte – Kommunen</title>" in html
    assert "Frågor?" not in html and "mailto:" not in html
