"""System checks for production settings (`manage.py check`, and every command that runs them).

With DEBUG off, SITE_URL must be the site's public root: e-mails sent by commands (reminders)
have no request to take the address from, so a wrong SITE_URL would send people to
127.0.0.1 or to another host. Registered in `PortalConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.http.request import split_domain_port, validate_host

HINT = "Set SITE_URL to the site's public address, e.g. https://kommungemensamt.example.se."


def site_url(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    url = settings.SITE_URL
    if not url:
        return [Error("SITE_URL is not set.", hint=HINT, id="portal.E001")]
    parts = urlsplit(url)
    if (
        parts.scheme != "https"
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
    ):
        return [
            Error(
                f"SITE_URL {url!r} is not an https address of the site's root.",
                hint=HINT,
                id="portal.E002",
            )
        ]
    host, _port = split_domain_port(parts.netloc)
    if not validate_host(host, settings.ALLOWED_HOSTS):
        return [
            Error(
                f"The host of SITE_URL ({parts.hostname}) is not in ALLOWED_HOSTS.",
                hint="Add it to ALLOWED_HOSTS, or correct SITE_URL.",
                id="portal.E003",
            )
        ]
    return []
