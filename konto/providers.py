"""The sign-in providers the login page offers, first, as buttons.

Each provider module has a `login_provider(next_url)` returning a `Provider` when it is
configured, else None; settings.SSO_LOGIN_PROVIDERS lists them in the order shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Provider:
    key: str  # "oidc", "saml": the button's id is "logga-in-<key>"
    name: str  # the provider's name as staff know it, e.g. "Microsoft Entra ID"
    url: str  # where the button goes (a GET link that starts the sign-in)


def configured_providers(next_url: str = "") -> list[Provider]:
    found = (import_string(path)(next_url) for path in settings.SSO_LOGIN_PROVIDERS)
    return [p for p in found if p is not None]
