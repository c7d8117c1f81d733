"""End to end in Chromium: the login page's SAML button, the real test IdP's login form, the
IdP's auto-posted answer, the workspace with the directory's role, and logout at both ends."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

# The test IdP (its session fixture) and helpers of the SAML tests; the browser is this
# folder's, one Playwright per session.
from tests.sso.saml.conftest import PASSWORD, map_groups, saml_idp, use_idp  # noqa: F401

pytestmark = pytest.mark.browser


def test_staff_sign_in_through_the_idp_and_out_again(
    browser: Any,
    live_server: Any,
    transactional_db: None,
    settings: Any,
    saml_idp: Any,  # noqa: F811 - the fixture imported above
) -> None:
    use_idp(settings, saml_idp, live_server.url)
    saml_idp.reset_users()
    saml_idp.set_user("eva", groups=["kg-medarbetare", "kg-administratorer"])
    map_groups()
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    page = context.new_page()
    try:
        page.goto("/konto/logga-in/?next=/arbetsyta/")
        page.click("#logga-in-saml")
        # The IdP's own page, on its own origin.
        assert page.url.startswith(saml_idp.base_url + "/sso/redirect?SAMLRequest=")
        page.fill("#username", "eva")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/arbetsyta/")
        assert page.locator("h1").count() == 1

        eva = get_user_model().objects.get(katalogkonto__subjekt="pid-eva")
        assert set(eva.groups.values_list("name", flat=True)) == {"medarbetare", "administratör"}
        # The administrator's role at work: the admin opens for her.
        page.goto("/admin/")
        assert page.url == f"{live_server.url}/admin/"
        assert page.locator("#site-name").count() == 1

        # Logout: here at once, then at the IdP, and back to the start page.
        page.goto("/")
        page.click(".logout-form button")
        page.wait_for_url(f"{live_server.url}/")
        assert page.locator(".logout-form").count() == 0
        # The IdP ended its session too: signing in again asks for the password.
        page.goto("/konto/logga-in/")
        page.click("#logga-in-saml")
        assert page.locator("#password").count() == 1
    finally:
        context.close()
