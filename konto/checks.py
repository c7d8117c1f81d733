"""Configuration checks for single sign-on (`manage.py check`, `check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register

from konto import saml  # noqa: F401 (registers saml.check_saml with the checks framework)

# What OpenID Connect cannot work without once OIDC_CLIENT_ID is set (the environment names).
OIDC_REQUIRED = {
    "OIDC_RP_CLIENT_SECRET": "OIDC_CLIENT_SECRET",
    "OIDC_ISSUER": "OIDC_ISSUER",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "OIDC_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT": "OIDC_TOKEN_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT": "OIDC_JWKS_URI",
}


@register()
def check_single_sign_on(app_configs: Any, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    if settings.OIDC_RP_CLIENT_ID:
        missing = [env for name, env in OIDC_REQUIRED.items() if not getattr(settings, name)]
        if missing:
            problems.append(
                Error(
                    f"OIDC_CLIENT_ID is set but {', '.join(missing)} is not.",
                    hint="docs/sso.md lists where each value is found.",
                    id="konto.E001",
                )
            )
    if settings.LOCAL_LOGIN == "nodkonto" and not settings.LOCAL_LOGIN_USERS:
        problems.append(
            Warning(
                "LOCAL_LOGIN=nodkonto but LOCAL_LOGIN_USERS names no break-glass account: "
                "nobody can log in with a password.",
                hint="Name the break-glass accounts, or set LOCAL_LOGIN=av if that is meant.",
                id="konto.W001",
            )
        )
    return problems
