"""What the portal refuses from (or between it and) a real OpenID Connect provider.

Each refusal ends on the login page with a Swedish message and an audit entry: never a
traceback, a 400 or a 500, and nobody logged in.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client

from granskning.models import Granskningslogg
from konto.oidc import REFUSALS
from tests.sso.conftest import (
    USERS,
    Idp,
    TokenProxy,
    callback_path,
    portal_settings,
    real_id_token,
    sign_in,
    sign_in_at_idp,
    start,
)

LOGIN = "/konto/logga-in/"


def assert_refused(client: Client, r: Any, reason: str) -> None:
    """Back on the login page, told why in the portal's language, logged out, audited."""
    assert r.status_code == 302 and r["Location"] == LOGIN
    page = client.get(LOGIN)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'role="alert"' in html
    assert str(REFUSALS[reason]).replace("'", "&#x27;") in html
    assert client.get("/arbetsyta/").status_code == 302  # not logged in
    entry = Granskningslogg.objects.filter(
        handling=Granskningslogg.Handling.INLOGGNING_MISSLYCKAD
    ).first()
    assert entry is not None and entry.detalj == {"kalla": "oidc", "skal": reason}


def _flip_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    # Change one character in the middle of the signature (not the last, whose low bits
    # base64url may ignore).
    i = len(signature) // 2
    flipped = "A" if signature[i] != "A" else "B"
    return f"{header}.{payload}.{signature[:i]}{flipped}{signature[i + 1 :]}"


def test_a_tampered_id_token_signature_is_refused(
    client: Client, oidc: Idp, token_proxy: TokenProxy
) -> None:
    token_proxy.tamper = lambda answer: {**answer, "id_token": _flip_signature(answer["id_token"])}
    assert_refused(client, sign_in(client, "anna"), "signatur")


def test_a_tampered_id_token_claim_is_refused(
    client: Client, oidc: Idp, token_proxy: TokenProxy
) -> None:
    import base64
    import json

    def make_admin(answer: dict[str, Any]) -> dict[str, Any]:
        header, payload, signature = answer["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["groups"] = ["alla-grupper-som-finns"]
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return {**answer, "id_token": f"{header}.{forged}.{signature}"}

    token_proxy.tamper = make_admin
    assert_refused(client, sign_in(client, "anna"), "signatur")


def test_an_unsigned_id_token_is_refused(
    client: Client, oidc: Idp, token_proxy: TokenProxy
) -> None:
    import base64
    import json

    def strip_signature(answer: dict[str, Any]) -> dict[str, Any]:
        _header, payload, _signature = answer["id_token"].split(".")
        none = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=")
        return {**answer, "id_token": f"{none.decode()}.{payload}."}

    token_proxy.tamper = strip_signature
    assert_refused(client, sign_in(client, "anna"), "signatur")


def test_a_token_for_another_service_is_refused(
    client: Client, oidc: Idp, token_proxy: TokenProxy
) -> None:
    # Validly signed by the same provider, for the same person, but issued to another client.
    other = real_id_token(oidc, client_id="annan-tjanst", username="anna")
    token_proxy.tamper = lambda answer: {**answer, "id_token": other}
    assert_refused(client, sign_in(client, "anna"), "mottagare")


def test_an_expired_id_token_is_refused(
    client: Client, oidc: Idp, token_proxy: TokenProxy, settings: Any
) -> None:
    # The "kortlivad" client's ID tokens expire one second after issue; the answer is held
    # two seconds on its way to the portal, and no clock difference is allowed.
    settings.OIDC_RP_CLIENT_ID = "kortlivad"
    settings.OIDC_RP_CLIENT_SECRET = portal_settings(oidc, client_id="kortlivad")[
        "OIDC_RP_CLIENT_SECRET"
    ]
    settings.OIDC_CLOCK_SKEW = 0

    def hold(answer: dict[str, Any]) -> dict[str, Any]:
        time.sleep(2.1)
        return answer

    token_proxy.tamper = hold
    assert_refused(client, sign_in(client, "anna"), "utgangen")


def test_a_token_from_another_sign_in_is_refused_by_its_nonce(
    client: Client, oidc: Idp, token_proxy: TokenProxy
) -> None:
    # A real token for this very client and person, from a sign-in this browser did not start.
    stolen = real_id_token(oidc, client_id="portal", username="anna")
    token_proxy.tamper = lambda answer: {**answer, "id_token": stolen}
    assert_refused(client, sign_in(client, "anna"), "nonce")


def test_a_token_from_an_untrusted_issuer_is_refused(
    client: Client, oidc: Idp, settings: Any
) -> None:
    settings.OIDC_ISSUER = "https://login.microsoftonline.com/annan-tenant/v2.0"
    assert_refused(client, sign_in(client, "anna"), "utfardare")


def test_a_callback_with_a_state_this_browser_never_sent_is_refused(
    client: Client, oidc: Idp
) -> None:
    back = sign_in_at_idp(start(client), "anna", USERS["anna"]["password"])
    query = parse_qs(urlsplit(back).query)
    forged = "/konto/oidc/callback/?" + urlencode({"code": query["code"][0], "state": "x" * 32})
    assert_refused(client, client.get(forged), "tillstand")


def test_a_replayed_callback_is_refused(client: Client, oidc: Idp) -> None:
    back = callback_path(sign_in_at_idp(start(client), "anna", USERS["anna"]["password"]))
    assert client.get(back)["Location"] == "/arbetsyta/"
    client.post("/konto/logga-ut/")
    assert_refused(client, client.get(back), "tillstand")


def test_a_replayed_code_is_refused_by_the_provider(client: Client, oidc: Idp) -> None:
    back = sign_in_at_idp(start(client), "anna", USERS["anna"]["password"])
    used_code = parse_qs(urlsplit(back).query)["code"][0]
    assert client.get(callback_path(back))["Location"] == "/arbetsyta/"
    client.post("/konto/logga-ut/")
    # A new sign-in, so that the state is this browser's own, but the old code: the
    # provider refuses to exchange a code twice (invalid_grant).
    fresh_state = parse_qs(urlsplit(start(client)).query)["state"][0]
    replay = "/konto/oidc/callback/?" + urlencode({"code": used_code, "state": fresh_state})
    assert_refused(client, client.get(replay), "leverantor")


def test_a_sign_in_cancelled_at_the_provider_is_refused(client: Client, oidc: Idp) -> None:
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    r = client.get("/konto/oidc/callback/?" + urlencode({"error": "access_denied", "state": state}))
    assert_refused(client, r, "avbruten")


def test_an_unreachable_provider_is_a_message_not_an_error_page(
    client: Client, oidc: Idp, settings: Any
) -> None:
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"  # nothing listens there
    assert_refused(client, sign_in(client, "anna"), "nere")


@pytest.mark.parametrize("path", ["/konto/oidc/logga-in/", "/konto/oidc/callback/"])
def test_the_addresses_do_not_exist_without_configuration(
    client: Client, db: None, path: str
) -> None:
    assert client.get(path).status_code == 404
