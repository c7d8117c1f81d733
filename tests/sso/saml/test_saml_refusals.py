"""SAML answers the portal must refuse, each made by the real test IdP (or replayed): refused
with a clear message on the login page, never a traceback or a 500, and nobody logged in."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from granskning.models import Granskningslogg
from konto import saml_views
from tests.sso.saml.conftest import Answer, login_page_message, sign_in_at_idp

User = get_user_model()


def refused(client: Client, answer: Answer) -> str:
    """Deliver `answer`; the message the login page shows. Nobody may be logged in."""
    first = answer.post(client)
    assert first.status_code == 302 and first["Location"] == "/konto/logga-in/"
    message = login_page_message(client.get("/konto/logga-in/", follow=True))
    assert "_auth_user_id" not in client.session
    return message


@pytest.mark.parametrize(
    ("fault", "expected", "reason"),
    [
        # A value changed after signing: the administrators' group instead of the staff's.
        ("tampered", saml_views.NOT_SIGNED, "signatur"),
        ("unsigned", saml_views.NOT_SIGNED, "signatur"),
        ("wrong-audience", saml_views.NOT_FOR_US, "mottagare"),
        ("wrong-recipient", saml_views.NOT_FOR_US, "mottagare"),
        ("wrong-destination", saml_views.NOT_FOR_US, "mottagare"),
        # NotOnOrAfter ten minutes ago: far past the minute of clock skew allowed.
        ("expired", saml_views.EXPIRED, "utgangen"),
    ],
)
def test_it_refuses_a_faulty_answer(
    client: Client, saml_sp: Any, fault: str, expected: Any, reason: str
) -> None:
    message = refused(client, sign_in_at_idp(client, fault=fault))
    assert message == str(expected)
    # Not even an account came of it; the audit log says why.
    assert not User.objects.exists()
    entry = Granskningslogg.objects.get()
    assert entry.handling == Granskningslogg.Handling.INLOGGNING_MISSLYCKAD
    assert entry.detalj == {"kalla": "saml", "skal": reason}


def test_the_tampered_answer_differs_from_the_signed_one_only_in_the_group(
    client: Client, saml_sp: Any
) -> None:
    # The fault is what the test says it is: one attribute value, after the signature was made.
    xml = base64.b64decode(sign_in_at_idp(client, fault="tampered").saml_response).decode()
    assert ">kg-administratorer<" in xml and ">kg-medarbetare<" not in xml
    assert "SignatureValue>" in xml


def test_it_refuses_a_replayed_answer(client: Client, saml_sp: Any) -> None:
    answer = sign_in_at_idp(client)
    saml_session = SessionStore(client.cookies["saml_session"].value)
    assert len(saml_session["_saml2_outstanding_queries"]) == 1
    assert answer.post(client)["Location"] == "/arbetsyta/"
    # djangosaml2 forgot the request once it was answered (the SAML session is in the
    # database, so the browser cannot bring it back).
    saml_session = SessionStore(client.cookies["saml_session"].value)
    assert saml_session["_saml2_outstanding_queries"] == {}
    client.post("/konto/logga-ut/")
    # The same answer again, in the same browser: its request was answered already.
    assert refused(client, answer) == str(saml_views.USED_OR_UNSOLICITED)


def test_it_refuses_an_answer_replayed_in_another_browser(client: Client, saml_sp: Any) -> None:
    answer = sign_in_at_idp(client)
    assert answer.post(client)["Location"] == "/arbetsyta/"
    thief = Client()
    assert refused(thief, answer) == str(saml_views.USED_OR_UNSOLICITED)
    assert Granskningslogg.objects.filter(detalj={"kalla": "saml", "skal": "tillstand"}).exists()
    # Even while the thief's own sign-in waits for an answer: it answers another request.
    sign_in_at_idp(thief)
    assert refused(thief, answer) == str(saml_views.USED_OR_UNSOLICITED)


def test_it_refuses_an_answer_to_no_request(client: Client, saml_sp: Any) -> None:
    answer = sign_in_at_idp(Client())
    assert refused(client, answer) == str(saml_views.USED_OR_UNSOLICITED)


@pytest.mark.parametrize(
    "saml_response",
    ["", "bm90IHhtbA==", "<samlp:Response>", base64.b64encode(b"<a/>").decode()],
)
def test_it_refuses_garbage(client: Client, saml_sp: Any, saml_response: str) -> None:
    client.get("/konto/saml/logga-in/")
    response = client.post("/konto/saml/acs/", {"SAMLResponse": saml_response})
    assert response.status_code == 302 and response["Location"] == "/konto/logga-in/"
    assert login_page_message(client.get("/konto/logga-in/", follow=True))


def test_it_refuses_a_post_without_an_answer(client: Client, saml_sp: Any) -> None:
    response = client.post("/konto/saml/acs/", {})
    assert response.status_code == 302 and response["Location"] == "/konto/logga-in/"
