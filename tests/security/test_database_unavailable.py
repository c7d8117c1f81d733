"""A database that cannot be reached answers the 503 page; the 500 and 503 pages render with
the database and the cache both down."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core.cache import cache
from django.db import OperationalError, connection, connections
from django.test import Client

from kommun.models import Kommun
from portal.lib.env import cache_config
from tests.conftest import make_kommun

# The placeholder's name (kommun/models.py) in each language.
NEUTRAL = {"sv": "Kommunen", "en": "The municipality"}


def _lose_the_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every query fail the way a restarting PostgreSQL makes it fail."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(connection, "cursor", refuse)
    monkeypatch.setattr(connection, "is_usable", lambda: False)


@pytest.mark.django_db
def test_a_lost_database_gives_a_swedish_503_page(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lose_the_database(monkeypatch)
    r = client.get("/")
    assert r.status_code == 503
    html = r.content.decode()
    assert '<html lang="sv">' in html
    assert "Tjänsten är tillfälligt otillgänglig" in html
    assert "Traceback" not in html
    assert r["Retry-After"] == "5"
    assert r["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_the_503_page_names_the_municipality_from_the_cache(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_kommun(namn="Provkommun", epost="info@prov.example", telefon="0123-45 67 89")
    Kommun.objects.current()  # in the shared cache, as every page put it there
    _lose_the_database(monkeypatch)
    html = client.get("/").content.decode()
    assert "<title>Tjänsten är tillfälligt otillgänglig – Provkommun</title>" in html
    assert '<a href="mailto:info@prov.example">' in html and 'href="tel:+46123456789"' in html


@pytest.mark.django_db
def test_the_503_page_keeps_the_security_headers(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lose_the_database(monkeypatch)
    r = client.get("/")
    assert "frame-ancestors 'none'" in r["Content-Security-Policy"]
    assert r["X-Frame-Options"] == "DENY"
    assert r["Permissions-Policy"].startswith("accelerometer=()")


@pytest.mark.django_db
def test_a_lost_database_on_a_write_also_gives_503(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lose_the_database(monkeypatch)
    r = client.post("/admin/login/", {"username": "a", "password": "b"})
    assert r.status_code == 503


@pytest.mark.django_db
def test_a_database_error_with_a_working_connection_stays_a_server_error(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "no such table" is an OperationalError too, but a bug: it must not hide behind a 503.
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("no such table: omraden_omrade")

    monkeypatch.setattr(connection, "cursor", broken)
    client.raise_request_exception = False
    r = client.get("/")
    assert r.status_code == 500


@pytest.mark.django_db
def test_a_database_error_outside_the_view_also_becomes_503(
    rf: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Errors in middleware (loading or saving the session) never reach process_exception:
    # handler500 sees them, with the exception still being handled.
    from portal.middleware import server_error

    monkeypatch.setattr(connection, "is_usable", lambda: False)
    try:
        raise OperationalError("could not connect to server")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503
    assert "Tjänsten är tillfälligt otillgänglig" in response.content.decode()


@pytest.mark.django_db
def test_other_errors_keep_the_ordinary_500_page(rf: Any) -> None:
    from portal.middleware import server_error

    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500


# The database and the cache both down


def _closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def backends_down(
    django_db_blocker: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> Iterator[None]:
    """The database and the cache refuse connections, as when their servers are stopped.

    New database connections go to a port nothing listens on (PostgreSQL) or to a file that
    cannot be opened (SQLite); the cache is a Redis on such a port, configured as CACHE_URL
    configures it. The test database's own connection is kept aside and put back afterwards.
    """
    port = _closed_port()
    settings.CACHES = {"default": cache_config(f"redis://127.0.0.1:{port}/0")}
    default = connections["default"]
    connect = default.get_new_connection

    def refused(params: dict[str, Any]) -> Any:
        if default.vendor == "postgresql":
            return connect({**params, "host": "127.0.0.1", "port": port})
        return connect({**params, "database": "/nonexistent/kommungemensamt.sqlite3"})

    with django_db_blocker.unblock():
        kept = default.connection
        default.connection = None
        monkeypatch.setattr(default, "get_new_connection", refused)
        try:
            yield
        finally:
            default.connection = kept


def test_the_backends_are_really_down(backends_down: None) -> None:
    with pytest.raises(OperationalError):
        connection.ensure_connection()
    with pytest.raises(redis.ConnectionError):
        cache.get("anything")


@pytest.mark.parametrize(
    ("path", "language", "heading"),
    [
        ("/", "sv", "Tjänsten är tillfälligt otillgänglig"),
        ("/en/", "en", "The service is temporarily unavailable"),
    ],
)
def test_the_503_page_renders_with_the_database_and_the_cache_down(
    backends_down: None, settings: Any, path: str, language: str, heading: str
) -> None:
    # The page cache off: the request goes straight to the view, whose first query fails.
    settings.PUBLIC_CACHE = False
    r = Client(raise_request_exception=False).get(path)
    assert r.status_code == 503
    html = r.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html  # the portal's layout
    assert f"<h1>{heading}</h1>" in html
    # Neither backend can say which municipality this is: the neutral name, no contacts.
    assert f"<title>{heading} – {NEUTRAL[language]}</title>" in html
    assert "mailto:" not in html
    assert r["Retry-After"] == "5"


def test_a_logged_in_visitor_gets_the_503_page_too(backends_down: None, settings: Any) -> None:
    # The session lives in the database: the page must not need it.
    settings.PUBLIC_CACHE = False
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    r = client.get("/arbetsyta/")
    assert r.status_code == 503
    assert "Tjänsten är tillfälligt otillgänglig" in r.content.decode()


@pytest.mark.urls("tests.portal.error_urls")
@pytest.mark.parametrize(
    ("path", "language", "heading"),
    [
        ("/fel/", "sv", "Något gick fel"),
        ("/en/fel/", "en", "Something went wrong"),
    ],
)
def test_the_500_page_renders_with_the_database_and_the_cache_down(
    backends_down: None, path: str, language: str, heading: str
) -> None:
    # /fel/ raises a bug (tests/portal/error_urls.py); the page cache is on and finds no cache.
    r = Client(raise_request_exception=False).get(path)
    assert r.status_code == 500
    html = r.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html
    assert f"<h1>{heading}</h1>" in html
    assert f"<title>{heading} – {NEUTRAL[language]}</title>" in html
    assert "mailto:" not in html
