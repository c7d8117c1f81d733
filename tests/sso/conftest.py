"""A real OpenID Connect provider for the single sign-on tests (node's oidc-provider).

`oidc_idp` starts tests/sso/oidc_idp/idp.mjs once per test session on a free port, with three
clients (the portal; "annan-tjanst", another service of the municipality; "kortlivad", whose
ID tokens expire after a second) and three test users, and stops it at the end. It does not
use the live server (which would make every test transactional): the browser test starts its
own provider for the live server's address. `oidc` configures the portal for it (settings as
production reads them from the environment) and maps the test groups to roles. `token_proxy` sits
between the portal and the provider's token endpoint, for the tests that change what the
provider answered; the provider itself is never replaced.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

IDP_DIR = Path(__file__).parent / "oidc_idp"
TESTSERVER = "http://testserver"
CALLBACK_PATH = "/konto/oidc/callback/"

# The directory's groups as Entra ID would send them: object ids.
GRP_KLG = "6f1e3c52-0b7a-4b59-9d0c-klg000000001"
GRP_MODERATOR = "0d2b8f4e-77c1-4a0e-8e5f-mod000000002"
GRP_ALLA = "a9c4e1d0-3f6b-4c2a-b1d7-all000000003"
GRP_ANNAT = "e5b7a2c9-1d4f-4e8b-9a3c-oth000000004"

USERS = {
    "anna": {
        "password": "annas-losenord-hos-idp",
        "sub": "Xk3q9VbA-anna-0001",
        "claims": {
            "email": "anna.andersson@tyreso.test",
            "email_verified": True,
            "preferred_username": "anna.andersson@tyreso.test",
            "name": "Anna Andersson",
            "given_name": "Anna",
            "family_name": "Andersson",
            "groups": [GRP_KLG, GRP_ALLA],
        },
    },
    "bertil": {
        "password": "bertils-losenord-hos-idp",
        "sub": "Pq7Lm2Zc-bertil-0002",
        "claims": {
            "email": "bertil.berg@tyreso.test",
            "email_verified": True,
            "preferred_username": "bertil.berg@tyreso.test",
            "name": "Bertil Berg",
            "given_name": "Bertil",
            "family_name": "Berg",
            "groups": [GRP_ALLA, GRP_MODERATOR],
        },
    },
    "cecilia": {
        "password": "cecilias-losenord-hos-idp",
        "sub": "Rt5Nw8Yd-cecilia-0003",
        "claims": {
            "email": "cecilia.carlsson@tyreso.test",
            "email_verified": True,
            "preferred_username": "cecilia.carlsson@tyreso.test",
            "name": "Cecilia Carlsson",
            "given_name": "Cecilia",
            "family_name": "Carlsson",
            "groups": [GRP_ANNAT],
        },
    },
}


@dataclass
class Idp:
    issuer: str
    discovery: dict[str, Any]
    process: subprocess.Popen[str]
    config_path: Path
    users: dict[str, Any] = field(default_factory=lambda: USERS)

    def set_groups(self, username: str, groups: list[str]) -> None:
        """Change a user's groups in the directory (the provider re-reads its file)."""
        config = json.loads(self.config_path.read_text())
        config["users"][username]["claims"]["groups"] = groups
        self.config_path.write_text(json.dumps(config))


def _client(client_id: str, secret: str, base_urls: list[str]) -> dict[str, Any]:
    """Client metadata as registered at the provider (in Entra ID: the app registration)."""
    return {
        "client_id": client_id,
        "client_secret": secret,
        "redirect_uris": [f"{base}{CALLBACK_PATH}" for base in base_urls],
        "post_logout_redirect_uris": [f"{base}/" for base in base_urls],
        "response_types": ["code"],
        "grant_types": ["authorization_code"],
        "token_endpoint_auth_method": "client_secret_post",
    }


