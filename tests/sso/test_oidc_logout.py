"""Logout here and at the provider; how long a session lasts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from django.conf import settings as django_settings
from django.test import Client

from granskning.models import Granskningslogg
from tests.conftest import make_user
from tests.sso.conftest import Idp, sign_in


def test_logout_ends_the_session_here_and_sends_the_browser_to_the_provider(
    client: Client, oidc: Idp
) -> None:
    sign_in(client, "anna")
    id_token = client.session["oidc_id_token"]
    r = client.post("/konto/logga-ut/")
    assert r.status_code == 302
    url = urlsplit(r["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == oidc.discovery["end_session_endpoint"]
    query = parse_qs(url.query)
    assert query["id_token_hint"] == [id_token]
    assert query["client_id"] == ["portal"]
    assert query["post_logout_redirect_uri"] == ["http://testserver/"]
    assert client.get("/arbetsyta/").status_code == 302
    assert Granskningslogg.objects.filter(handling=Granskningslogg.Handling.UTLOGGNING).exists()


def test_the_provider_accepts_the_logout_and_sends_the_browser_back(
    client: Client, oidc: Idp
) -> None:
    sign_in(client, "anna")
    logout_url = client.post("/konto/logga-ut/")["Location"]
    browser = requests.Session()
    page = browser.get(logout_url, timeout=10)
    assert page.status_code == 200  # the provider asks "sign out?"
    form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', page.text, re.S)
    assert form is not None
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(2)))
    fields["logout"] = "yes"
    done = browser.post(
        urljoin(logout_url, form.group(1)), data=fields, allow_redirects=False, timeout=10
    )
    assert done.status_code in (302, 303)
    assert done.headers["Location"] == "http://testserver/"


def test_without_an_end_session_endpoint_logout_is_local(
    client: Client, oidc: Idp, settings: Any
) -> None:
    settings.OIDC_OP_END_SESSION_ENDPOINT = ""
    sign_in(client, "anna")
    r = client.post("/konto/logga-ut/")
    assert r["Location"] == "/"
    assert client.get("/arbetsyta/").status_code == 302


def test_a_password_session_logs_out_locally(client: Client, oidc: Idp) -> None:
    client.force_login(make_user("eva"), backend="konto.backends.LocalPasswordBackend")
    assert client.post("/konto/logga-ut/")["Location"] == "/"
    assert client.get("/arbetsyta/").status_code == 302


def test_logout_is_post_only(client: Client, oidc: Idp) -> None:
    sign_in(client, "anna")
    assert client.get("/konto/logga-ut/").status_code == 405
    assert client.get("/arbetsyta/").status_code == 200


def test_a_sign_in_lasts_session_cookie_age(client: Client, oidc: Idp, settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = 8 * 3600
    sign_in(client, "anna")
    assert client.session.get_expiry_age() == 8 * 3600


def _settings_with(env: dict[str, str], expression: str) -> str:
    """A settings value as production computes it from these environment variables."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; "
        f"django.setup(); from django.conf import settings; print({expression})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_session_cookie_age_comes_from_the_environment() -> None:
    assert _settings_with({"SESSION_COOKIE_AGE": "28800"}, "settings.SESSION_COOKIE_AGE") == (
        "28800"
    )


def test_the_logout_form_may_end_at_the_providers_logout() -> None:
    # The logout POST is redirected to the provider: CSP's form-action must allow its origin.
    value = _settings_with(
        {
            "OIDC_CLIENT_ID": "portal",
            "OIDC_JWKS_URI": "https://login.example.org/keys",
            "OIDC_END_SESSION_ENDPOINT": "https://login.example.org/tenant/logout",
        },
        "settings.SECURE_CSP['form-action'], settings.AUTHENTICATION_BACKENDS",
    )
    assert "'https://login.example.org'" in value
    assert "konto.oidc.DirectoryOIDCBackend" in value


def test_an_incomplete_configuration_fails_the_check() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env={**os.environ, "DEBUG": "1", "OIDC_CLIENT_ID": "portal"},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "konto.E001" in result.stderr and "OIDC_CLIENT_SECRET" in result.stderr


def test_break_glass_without_a_named_account_is_warned_about(settings: Any) -> None:
    from konto.checks import check_single_sign_on

    settings.LOCAL_LOGIN = "nodkonto"
    settings.LOCAL_LOGIN_USERS = []
    assert [p.id for p in check_single_sign_on(None)] == ["konto.W001"]


def test_discovery_prints_the_environment_for_a_provider(oidc_idp: Idp) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("oidc_discovery", oidc_idp.issuer, stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    assert lines["OIDC_ISSUER"] == oidc_idp.issuer
    assert lines["OIDC_JWKS_URI"] == oidc_idp.discovery["jwks_uri"]
    assert lines["OIDC_END_SESSION_ENDPOINT"] == oidc_idp.discovery["end_session_endpoint"]
