"""SAML 2.0 single sign-on (djangosaml2 on pysaml2): pysaml2's configuration, built from the
settings in portal/settings.py's "# SAML" block, and the login page's SAML button.

What the portal demands of every answer from the IdP (docs/sso.md):

- the assertion signed by the IdP's key in its metadata (``want_assertions_signed``; a
  signature on the whole response, when there is one, is checked too);
- only answers to a request this browser started here (``allow_unsolicited`` off): djangosaml2
  keeps the outstanding request ids in the SAML session (in the database) and forgets each once
  it is answered, so an answer cannot be used twice;
- audience, destination, recipient and validity (NotBefore/NotOnOrAfter, with
  ``SAML_CLOCK_SKEW_SECONDS`` of allowed clock difference) checked by pysaml2, and
  in konto/saml_views.py what pysaml2 leaves optional.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.urls import reverse
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import SPConfig
from saml2.mdstore import MetaDataExtern
from saml2.saml import NAMEID_FORMAT_PERSISTENT
from saml2.sigver import SignatureError

from konto.providers import Provider

# How long a loaded configuration (with the IdP's metadata, fetched from its URL) is reused by
# one process before the metadata is fetched again.
METADATA_MAX_AGE = 3600

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_cache: dict[str, Any] = {}


def enabled() -> bool:
    """Is SAML configured (the IdP's metadata given)?"""
    return bool(settings.SAML_IDP_METADATA_URL or settings.SAML_IDP_METADATA_FILE)


def _base_url() -> str:
    return settings.SITE_URL.rstrip("/")


def acs_url() -> str:
    return _base_url() + reverse("saml2_acs")


def entity_id() -> str:
    return settings.SAML_SP_ENTITY_ID or _base_url() + reverse("saml2_metadata")


def config_dict() -> dict[str, Any]:
    """pysaml2's SP configuration, from the settings."""
    logout_url = _base_url() + reverse("saml2_ls")
    metadata: dict[str, list[Any]] = {}
    if settings.SAML_IDP_METADATA_URL:
        remote = {"url": settings.SAML_IDP_METADATA_URL}
        if settings.SAML_IDP_METADATA_CERT:
            # A federation signs its metadata: only metadata signed by this certificate is read.
            remote["cert"] = settings.SAML_IDP_METADATA_CERT
        metadata["remote"] = [remote]
    if settings.SAML_IDP_METADATA_FILE:
        metadata["local"] = [settings.SAML_IDP_METADATA_FILE]
    signing = bool(settings.SAML_SP_KEY_FILE and settings.SAML_SP_CERT_FILE)
    config: dict[str, Any] = {
        "entityid": entity_id(),
        "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
        "delete_tmpfiles": True,
        "metadata": metadata,
        "http_client_timeout": 10,
        "accepted_time_diff": settings.SAML_CLOCK_SKEW_SECONDS,
        # Attributes pysaml2 has no friendly name for (ADFS's claim URIs) keep their full name.
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "name": "Kommungemensamt",
                "name_id_format": NAMEID_FORMAT_PERSISTENT,
                "endpoints": {
                    "assertion_consumer_service": [(acs_url(), BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (logout_url, BINDING_HTTP_REDIRECT),
                        (logout_url, BINDING_HTTP_POST),
                    ],
                },
                "allow_unsolicited": False,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "want_assertions_or_response_signed": True,
                "authn_requests_signed": signing,
                "logout_requests_signed": signing,
                "logout_responses_signed": signing,
                "requested_attributes": [
                    {"friendly_name": name, "required": False}
                    for name in dict.fromkeys(settings.SAML_ATTRIBUTES.values())
                    if name and not name.startswith(("http://", "https://", "urn:"))
                ],
            },
        },
    }
    if signing:
        config["key_file"] = settings.SAML_SP_KEY_FILE
        config["cert_file"] = settings.SAML_SP_CERT_FILE
        # The same pair decrypts assertions an IdP encrypts for the portal.
        config["encryption_keypairs"] = [
            {"key_file": settings.SAML_SP_KEY_FILE, "cert_file": settings.SAML_SP_CERT_FILE}
        ]
    return config


def sp_config(request: Any = None) -> SPConfig:
    """djangosaml2's SAML_CONFIG_LOADER: the loaded configuration, reused by this process for
    METADATA_MAX_AGE seconds (loading fetches and parses the IdP's metadata). When fetching it
    again fails, the last good one is kept (an outage of the metadata's host must not stop
    sign-ins) until a fetch succeeds."""
    config = config_dict()
    key = repr(config)
    with _lock:
        cached = _cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < METADATA_MAX_AGE:
        return cached[1]
    conf = SPConfig()
    try:
        conf.load(config)
        _check_metadata_signed(conf)
    except Exception:
        if cached is None:
            raise
        logger.exception("SAML: the IdP's metadata could not be loaded again; the last is kept")
        return cached[1]
    with _lock:
        _cache.clear()
        _cache[key] = (time.monotonic(), conf)
    return conf


def _check_metadata_signed(conf: SPConfig) -> None:
    """With SAML_IDP_METADATA_CERT, the fetched metadata must be signed by it. pysaml2 checks a
    signature that is there against the certificate, but takes unsigned metadata as it is."""
    if not settings.SAML_IDP_METADATA_CERT:
        return
    for source in conf.metadata.metadata.values():
        if isinstance(source, MetaDataExtern) and not source.signed():
            raise SignatureError(f"SAML: the metadata at {source.url} is not signed")


def idp_entity_id(conf: SPConfig) -> str | None:
    """The one IdP the portal accepts: SAML_IDP_ENTITY_ID, or the only IdP in the metadata;
    None when that IdP is not in the metadata, or SAML_IDP_ENTITY_ID is needed and missing.

    A federation's metadata lists every IdP of the federation; each could sign an assertion,
    so with more than one the setting must name the municipality's own."""
    idps = conf.metadata.with_descriptor("idpsso")
    if settings.SAML_IDP_ENTITY_ID:
        return settings.SAML_IDP_ENTITY_ID if settings.SAML_IDP_ENTITY_ID in idps else None
    return next(iter(idps)) if len(idps) == 1 else None


def login_provider(next_url: str = "") -> Provider | None:
    """The login page's SAML button (settings.SSO_LOGIN_PROVIDERS), when SAML is configured."""
    if not enabled():
        return None
    url = reverse("saml2_login")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return Provider(key="saml", name=settings.SAML_PROVIDER_NAME, url=url)


@register()
def check_saml(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """`manage.py check`: what SAML cannot work without once its metadata is configured."""
    if not enabled():
        return []
    problems: list[CheckMessage] = []
    if not shutil.which("xmlsec1"):
        problems.append(
            Error(
                "SAML is configured but xmlsec1 is not installed.",
                hint="make xmlsec1 (Debian's package xmlsec1).",
                id="konto.E101",
            )
        )
    files = {
        "SAML_IDP_METADATA_FILE": settings.SAML_IDP_METADATA_FILE,
        "SAML_IDP_METADATA_CERT": settings.SAML_IDP_METADATA_CERT,
        "SAML_SP_KEY_FILE": settings.SAML_SP_KEY_FILE,
        "SAML_SP_CERT_FILE": settings.SAML_SP_CERT_FILE,
    }
    for name, path in files.items():
        if path and not os.access(path, os.R_OK):
            problems.append(
                Error(f"{name} names a file that cannot be read: {path}", id="konto.E102")
            )
    if bool(settings.SAML_SP_KEY_FILE) != bool(settings.SAML_SP_CERT_FILE):
        problems.append(
            Error(
                "SAML_SP_KEY_FILE and SAML_SP_CERT_FILE go together: set both or neither.",
                id="konto.E103",
            )
        )
    url = settings.SAML_IDP_METADATA_URL
    if url and not url.startswith("https://") and not settings.SAML_IDP_METADATA_CERT:
        problems.append(
            Warning(
                "SAML_IDP_METADATA_URL is not https and no SAML_IDP_METADATA_CERT checks it: "
                "whoever can change the metadata on the way can sign people in.",
                hint="Use the https address, or the federation's signing certificate.",
                id="konto.W101",
            )
        )
    return problems
