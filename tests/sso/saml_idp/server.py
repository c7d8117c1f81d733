"""A small SAML 2.0 identity provider for the tests, built on pysaml2's own IdP (saml2.server).

It runs as a separate process (`python -m tests.sso.saml_idp --dir DIR --port PORT`), the way
pysaml2's example IdP does, and is configured entirely by the files in DIR, which the test
fixture writes:

- ``idp.key``, ``idp.crt``: its signing key and certificate (generated with openssl per run);
- ``sp/*.xml``: the metadata of the service providers it answers (read again on every request,
  so that a test may add the live server's SP after the IdP has started);
- ``users.json``: ``{"eva": {"password": ..., "attributes": {"mail": [...], ...}}}`` (read on
  every request, so that a test can take someone out of a group between two sign-ins).

At start it writes its own metadata to ``DIR/idp.xml`` (served at /idp/metadata) and, signed
with its key as a federation signs metadata, to ``DIR/idp-signed.xml`` (/idp/metadata-signed).

It keeps a single sign-on session per browser (a cookie), ends it on a SAML LogoutRequest, and
answers with a LogoutResponse. For the refusal tests, the login form takes a ``fault`` that makes
it issue a response the SP must refuse: ``wrong-audience``, ``wrong-recipient``,
``wrong-destination``, ``expired``, ``unsigned`` and ``tampered`` (a value changed after
signing). Without a fault, the assertion is signed as a real IdP signs it.
"""

from __future__ import annotations

import argparse
import html
import json
import secrets
import string
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, class_name, saml
from saml2.metadata import create_metadata_string
from saml2.s_utils import rndstr
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT
from saml2.server import Server
from saml2.sigver import pre_signature_part, signed_instance_factory
from saml2.time_util import in_a_while, instant

HERE = Path(__file__).resolve().parent
AUTHN = {
    "class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
    "authn_auth": "http://localhost/test-idp",
}
FAULTS = (
    "wrong-audience",
    "wrong-recipient",
    "wrong-destination",
    "expired",
    "unsigned",
    "tampered",
)
ELSEWHERE = "https://annan-tjanst.example.org"
Environ = dict[str, Any]
StartResponse = Callable[..., Any]


def page(name: str, **values: str) -> bytes:
    """One of the HTML files beside this module, its $placeholders filled in (escaped)."""
    text = string.Template((HERE / f"{name}.html").read_text())
    return text.substitute({k: html.escape(v) for k, v in values.items()}).encode()


