from __future__ import annotations

from typing import Any

import requests
from django.core.management.base import BaseCommand, CommandError, CommandParser

# The provider's discovery document's field for each environment variable the portal reads.
FIELDS = {
    "OIDC_ISSUER": "issuer",
    "OIDC_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_JWKS_URI": "jwks_uri",
    "OIDC_END_SESSION_ENDPOINT": "end_session_endpoint",
}


class Command(BaseCommand):
    help = (
        "Read an OpenID Connect provider's discovery document (<issuer>/.well-known/"
        "openid-configuration) and print the OIDC_* environment variables the portal needs "
        "for it. Changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "issuer", help="e.g. https://login.microsoftonline.com/<tenant id>/v2.0"
        )

    def handle(self, *args: Any, issuer: str, **options: Any) -> None:
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=10)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise CommandError(f"Could not read {url}: {exc}") from exc
        if "RS256" not in document.get("id_token_signing_alg_values_supported", ["RS256"]):
            raise CommandError("The provider does not sign ID tokens with RS256.")
        for name, field in FIELDS.items():
            if document.get(field):
                self.stdout.write(f"{name}={document[field]}")
