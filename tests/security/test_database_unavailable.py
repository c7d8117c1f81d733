from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client


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
