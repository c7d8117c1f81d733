"""Every page of the portal, anonymous and logged in, carries the production security headers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings

from tests.security.urlmap import admin_urls, build_world, concrete_urls, unsampled_routes

ROOT = Path(__file__).resolve().parents[2]

# What DEBUG=0 turns on (portal/settings.py); the test client can send "HTTPS" requests, so
# HSTS and secure cookies are exercised as in production.
PRODUCTION = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


def _clean_environ() -> dict[str, str]:
    # The browser tests allow sync ORM calls beside Playwright's event loop through this
    # variable; a production check must not inherit it (check --deploy warns about it).
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def header_problems(url: str, r: HttpResponse) -> list[str]:
    problems = []
    expected = {
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    for name, value in expected.items():
        if r.headers.get(name) != value:
            problems.append(f"{url}: {name} is {r.headers.get(name)!r}")
    csp = r.headers.get("Content-Security-Policy", "")
    for needed in ["default-src 'self'", "script-src 'self'", "style-src 'self'"]:
        if needed not in csp:
            problems.append(f"{url}: CSP lacks {needed!r}: {csp!r}")
    for needed in ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'"]:
        if needed not in csp:
            problems.append(f"{url}: CSP lacks {needed!r}")
    for forbidden in ["unsafe-inline", "unsafe-eval", "*"]:
        if forbidden in csp:
            problems.append(f"{url}: CSP allows {forbidden!r}")
    if "camera=()" not in r.headers.get("Permissions-Policy", ""):
        problems.append(f"{url}: Permissions-Policy is {r.headers.get('Permissions-Policy')!r}")
    for cookie in r.cookies.values():
        if not cookie["secure"]:
            problems.append(f"{url}: cookie {cookie.key} is not Secure")
        if cookie.key == "sessionid" and not cookie["httponly"]:
            problems.append(f"{url}: the session cookie is not HttpOnly")
    if r.status_code >= 500:
        problems.append(f"{url}: status {r.status_code}")
    return problems


@pytest.fixture
def world(tyreso: None) -> dict[str, Any]:
    return build_world()


def test_every_route_with_arguments_has_a_sample() -> None:
    # A new page with arguments must say in tests/security/urlmap.py SAMPLES how to fill them.
    assert unsampled_routes() == []


@pytest.mark.django_db
@override_settings(**PRODUCTION)
def test_every_page_has_the_security_headers_anonymously(world: dict[str, Any]) -> None:
    client = Client()
    urls = list(concrete_urls(world))
    problems = [p for url in urls for p in header_problems(url, client.get(url, secure=True))]
    assert len(urls) > 40
    assert problems == []


@pytest.mark.django_db
@override_settings(**PRODUCTION)
def test_every_page_has_the_security_headers_for_staff(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["staff"])
    urls = [*concrete_urls(world), *admin_urls()]
    problems = [p for url in urls for p in header_problems(url, client.get(url, secure=True))]
    assert len(urls) > 60
    assert problems == []


@pytest.mark.django_db
@override_settings(**PRODUCTION)
def test_plain_http_is_redirected_to_https(world: dict[str, Any]) -> None:
    r = Client().get("/")
    assert r.status_code == 301
    assert r["Location"] == "https://testserver/"


@pytest.mark.django_db
@override_settings(**PRODUCTION)
def test_a_login_sets_a_secure_httponly_session_cookie(client: Client) -> None:
    from tests.conftest import make_user

    make_user("kim", password="ett-langt-losenord-42")
    r = client.post(
        "/konto/logga-in/",
        {"username": "kim", "password": "ett-langt-losenord-42"},
        secure=True,
    )
    assert r.status_code == 302
    cookie = r.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert header_problems("/konto/logga-in/", r) == []


def _production_settings(**env: str) -> str:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, "
        "getattr(s, 'SECURE_PROXY_SSL_HEADER', None), s.SECURE_CSP['script-src']]))"
    )
    environment = {
        **_clean_environ(),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "example.org",
        **env,
    }
    if "SECURE_PROXY_SSL_HEADER" not in env:
        environment.pop("SECURE_PROXY_SSL_HEADER", None)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_debug_off_turns_on_every_https_setting() -> None:
    assert _production_settings() == (
        "[false, true, true, true, 31536000, true, null, [\"'self'\"]]"
    )


def test_the_proxy_ssl_header_is_switched_on_by_the_environment() -> None:
    assert '["HTTP_X_FORWARDED_PROTO", "https"]' in _production_settings(
        SECURE_PROXY_SSL_HEADER="1"
    )


def test_check_deploy_reports_nothing_with_production_settings() -> None:
    env = {
        **_clean_environ(),
        "DEBUG": "0",
        "SECRET_KEY": "check-deploy-" + "k" * 60,
        "ALLOWED_HOSTS": "example.org",
        "SITE_URL": "https://example.org",
    }
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout
