"""With DEBUG off, `manage.py check` refuses a missing or mismatched SITE_URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from portal.checks import site_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production(settings: Any) -> Any:
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["kommungemensamt.tyreso.se"]
    settings.SITE_URL = "https://kommungemensamt.tyreso.se"
    return settings


def messages() -> list[tuple[str, str]]:
    return [(e.id, e.msg) for e in site_url(None)]


def test_a_matching_https_site_url_passes(production: Any) -> None:
    assert messages() == []
    for url in ("https://kommungemensamt.tyreso.se/", "https://KOMMUNGEMENSAMT.tyreso.se:443"):
        production.SITE_URL = url
        assert messages() == [], url


def test_a_host_matched_by_a_wildcard_in_allowed_hosts_passes(
    production: Any,
) -> None:
    production.ALLOWED_HOSTS = [".tyreso.se"]
    assert messages() == []


def test_a_missing_site_url_is_an_error(production: Any) -> None:
    production.SITE_URL = ""
    assert messages() == [("portal.E001", "SITE_URL is not set.")]


@pytest.mark.parametrize(
    "url",
    [
        "http://kommungemensamt.tyreso.se",
        "kommungemensamt.tyreso.se",
        "/",
        "https://",
        "https://kommungemensamt.tyreso.se/portal/",
        "https://kommungemensamt.tyreso.se/?a=1",
        "https://kommungemensamt.tyreso.se/#topp",
        "https://user@kommungemensamt.tyreso.se",
    ],
)
def test_anything_but_an_https_root_is_an_error(production: Any, url: str) -> None:
    production.SITE_URL = url
    assert messages() == [
        ("portal.E002", f"SITE_URL {url!r} is not an https address of the site's root.")
    ]


def test_a_host_outside_allowed_hosts_is_an_error(production: Any) -> None:
    production.SITE_URL = "https://127.0.0.1:8000"
    assert messages() == [
        ("portal.E003", "The host of SITE_URL (127.0.0.1) is not in ALLOWED_HOSTS.")
    ]


def test_the_default_with_debug_off_is_missing() -> None:
    # The development default (http://127.0.0.1:8000) applies only with DEBUG on.
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org"}
    env.pop("SITE_URL", None)
    code = "from django.conf import settings; print(repr(settings.SITE_URL))"
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == "''\n"


def test_with_debug_on_nothing_is_checked(settings: Any) -> None:
    settings.DEBUG = True
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert messages() == []


@pytest.mark.django_db
def test_manage_py_check_fails_on_it(production: Any) -> None:
    production.SITE_URL = ""
    with pytest.raises(SystemCheckError, match=r"\(portal\.E001\) SITE_URL is not set\."):
        call_command("check")
    production.SITE_URL = "https://kommungemensamt.tyreso.se"
    call_command("check")


def test_connections_are_kept_with_health_checks_when_debug_is_off() -> None:
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 50, "SITE_URL": "https://example.org"}
    env.pop("DB_CONN_MAX_AGE", None)
    env.pop("DB_CONN_HEALTH_CHECKS", None)
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == "60 True\n"
