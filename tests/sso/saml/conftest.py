"""A real SAML IdP for the SAML tests: tests/sso/saml_idp run as its own process.

`saml_idp` (once per session) generates the IdP's and the portal's keys with openssl into a
temporary folder, starts the IdP on a free port and waits for its metadata. `saml_sp` (per
test) points the portal at that metadata, with the portal's key, and gives the IdP the
portal's metadata for the address the test reaches it at; the group mappings map the IdP's
groups to the portal's roles.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.test import Client

from portal.roles import ADMINISTRATOR, GROUPS, MEDARBETARE

PASSWORD = "test-idp-losenord-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _openssl_pair(folder: Path, name: str, subject: str) -> None:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-sha256",
            "-days",
            "2",
            "-subj",
            f"/CN={subject}",
            "-keyout",
            str(folder / f"{name}.key"),
            "-out",
            str(folder / f"{name}.crt"),
        ],
        check=True,
        capture_output=True,
    )


class IdP:
    """The running test IdP and the files that configure it."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.base_url = f"http://localhost:{port}"
        self.metadata_file = folder / "idp.xml"
        self.entity_id = f"{self.base_url}/idp/metadata"
        self.sp_key = folder / "sp.key"
        self.sp_cert = folder / "sp.crt"
        self.users: dict[str, Any] = {}

    def set_user(self, username: str, *, groups: list[str], **attributes: str) -> None:
        """Add or change a person at the IdP (read by the IdP at every request)."""
        attributes.setdefault("mail", f"{username}@tyreso.test")
        attributes.setdefault("givenName", username.capitalize())
        attributes.setdefault("sn", "Testsson")
        self.users[username] = {
            "password": PASSWORD,
            "attributes": {
                "eduPersonPrincipalName": [f"{username}@tyreso.test"],
                **{k: [v] for k, v in attributes.items()},
                "isMemberOf": groups,
            },
        }
        (self.folder / "users.json").write_text(json.dumps(self.users))

    def reset_users(self) -> None:
        """Eva, a member of the staff group (every test starts with her alone)."""
        self.users = {}
        self.set_user("eva", groups=["kg-medarbetare"])

    def add_sp(self, name: str, metadata: str) -> None:
        (self.folder / "sp" / f"{name}.xml").write_text(metadata)


@pytest.fixture(scope="session")
def saml_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdP]:
    if not shutil.which("xmlsec1"):
        pytest.fail("xmlsec1 not found (pysaml2 needs it): run `make xmlsec1`.")
    folder = tmp_path_factory.mktemp("saml-idp")
    (folder / "sp").mkdir()
    # Keys made for this run only (never committed): the IdP's and the portal's.
    _openssl_pair(folder, "idp", "Test-IdP")
    _openssl_pair(folder, "sp", "Kommungemensamt test-SP")
    port = _free_port()
    idp = IdP(folder, port)
    idp.reset_users()
    log = (folder / "idp.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.sso.saml_idp", "--dir", str(folder), "--port", str(port)],
        cwd=django_settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(django_settings.BASE_DIR)},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"the test IdP stopped: {(folder / 'idp.log').read_text()}")
            try:
                if requests.get(idp.entity_id, timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the test IdP did not start: {(folder / 'idp.log').read_text()}")
            time.sleep(0.1)
        yield idp
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def sp_metadata() -> str:
    from saml2.metadata import entity_descriptor

    from konto import saml

    return str(entity_descriptor(saml.sp_config()))


def use_idp(settings: Any, idp: IdP, site_url: str) -> None:
    """Point the portal at the test IdP, reached at `site_url`, and the IdP at the portal."""
    settings.SITE_URL = site_url
    settings.SAML_IDP_METADATA_FILE = str(idp.metadata_file)
    settings.SAML_SP_KEY_FILE = str(idp.sp_key)
    settings.SAML_SP_CERT_FILE = str(idp.sp_cert)
    settings.SAML_SP_ENTITY_ID = ""
    settings.SAML_IDP_ENTITY_ID = ""
    settings.SAML_IDP_METADATA_URL = ""
    idp.add_sp(urlsplit(site_url).netloc.replace(":", "_"), sp_metadata())


def map_groups() -> None:
    from konto.models import Gruppmappning

    for name in GROUPS:
        Group.objects.get_or_create(name=name)
    Gruppmappning.objects.create(kalla="saml", idp_grupp="kg-medarbetare", roll=MEDARBETARE)
    Gruppmappning.objects.create(kalla="saml", idp_grupp="kg-administratorer", roll=ADMINISTRATOR)


@pytest.fixture
def saml_sp(settings: Any, saml_idp: IdP, db: None) -> IdP:
    use_idp(settings, saml_idp, "http://testserver")
    saml_idp.reset_users()
    map_groups()
    return saml_idp


# Driving a sign-in over plain HTTP: the portal through Django's test client, the IdP through
# requests, as a browser without JavaScript would.


class Answer:
    """The IdP's answer form (where it posts, and what), and the browser's session at the IdP."""

    def __init__(self, page: str, idp: requests.Session) -> None:
        def field(name: str) -> str:
            found = re.search(rf'name="{name}" value="([^"]*)"', page)
            assert found, page
            return html.unescape(found.group(1))

        action = re.search(r'<form method="post" action="([^"]+)"', page)
        assert action, page
        self.action = html.unescape(action.group(1))
        self.saml_response = field("SAMLResponse")
        self.relay_state = field("RelayState")
        self.idp = idp

    def post(self, client: Client, *, follow: bool = False) -> Any:
        """Deliver the answer to the portal's ACS, as the IdP's form does."""
        data = {"SAMLResponse": self.saml_response, "RelayState": self.relay_state}
        return client.post(urlsplit(self.action).path, data, follow=follow)


def start_sign_in(client: Client, next_url: str = "/arbetsyta/") -> str:
    """The portal's AuthnRequest: the IdP address the portal sends the browser to."""
    start = client.get("/konto/saml/logga-in/", {"next": next_url})
    assert start.status_code == 302, start.content.decode()
    return str(start["Location"])


def sign_in_at_idp(
    client: Client,
    *,
    username: str = "eva",
    fault: str = "",
    next_url: str = "/arbetsyta/",
    idp: requests.Session | None = None,
) -> Answer:
    """Start at the portal and sign in at the IdP: the IdP's answer, not yet delivered."""
    location = start_sign_in(client, next_url)
    idp = idp or requests.Session()
    form = idp.get(location, timeout=10)
    assert form.status_code == 200, form.text
    key = re.search(r'name="key" value="([^"]+)"', form.text)
    assert key, form.text
    parts = urlsplit(location)
    answer = idp.post(
        f"{parts.scheme}://{parts.netloc}/login",
        data={"key": key.group(1), "username": username, "password": PASSWORD, "fault": fault},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return Answer(answer.text, idp)


def login_page_message(response: Any) -> str:
    """The error summary of the login page a refused sign-in ends on."""
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/konto/logga-in/"
    found = re.search(
        r'<div class="error-summary" role="alert" id="inloggning-meddelande">(.*?)</div>',
        response.content.decode(),
        re.S,
    )
    assert found, response.content.decode()
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()
