"""Signing in through a real OpenID Connect provider: roles from the directory's groups."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from tests.sso.conftest import Idp, sign_in

User = get_user_model()


def test_it_signs_in_with_the_mapped_roles(client: Any, oidc: Idp) -> None:
    r = sign_in(client, "anna")
    assert r.status_code == 302 and r["Location"] == "/arbetsyta/"
    user = User.objects.get(email="anna.andersson@tyreso.test")
    assert set(user.groups.values_list("name", flat=True)) == {
        "kommunledningsgruppen",
        "medarbetare",
    }
    assert client.get("/arbetsyta/").status_code == 200


def test_the_sign_in_uses_pkce_state_and_nonce(client: Any, oidc: Idp) -> None:
    from urllib.parse import parse_qs, urlsplit

    from tests.sso.conftest import start

    query = parse_qs(urlsplit(start(client)).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["scope"] == ["openid email profile"]
    stored = client.session["oidc_states"][query["state"][0]]
    assert stored["nonce"] == query["nonce"][0] and len(stored["code_verifier"]) == 64


def test_the_test_provider_requires_pkce(oidc: Idp) -> None:
    from urllib.parse import parse_qs, urlencode, urlsplit

    import requests

    r = requests.get(
        oidc.discovery["authorization_endpoint"]
        + "?"
        + urlencode(
            {
                "client_id": "portal",
                "response_type": "code",
                "scope": "openid",
                "redirect_uri": "http://testserver/konto/oidc/callback/",
                "state": "s",
                "nonce": "n",
            }
        ),
        allow_redirects=False,
        timeout=10,
    )
    assert parse_qs(urlsplit(r.headers["Location"]).query)["error"] == ["invalid_request"]


def test_a_role_the_directory_gives_opens_its_pages(client: Any, oidc: Idp) -> None:
    # Bertil is a moderator through his directory group: the moderation list opens for him.
    sign_in(client, "bertil")
    assert client.get("/arbetsyta/inspel/").status_code == 200
    # Out of the group in the directory: at his next sign-in the page is closed to him.
    from tests.sso.conftest import GRP_ALLA

    oidc.set_groups("bertil", [GRP_ALLA])
    client.post("/konto/logga-ut/")
    sign_in(client, "bertil")
    assert client.get("/arbetsyta/inspel/").status_code == 403


def test_claims_may_also_come_from_the_userinfo_endpoint(
    client: Any, oidc: Idp, settings: Any
) -> None:
    settings.OIDC_OP_USER_ENDPOINT = oidc.discovery["userinfo_endpoint"]
    assert sign_in(client, "anna")["Location"] == "/arbetsyta/"
    user = User.objects.get(katalogkonto__subjekt=oidc.users["anna"]["sub"])
    assert user.email == "anna.andersson@tyreso.test"
    assert "kommunledningsgruppen" in set(user.groups.values_list("name", flat=True))