class TestIdP:
    def __init__(self, folder: Path, base_url: str) -> None:
        self.folder = folder
        self.base_url = base_url.rstrip("/")
        # Pending authentication requests (by a random key in the login form) and single
        # sign-on sessions (cookie value -> username).
        self.pending: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, str] = {}

    # Configuration -------------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        base = self.base_url
        return {
            "entityid": f"{base}/idp/metadata",
            "description": "Test-IdP för Kommungemensamt",
            "service": {
                "idp": {
                    "name": "Test-IdP",
                    "endpoints": {
                        "single_sign_on_service": [
                            (f"{base}/sso/redirect", BINDING_HTTP_REDIRECT),
                            (f"{base}/sso/post", BINDING_HTTP_POST),
                        ],
                        "single_logout_service": [
                            (f"{base}/slo/redirect", BINDING_HTTP_REDIRECT),
                        ],
                    },
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 5},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        },
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    # The portal signs its requests when it has a key: check them, as a
                    # federation's IdP does.
                    "want_authn_requests_signed": True,
                },
            },
            "key_file": str(self.folder / "idp.key"),
            "cert_file": str(self.folder / "idp.crt"),
            "metadata": {"local": sorted(str(p) for p in (self.folder / "sp").glob("*.xml"))},
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "delete_tmpfiles": True,
        }

    def server(self) -> Server:
        # Built per request: the SP metadata and the users may have changed since the last one.
        from saml2.config import IdPConfig

        conf = IdPConfig()
        conf.load(self.config())
        return Server(config=conf)

    def users(self) -> dict[str, Any]:
        return json.loads((self.folder / "users.json").read_text())

    def write_metadata(self) -> None:
        from saml2.config import IdPConfig

        conf = IdPConfig()
        conf.load({**self.config(), "metadata": {}})
        (self.folder / "idp.xml").write_bytes(create_metadata_string(None, config=conf))
        # The same, signed with its key, as a federation publishes metadata.
        signed = create_metadata_string(None, config=conf, sign=True)
        (self.folder / "idp-signed.xml").write_bytes(
            signed if isinstance(signed, bytes) else signed.encode()
        )

    # WSGI -----------------------------------------------------------------------------------

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ["REQUEST_METHOD"]
        if method == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = parse_qs(environ["wsgi.input"].read(size).decode())
        else:
            form = parse_qs(environ.get("QUERY_STRING", ""))
        args = {k: v[0] for k, v in form.items()}
        cookies = parse_qs(environ.get("HTTP_COOKIE", "").replace("; ", "&"))
        session = cookies.get("idp_session", [""])[0]
        try:
            if path in {"/idp/metadata", "/idp/metadata-signed"}:
                name = "idp-signed.xml" if path.endswith("signed") else "idp.xml"
                body = (self.folder / name).read_bytes()
                start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
                return [body]
            if path in {"/sso/redirect", "/sso/post"}:
                binding = BINDING_HTTP_REDIRECT if path.endswith("redirect") else BINDING_HTTP_POST
                return self.sso(args, binding, session, start_response)
            if path == "/login" and method == "POST":
                return self.login(args, start_response)
            if path == "/slo/redirect" and "SAMLResponse" in args:
                start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
                return [page("logged_out")]
            if path == "/slo/redirect":
                return self.slo(args, start_response)
            if path == "/slo/initiate":
                return self.initiate_logout(args, start_response)
        except Exception as exc:  # A test tool: say what went wrong, in the page.
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [f"IdP error: {type(exc).__name__}: {exc}".encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def sso(
        self, args: dict[str, str], binding: str, session: str, start_response: StartResponse
    ) -> Iterable[bytes]:
        server = self.server()
        request = server.parse_authn_request(
            args["SAMLRequest"],
            binding,
            relay_state=args.get("RelayState"),
            sigalg=args.get("SigAlg"),
            signature=args.get("Signature"),
        )
        key = rndstr(24)
        self.pending[key] = {
            "request": request.message,
            "relay_state": args.get("RelayState", ""),
            "sp": request.message.issuer.text,
        }
        username = self.sessions.get(session)
        if username and username in self.users():
            return self.respond(server, key, username, "", start_response)
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page("login", key=key, sp=self.pending[key]["sp"], message="")]

    def login(self, args: dict[str, str], start_response: StartResponse) -> Iterable[bytes]:
        key = args.get("key", "")
        if key not in self.pending:
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"Unknown or used login request"]
        user = self.users().get(args.get("username", ""))
        if user is None or not secrets.compare_digest(user["password"], args.get("password", "")):
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [
                page(
                    "login",
                    key=key,
                    sp=self.pending[key]["sp"],
                    message="Fel användarnamn eller lösenord.",
                )
            ]
        fault = args.get("fault", "")
        if fault and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}")
        return self.respond(self.server(), key, args["username"], fault, start_response)

    def respond(
        self,
        server: Server,
        key: str,
        username: str,
        fault: str,
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        pending = self.pending.pop(key)
        resp_args = server.response_args(pending["request"], [BINDING_HTTP_POST])
        identity = self.users()[username]["attributes"]
        name_id = saml.NameID(
            format=NAMEID_FORMAT_PERSISTENT,
            name_qualifier=server.config.entityid,
            sp_name_qualifier=resp_args["sp_entity_id"],
            text=f"pid-{username}",
        )
        response = server.create_authn_response(
            identity,
            name_id=name_id,
            authn=AUTHN,
            sign_assertion=False,
            sign_response=False,
            **resp_args,
        )
        # Whatever the fault, the form posts to the SP's real ACS, which must refuse it.
        xml = self.finish(server, response, fault)
        info = server.apply_binding(
            BINDING_HTTP_POST, xml, resp_args["destination"], pending["relay_state"], response=True
        )
        session = secrets.token_urlsafe(16)
        self.sessions[session] = username
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Set-Cookie", f"idp_session={session}; Path=/; HttpOnly; SameSite=Lax"),
            ],
        )
        return [self.post_form(info, fault)]

    def post_form(self, info: dict[str, Any], fault: str) -> bytes:
        # pysaml2's own auto-posting form, with a button for browsers without JavaScript.
        return page(
            "post",
            action=info["url"],
            response=self._field(info["data"], "SAMLResponse"),
            relay_state=self._field(info["data"], "RelayState"),
            fault=fault,
        )

    @staticmethod
    def _field(data: str, name: str) -> str:
        marker = f'name="{name}" value="'
        start = data.find(marker)
        if start < 0:
            return ""
        start += len(marker)
        return html.unescape(data[start : data.find('"', start)])

    def finish(self, server: Server, response: Any, fault: str) -> str:
        """The response as XML: the fault applied, then the assertion signed (unless unsigned),
        then for `tampered` a value changed in the signed text."""
        assertion = response.assertion
        confirmation = assertion.subject.subject_confirmation[0].subject_confirmation_data
        if fault == "wrong-audience":
            assertion.conditions.audience_restriction[0].audience[0].text = f"{ELSEWHERE}/sp"
        elif fault == "wrong-recipient":
            confirmation.recipient = f"{ELSEWHERE}/saml2/acs/"
        elif fault == "wrong-destination":
            response.destination = f"{ELSEWHERE}/saml2/acs/"
        elif fault == "expired":
            # Issued a quarter of an hour ago and valid for five minutes: well past any clock skew.
            past = instant(time_stamp=int(time.time()) - 15 * 60)
            ended = in_a_while(minutes=-10)
            assertion.issue_instant = past
            assertion.conditions.not_before = past
            assertion.conditions.not_on_or_after = ended
            confirmation.not_on_or_after = ended
            for statement in assertion.authn_statement:
                statement.authn_instant = past
        if fault == "unsigned":
            return str(response)
        assertion.signature = pre_signature_part(
            assertion.id,
            server.sec.my_cert,
            1,
            sign_alg=server.signing_algorithm,
            digest_alg=server.digest_algorithm,
        )
        xml = str(
            signed_instance_factory(response, server.sec, [(class_name(assertion), assertion.id)])
        )
        if fault == "tampered":
            # Someone between the IdP and the portal gives themselves the administrators' group.
            tampered = xml.replace(">kg-medarbetare<", ">kg-administratorer<")
            assert tampered != xml, "the tampered fault needs a user in kg-medarbetare"
            xml = tampered
        return xml

    def slo(self, args: dict[str, str], start_response: StartResponse) -> Iterable[bytes]:
        server = self.server()
        request = server.parse_logout_request(
            args["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=args.get("RelayState"),
            sigalg=args.get("SigAlg"),
            signature=args.get("Signature"),
        )
        message = request.message
        username = message.name_id.text.removeprefix("pid-") if message.name_id else ""
        for token, user in list(self.sessions.items()):
            if user == username:
                del self.sessions[token]
        sp = message.issuer.text
        binding, destination = server.pick_binding(
            "single_logout_service", [BINDING_HTTP_REDIRECT], "spsso", entity_id=sp
        )
        logout = server.create_logout_response(message, [binding], sign=False)
        info = server.apply_binding(
            binding, str(logout), destination, args.get("RelayState", ""), response=True
        )
        location = dict(info["headers"])["Location"]
        start_response(
            "303 See Other",
            [
                ("Location", location),
                ("Set-Cookie", "idp_session=; Path=/; Max-Age=0"),
            ],
        )
        return [b""]

    def initiate_logout(
        self, args: dict[str, str], start_response: StartResponse
    ) -> Iterable[bytes]:
        """Logout started at the IdP: a LogoutRequest for `username` to the SP `sp`, signed
        unless `unsigned` is given."""
        server = self.server()
        sp, username = args["sp"], args["username"]
        binding, destination = server.pick_binding(
            "single_logout_service", [BINDING_HTTP_REDIRECT], "spsso", entity_id=sp
        )
        name_id = saml.NameID(
            format=NAMEID_FORMAT_PERSISTENT,
            name_qualifier=server.config.entityid,
            sp_name_qualifier=sp,
            text=f"pid-{username}",
        )
        _id, request = server.create_logout_request(destination, sp, name_id=name_id)
        info = server.apply_binding(
            binding, str(request), destination, "", sign="unsigned" not in args
        )
        start_response("303 See Other", [("Location", dict(info["headers"])["Location"])])
        return [b""]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="localhost")
    options = parser.parse_args(argv)
    idp = TestIdP(options.dir, f"http://{options.host}:{options.port}")
    idp.write_metadata()
    with make_server("127.0.0.1", options.port, idp, WSGIServer, QuietHandler) as httpd:
        print(f"test IdP on {idp.base_url}", file=sys.stderr, flush=True)
        httpd.serve_forever()