@contextmanager
def running_idp(directory: Path, base_urls: list[str]) -> Iterator[Idp]:
    """The provider, its clients sending the browser back to the portal at `base_urls`."""
    node = shutil.which("node")
    if node is None or not (IDP_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("The test OpenID Connect provider is not installed: run `make oidc-idp`.")
    config = {
        "clients": [
            _client("portal", "portalens-hemlighet", base_urls),
            _client("annan-tjanst", "annan-hemlighet", base_urls),
            # ID tokens that expire one second after they are issued.
            _client("kortlivad", "kortlivad-hemlighet", base_urls),
        ],
        "users": USERS,
        "id_token_ttl": {"kortlivad": 1},
    }
    config_path = directory / "config.json"
    config_path.write_text(json.dumps(config))
    process = subprocess.Popen(
        [node, str(IDP_DIR / "idp.mjs"), str(config_path)],
        cwd=IDP_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.fullmatch(r"READY (\S+)\n", line)
        if not match:
            pytest.fail(f"The test OpenID Connect provider did not start: {line!r}")
        issuer = match.group(1)
        discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
        yield Idp(issuer, discovery, process, config_path)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def oidc_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Idp]:
    """The provider for the tests that drive the portal with Django's test client."""
    with running_idp(tmp_path_factory.mktemp("oidc_idp"), [TESTSERVER]) as idp:
        yield idp


def portal_settings(idp: Idp, *, client_id: str = "portal", secret: str = "") -> dict[str, Any]:
    """The settings production derives from OIDC_* environment variables, for `idp`."""
    d = idp.discovery
    secrets = {
        "portal": "portalens-hemlighet",
        "annan-tjanst": "annan-hemlighet",
        "kortlivad": "kortlivad-hemlighet",
    }
    return {
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": secret or secrets[client_id],
        "OIDC_ISSUER": d["issuer"],
        "OIDC_OP_AUTHORIZATION_ENDPOINT": d["authorization_endpoint"],
        "OIDC_OP_TOKEN_ENDPOINT": d["token_endpoint"],
        "OIDC_OP_USER_ENDPOINT": "",
        "OIDC_OP_JWKS_ENDPOINT": d["jwks_uri"],
        "OIDC_OP_END_SESSION_ENDPOINT": d["end_session_endpoint"],
        "OIDC_PROVIDER_NAME": "Test-IdP",
        "AUTHENTICATION_BACKENDS": [
            "axes.backends.AxesStandaloneBackend",
            "konto.backends.LocalPasswordBackend",
            "konto.oidc.DirectoryOIDCBackend",
        ],
    }


@pytest.fixture
def oidc(oidc_idp: Idp, settings: Any, db: None) -> Idp:
    """The portal configured for the test provider, its groups mapped to roles."""
    from konto.models import Gruppmappning

    for name, value in portal_settings(oidc_idp).items():
        setattr(settings, name, value)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for grupp, roll in [
        (GRP_KLG, "kommunledningsgruppen"),
        (GRP_KLG, "medarbetare"),
        (GRP_ALLA, "medarbetare"),
        (GRP_MODERATOR, "moderator"),
    ]:
        Gruppmappning.objects.create(kalla="oidc", idp_grupp=grupp, roll=roll)
    # The tests change a user's groups in the provider's file: put them back afterwards.
    original = oidc_idp.config_path.read_text()
    yield oidc_idp
    oidc_idp.config_path.write_text(original)


# Driving the provider's pages -------------------------------------------------------------------

LOGIN_FORM = re.compile(r'<form method="post" action="(/interaction/[^"]+/login)"')


def sign_in_at_idp(authorize_url: str, username: str, password: str) -> str:
    """Sign in on the provider's own login page; return the redirect URI it sends back to.

    Only the provider's side: the portal's callback is left to the caller.
    """
    browser = requests.Session()
    url, method, data = authorize_url, "GET", None
    for _ in range(12):
        r = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
        if r.is_redirect:
            url, method, data = urljoin(url, r.headers["Location"]), "GET", None
            if not url.startswith(("http://127.0.0.1", "http://localhost")) or (
                CALLBACK_PATH in url
            ):
                return url
            continue
        form = LOGIN_FORM.search(r.text)
        assert r.status_code == 200 and form, f"unexpected answer from the provider: {r.text}"
        url, method = urljoin(url, form.group(1)), "POST"
        data = {"login": username, "password": password}
    raise AssertionError("the provider never sent the browser back")


def start(client: Any) -> str:
    """Press the login page's button: the provider's authorization URL."""
    r = client.get("/konto/oidc/logga-in/")
    assert r.status_code == 302
    return r["Location"]


def callback_path(url: str) -> str:
    assert url.startswith(TESTSERVER + CALLBACK_PATH), url
    return url[len(TESTSERVER) :]


def sign_in(client: Any, username: str, password: str | None = None) -> Any:
    """The whole sign-in through the real provider; the portal's answer to the callback."""
    password = password or USERS[username]["password"]
    return client.get(callback_path(sign_in_at_idp(start(client), username, password)))


# Between the portal and the provider's token endpoint ---------------------------------------------


class TokenProxy:
    """Forwards the portal's token requests to the real provider; `tamper` may change the
    provider's JSON answer (its id_token) before the portal sees it."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.tamper: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                r = requests.post(
                    proxy.target,
                    data=body,
                    headers={"Content-Type": self.headers["Content-Type"]},
                    timeout=10,
                )
                payload = r.content
                if r.status_code == 200 and proxy.tamper is not None:
                    payload = json.dumps(proxy.tamper(r.json())).encode()
                self.send_response(r.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def token_proxy(oidc: Idp, settings: Any) -> Iterator[TokenProxy]:
    proxy = TokenProxy(oidc.discovery["token_endpoint"])
    settings.OIDC_OP_TOKEN_ENDPOINT = proxy.url
    yield proxy
    proxy.close()


def real_id_token(idp: Idp, *, client_id: str, username: str) -> str:
    """An ID token the provider really issued, through a flow of its own (PKCE and all)."""
    import base64
    import hashlib
    import secrets
    from urllib.parse import parse_qs, urlencode, urlsplit

    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    redirect_uri = TESTSERVER + CALLBACK_PATH
    query = urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "scope": "openid email profile",
            "redirect_uri": redirect_uri,
            "state": secrets.token_urlsafe(16),
            "nonce": secrets.token_urlsafe(16),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    back = sign_in_at_idp(
        f"{idp.discovery['authorization_endpoint']}?{query}",
        username,
        USERS[username]["password"],
    )
    code = parse_qs(urlsplit(back).query)["code"][0]
    secret = portal_settings(idp, client_id=client_id)["OIDC_RP_CLIENT_SECRET"]
    r = requests.post(
        idp.discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "client_secret": secret,
            "code_verifier": verifier,
        },
        timeout=10,
    )
    r.raise_for_status()
    return str(r.json()["id_token"])


os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
