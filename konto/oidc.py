"""OpenID Connect sign-in through mozilla-django-oidc (docs/sso.md).

The library runs the authorization code flow with PKCE (S256), state and nonce. Here:

- the ID token is checked beyond the library's signature and nonce check: issuer, audience
  (our client id), expiry and issue time are required and verified (the library skips the
  audience and never looks at the issuer);
- the account is found by the provider's `sub`, not by e-mail (konto/directory.py);
- the roles come from the groups claim through `apply_directory_roles`;
- every refusal (a token that fails a check, a stale or replayed callback, an error from the
  provider, no role) ends on the login page with a Swedish message and an audit entry,
  never a 400 or 500 page.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from granskning import audit
from granskning.models import Granskningslogg
from konto.directory import account_for_subject, apply_directory_roles, refusal_message
from konto.models import Kalla
from konto.providers import Provider

logger = logging.getLogger(__name__)

# Why a sign-in was refused: the audit log's `skal` and the message shown for it.
REFUSALS = {
    "signatur": _(
        "The sign-in could not be verified: the identity provider's answer was not validly "
        "signed. Try again; if it happens again, contact the IT service desk."
    ),
    "utgangen": _("The sign-in had expired before it reached the portal. Try again."),
    "mottagare": _(
        "The sign-in could not be verified: the identity provider's answer was meant for "
        "another service. Contact the IT service desk."
    ),
    "utfardare": _(
        "The sign-in could not be verified: the answer came from an identity provider the "
        "portal does not trust. Contact the IT service desk."
    ),
    "nonce": _(
        "The sign-in could not be verified: the answer did not belong to this sign-in. Try again."
    ),
    "tillstand": _(
        "This sign-in has already been used or was started in another browser window. "
        "Start again from the login page."
    ),
    "leverantor": _(
        "The identity provider refused to complete the sign-in (it may already have been "
        "used). Try again."
    ),
    "nere": _(
        "The identity provider could not be reached. Try again in a while, or log in with a "
        "password if you have a break-glass account."
    ),
    "avbruten": _("The sign-in was cancelled or failed at the identity provider. Try again."),
    "okand": _("The sign-in could not be completed. Start again from the login page."),
    "anspraak": _(
        "The identity provider did not say who you are (no subject in its answer). Contact "
        "the IT service desk."
    ),
}


class SignInRefused(SuspiciousOperation):
    """A callback that must not log anyone in; `reason` is a key of REFUSALS."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


def is_configured() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def login_provider(next_url: str) -> Provider | None:
    """The login page's button (settings.SSO_LOGIN_PROVIDERS)."""
    if not is_configured():
        return None
    url = reverse("konto:oidc_start")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return Provider(key="oidc", name=settings.OIDC_PROVIDER_NAME, url=url)


class DirectoryOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with the ID token fully checked and roles from groups."""

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        # The library's own method, with the nonce refused under its own name.
        try:
            key = (
                self.OIDC_RP_IDP_SIGN_KEY
                if self.OIDC_RP_IDP_SIGN_KEY is not None
                else self.retrieve_matching_jwk(token)
            )
        except SignInRefused:
            raise
        except SuspiciousOperation as exc:  # no key with the token's kid
            raise SignInRefused("signatur", str(exc)) from exc
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            raise SignInRefused("signatur", str(exc)) from exc
        payload = self.get_payload_data(token, key)
        if kwargs.get("nonce") is None or payload.get("nonce") != kwargs["nonce"]:
            raise SignInRefused("nonce")
        return payload

    def get_payload_data(self, token: str, key: Any) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER or None,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=settings.OIDC_CLOCK_SKEW,
            )
        except jwt.ExpiredSignatureError as exc:
            raise SignInRefused("utgangen", str(exc)) from exc
        except jwt.InvalidAudienceError as exc:
            raise SignInRefused("mottagare", str(exc)) from exc
        except jwt.InvalidIssuerError as exc:
            raise SignInRefused("utfardare", str(exc)) from exc
        except jwt.PyJWTError as exc:
            raise SignInRefused("signatur", str(exc)) from exc

    def get_userinfo(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """The ID token's claims; the userinfo endpoint's added when one is configured.

        The groups claim is read from the ID token (Entra ID puts it only there); what the
        userinfo endpoint says about the same person fills gaps and never overrides it.
        """
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            if info.get("sub") != payload.get("sub"):
                raise SignInRefused("signatur", "userinfo sub differs from the ID token's")
            for name, value in info.items():
                claims.setdefault(name, value)
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        claims = self.get_userinfo(access_token, id_token, payload)
        subject = str(claims.get("sub") or "")
        if not subject:
            raise SignInRefused("anspraak")
        email = str(claims.get("email") or "")
        user = account_for_subject(
            source=Kalla.OIDC,
            subject=subject,
            email=email,
            username=str(claims.get(settings.OIDC_USERNAME_CLAIM) or email),
            first_name=str(claims.get("given_name") or ""),
            last_name=str(claims.get("family_name") or ""),
        )
        if not apply_directory_roles(
            user, groups_from(claims), source=Kalla.OIDC, request=self.request
        ):
            # Shown by CallbackView.login_failure; PermissionDenied stops every other backend.
            self.request.konto_refusal = refusal_message(user)  # type: ignore[attr-defined]
            raise PermissionDenied
        return user

    def get_user(self, user_id: Any) -> Any:
        # The library's get_user returns inactive users too: a session of an account that
        # was switched off (by an administrator or the directory) must end.
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def groups_from(claims: dict[str, Any]) -> list[str]:
    """The groups claim as a list of strings (a single value counts as one group)."""
    value = claims.get(settings.OIDC_GROUPS_CLAIM)
    if value is None:
        if settings.OIDC_GROUPS_CLAIM in (claims.get("_claim_names") or {}):
            # Entra ID sends no groups when a user has more than 200 ("overage"): assign
            # the groups to the application instead (docs/sso.md).
            logger.warning("The ID token names its groups elsewhere (overage): none read.")
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


class StartView(OIDCAuthenticationRequestView):
    """Starts the sign-in (GET, the login page's button): state, nonce and PKCE's verifier
    go into the session, the browser to the provider."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_configured():
            raise Http404
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """The redirect URI: the library's callback, with every refusal made a Swedish message."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_configured():
            raise Http404
        if request.GET.get("error"):
            super().get(request)  # forgets the state, ends any session
            return self._refuse("avbruten", request.GET["error"][:100])
        if "state" in request.GET and request.GET["state"] not in request.session.get(
            "oidc_states", {}
        ):
            # Used already, started in another browser, or the session has ended since.
            return self._refuse("tillstand", "state not in this session")
        try:
            return super().get(request)
        except SignInRefused as exc:
            return self._refuse(exc.reason, str(exc))
        except SuspiciousOperation as exc:  # anything else the library refuses
            return self._refuse("okand", str(exc))
        except requests.HTTPError as exc:  # the token endpoint said no (invalid_grant …)
            return self._refuse("leverantor", str(exc)[:300])
        except requests.RequestException as exc:  # not reachable, timed out
            return self._refuse("nere", str(exc)[:300])

    def _refuse(self, reason: str, detail: str) -> HttpResponse:
        logger.warning("OpenID Connect sign-in refused (%s): %s", reason, detail)
        self.request.konto_refusal_reason = reason  # type: ignore[attr-defined]
        audit(
            action=Granskningslogg.Handling.INLOGGNING_MISSLYCKAD,
            request=self.request,
            kalla=Kalla.OIDC,
            skal=reason,
        )
        return self.login_failure()

    def login_failure(self) -> HttpResponse:
        request = self.request
        message = getattr(request, "konto_refusal", None) or REFUSALS.get(
            getattr(request, "konto_refusal_reason", ""), REFUSALS["okand"]
        )
        messages.error(request, message)
        return HttpResponseRedirect(resolve_url(settings.LOGIN_REDIRECT_URL_FAILURE))


def logout(request: HttpRequest) -> HttpResponse | None:
    """Log out here and at the provider (RP-initiated logout), when it has an end-session
    endpoint; None leaves the local logout to the caller (konto/views.py)."""
    id_token = request.session.get("oidc_id_token")
    if not settings.OIDC_OP_END_SESSION_ENDPOINT or not id_token:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(
                resolve_url(settings.LOGOUT_REDIRECT_URL)
            ),
        }
    )
    auth.logout(request)
    return HttpResponseRedirect(f"{settings.OIDC_OP_END_SESSION_ENDPOINT}?{query}")
