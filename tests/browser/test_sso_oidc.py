"""Single sign-on end to end in Chromium: the login page's button, the real OpenID Connect
provider's login page (tests/sso/oidc_idp), the workspace with the directory's role, and
logout at both ends.

Here rather than in tests/sso/: the session's one Chromium is this folder's `browser`
fixture, and a second Playwright in the same session fails ("Sync API inside the asyncio
loop")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.csp import CSP

from konto.models import Gruppmappning
from portal.roles import GROUPS
from tests.browser.conftest import WCAG_AA
from tests.sso.conftest import GRP_ALLA, GRP_KLG, USERS, Idp, portal_settings, running_idp


@pytest.fixture
def live_idp(live_server: Any, tmp_path: Path) -> Iterator[Idp]:
    """A provider whose client sends the browser back to the live server."""
    with running_idp(tmp_path, [live_server.url]) as idp:
        yield idp


@pytest.fixture
def portal(live_idp: Idp, settings: Any, transactional_db: None) -> Idp:
    for name, value in portal_settings(live_idp).items():
        setattr(settings, name, value)
    # As portal/settings.py does for OIDC_END_SESSION_ENDPOINT: logout's POST ends there.
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": [CSP.SELF, live_idp.issuer]}
    # The roles' groups come from a migration; a transactional test before this one flushed them.
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
    Gruppmappning.objects.create(kalla="oidc", idp_grupp=GRP_KLG, roll="kommunledningsgruppen")
    Gruppmappning.objects.create(kalla="oidc", idp_grupp=GRP_ALLA, roll="medarbetare")
    return live_idp


def test_staff_sign_in_through_the_provider_and_out_again(
    browser: Any,
    live_server: Any,
    portal: Idp,
) -> None:
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    page = context.new_page()
    try:
        page.goto("/konto/logga-in/?next=/arbetsyta/")
        page.click("#logga-in-oidc")
        # The provider's own login page, on its own origin.
        assert page.url.startswith(portal.issuer + "/interaction/")
        page.fill("#login", "anna")
        page.fill("#password", USERS["anna"]["password"])
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/arbetsyta/")
        assert page.locator(".logout-form").count() == 1

        anna = get_user_model().objects.get(katalogkonto__subjekt=USERS["anna"]["sub"])
        assert set(anna.groups.values_list("name", flat=True)) == {
            "kommunledningsgruppen",
            "medarbetare",
        }

        # Logout: here at once, then the provider asks, then back to the start page.
        page.click(".logout-form button")
        page.wait_for_url(f"{portal.issuer}/**")
        page.click("button[value=yes]")
        page.wait_for_url(f"{live_server.url}/")
        assert page.locator(".logout-form").count() == 0
        # The provider ended its session too: signing in again asks for the password.
        page.goto("/konto/logga-in/")
        page.click("#logga-in-oidc")
        assert page.locator("#password").count() == 1
    finally:
        context.close()


def test_the_login_page_with_a_provider_is_accessible_on_a_phone(
    browser: Any,
    live_server: Any,
    portal: Idp,
) -> None:
    context = browser.new_context(
        base_url=live_server.url, locale="sv-SE", viewport={"width": 320, "height": 640}
    )
    page = context.new_page()
    try:
        page.goto("/konto/logga-in/")
        button = page.locator("#logga-in-oidc")
        assert button.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        # The button is reached with the keyboard before the password form.
        order = page.evaluate(
            """() => [...document.querySelectorAll('a[href], input:not([type=hidden]), button')]
                .filter(e => e.closest('main')).map(e => e.id || e.name)"""
        )
        assert order.index("logga-in-oidc") < order.index("id_username")
        results = Axe().run(
            page,
            options={"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]},
        )
        assert results.response["violations"] == []
    finally:
        context.close()
