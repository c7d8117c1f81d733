"""SAML 2.0 endpoints: djangosaml2's views with the portal's checks, Swedish refusals and logout.

Every refusal goes back to the login page with a Swedish sentence saying what was wrong and
what to do, never a traceback: djangosaml2 hands every error of pysaml2's to
`handle_acs_failure`, and `custom_validation` adds what pysaml2 leaves optional.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt
from djangosaml2 import views as saml2_views
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.response import (
    IncorrectlySigned,
    StatusError,
    UnsolicitedResponse,
)
from saml2.saml import SCM_BEARER
from saml2.sigver import SignatureError, SigverError
from saml2.validate import ResponseLifetimeExceed, ToEarly

from granskning import audit
from granskning.models import Granskningslogg
from konto import saml
from konto.models import Kalla

logger = logging.getLogger(__name__)


# Why a SAML sign-in was refused, shown on the login page (msgids in English, Swedish in the
# catalogue).
NOT_SIGNED = _lazy(
    "The sign-in answer from the identity provider was not signed correctly (it is unsigned "
    "or was changed on the way), so you were not logged in. Start again from the login page."
)
USED_OR_UNSOLICITED = _lazy(
    "This sign-in answer has already been used, or answers no sign-in started from this "
    "browser, so you were not logged in. Start again from the login page."
)
EXPIRED = _lazy(
    "The sign-in answer is no longer valid (it expired), so you were not logged in. Start "
    "again from the login page."
)
NOT_FOR_US = _lazy(
    "The sign-in answer was meant for another service than this portal, so you were not "
    "logged in. Start again from the login page; if it happens again, tell the portal's "
    "administrator."
)
IDP_DID_NOT_SIGN_IN = _lazy(
    "The identity provider did not sign you in. Start again from the login page, or ask the "
    "municipality's IT support."
)
NOT_VERIFIED = _lazy(
    "The sign-in answer from the identity provider could not be verified, so you were not "
    "logged in. Start again from the login page; if it happens again, tell the portal's "
    "administrator."
)

UNAVAILABLE = _lazy(
    "Signing in with the municipality's account does not work right now (the portal cannot "
    "read the identity provider's details). Try again later, or tell the portal's "
    "administrator."
)
NOT_SET_UP = _lazy(
    "Signing in with the municipality's account is not set up completely. Tell the portal's "
    "administrator."
)


FROM_ANOTHER_IDP = _lazy(
    "The sign-in answer came from an identity provider this portal does not use, so you were "
    "not logged in. Tell the portal's administrator."
)


class Refused(Exception):
    """A response pysaml2 accepted but the portal does not: the audit log's `reason` (as
    konto/oidc.py names them) and the message."""

    def __init__(self, reason: str, message: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = str(message)


def refusal(exception: BaseException | None) -> tuple[str, str]:
    """Why a SAML sign-in was refused: the audit log's reason and the message to show."""
    if isinstance(exception, Refused):
        return exception.reason, exception.message
    if isinstance(exception, (SignatureError, SigverError, IncorrectlySigned)):
        return "signatur", str(NOT_SIGNED)
    if isinstance(exception, UnsolicitedResponse):
        return "tillstand", str(USED_OR_UNSOLICITED)
    if isinstance(exception, (ResponseLifetimeExceed, ToEarly)):
        return "utgangen", str(EXPIRED)
    if isinstance(exception, StatusError):
        return "leverantor", str(IDP_DID_NOT_SIGN_IN)
    if exception is not None and "AudienceRestriction" in str(exception):
        # pysaml2 raises a bare Exception for a wrong audience; its text is all that names it.
        return "mottagare", str(NOT_FOR_US)
    return "okand", str(NOT_VERIFIED)


def _config_or_none(request: HttpRequest) -> Any:
    """The SP configuration, or None (logged) when the IdP's metadata cannot be read."""
    try:
        return saml.sp_config(request)
    except Exception:
        logger.exception("SAML: the IdP's metadata could not be loaded")
        return None


def _refuse(request: HttpRequest, message: str, reason: str = "") -> HttpResponse:
    """Back to the login page with `message` in its error summary, as every provider does;
    with a `reason`, an entry in the audit log."""
    if reason:
        audit(
            action=Granskningslogg.Handling.INLOGGNING_MISSLYCKAD,
            request=request,
            kalla=Kalla.SAML,
            skal=reason,
        )
    messages.error(request, message)
    return HttpResponseRedirect(resolve_url("login"))


def _require_saml(view: Any) -> Any:
    """404 for every SAML address while SAML is not configured (a method the view does not
    answer stays 405)."""

    def dispatch(self: Any, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not saml.enabled() and hasattr(self, request.method.lower()):
            raise Http404
        return view(self, request, *args, **kwargs)

    return dispatch


class ConfigMixin:
    def get_sp_config(self, request: HttpRequest) -> Any:
        return saml.sp_config(request)


class LoginView(ConfigMixin, saml2_views.LoginView):
    """Starts the sign-in: an AuthnRequest to the portal's IdP (HTTP-Redirect binding)."""

    @_require_saml
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        conf = _config_or_none(request)
        if conf is None:
            return _refuse(request, str(UNAVAILABLE), "nere")
        idp = saml.idp_entity_id(conf)
        if idp is None:
            logger.error(
                "SAML: SAML_IDP_ENTITY_ID is not in the metadata, or is needed because the "
                "metadata lists several IdPs"
            )
            return _refuse(request, str(NOT_SET_UP), "okand")
        # Always the one configured IdP: never a discovery page or an IdP named in the URL.
        request.GET = request.GET.copy()
        request.GET["idp"] = idp
        return super().get(request, *args, **kwargs)


# The IdP posts its answer from its own site: no CSRF token, as djangosaml2's own view (the
# answer's signature and its request id, kept in the SAML session, are the protection).
@method_decorator(csrf_exempt, name="dispatch")
class AssertionConsumerServiceView(ConfigMixin, saml2_views.AssertionConsumerServiceView):
    """Receives the IdP's answer (HTTP-POST binding), checks it and signs the person in."""

    refused: Refused | None = None

    @_require_saml
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(resolve_url("login"))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "SAMLResponse" not in request.POST:
            return _refuse(request, str(NOT_VERIFIED), "okand")
        if _config_or_none(request) is None:
            return _refuse(request, str(UNAVAILABLE), "nere")
        return super().post(request, *args, **kwargs)

    def custom_validation(self, response: Any) -> None:
        # djangosaml2 answers any error here with a generic one: keep ours for the page.
        try:
            self._validate(response)
        except Refused as exc:
            self.refused = exc
            raise

    def _validate(self, response: Any) -> None:
        """What pysaml2 checks only when present (or, without `conv_info`, not at all): the
        answer must name the portal's ACS as destination and recipient, carry an audience
        restriction and a validity, and come from the portal's one IdP."""
        conf = self.get_sp_config(self.request)
        acs = set(conf.endpoint("assertion_consumer_service", BINDING_HTTP_POST))
        if response.response.destination not in acs:
            raise Refused("mottagare", NOT_FOR_US)
        assertion = response.assertion
        if assertion is None:
            # pysaml2 stops checking, without an error, when the response's destination or
            # issue time is wrong: nothing in it may be used.
            raise Refused("okand", NOT_VERIFIED)
        if response.issuer() != saml.idp_entity_id(conf):
            raise Refused("utfardare", FROM_ANOTHER_IDP)
        conditions = assertion.conditions
        if conditions is None or not conditions.audience_restriction:
            raise Refused("mottagare", NOT_FOR_US)
        if not conditions.not_on_or_after:
            raise Refused("utgangen", NOT_VERIFIED)
        for confirmation in assertion.subject.subject_confirmation:
            data = confirmation.subject_confirmation_data
            if confirmation.method != SCM_BEARER or data is None or not data.not_on_or_after:
                raise Refused("okand", NOT_VERIFIED)
            if data.recipient not in acs:
                raise Refused("mottagare", NOT_FOR_US)

    def handle_acs_failure(
        self,
        request: HttpRequest,
        exception: BaseException | None = None,
        status: int = 403,
        **kwargs: Any,
    ) -> HttpResponse:
        if self.refused is not None:
            exception = self.refused
        logger.info("SAML sign-in refused: %r", exception)
        if isinstance(exception, PermissionDenied):
            # The backend refused the person: konto.directory has logged why (no role, switched
            # off) and said it; otherwise the answer named nobody.
            message = getattr(request, "saml_refusal", "")
            if message:
                return _refuse(request, message)
            return _refuse(request, str(NOT_VERIFIED), "anspraak")
        reason, message = refusal(exception)
        return _refuse(request, message, reason)


class MetadataView(ConfigMixin, saml2_views.MetadataView):
    """The portal's SP metadata, for the IdP or the federation."""

    @_require_saml
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().dispatch(request, *args, **kwargs)


@method_decorator(csrf_exempt, name="dispatch")
class LogoutView(ConfigMixin, saml2_views.LogoutView):
    """The IdP's LogoutResponse to our logout, or its LogoutRequest (logout started at the IdP
    or at another service)."""

    logout_error_template = "konto/saml_logout_error.html"

    @_require_saml
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().dispatch(request, *args, **kwargs)

    def do_logout_service(
        self, request: HttpRequest, data: Any, binding: str, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        if "SAMLRequest" in data and "SAMLResponse" not in data:
            self._check_signed_logout_request(request, data, binding)
        return super().do_logout_service(request, data, binding, *args, **kwargs)

    def _check_signed_logout_request(self, request: HttpRequest, data: Any, binding: str) -> None:
        """An IdP's LogoutRequest must be signed by the IdP. djangosaml2 passes no query
        signature on to pysaml2 and pysaml2 takes an unsigned request, so without this a link
        to this address with a made-up request would log anyone out."""
        _state, client = self.get_state_client(request)
        try:
            parsed = client.parse_logout_request(
                data["SAMLRequest"],
                binding,
                relay_state=data.get("RelayState"),
                sigalg=data.get("SigAlg"),
                signature=data.get("Signature"),
            )
        except Exception as exc:
            raise SuspiciousOperation("SAML: a LogoutRequest that could not be verified") from exc
        signed = (
            bool(data.get("Signature"))
            if binding == BINDING_HTTP_REDIRECT
            else parsed is not None and parsed.message.signature is not None
        )
        if parsed is None or not signed:
            raise SuspiciousOperation("SAML: an unsigned LogoutRequest")
        if parsed.message.issuer is None or parsed.message.issuer.text != saml.idp_entity_id(
            self.get_sp_config(request)
        ):
            raise SuspiciousOperation("SAML: a LogoutRequest from another IdP")


class _LogoutInitView(ConfigMixin, saml2_views.LogoutInitView):
    # Only called from provider_logout, inside the portal's POST logout (CSRF checked there).
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.get(request, *args, **kwargs)


def provider_logout(request: HttpRequest) -> HttpResponse | None:
    """settings.SSO_LOGOUT for SAML sessions: a LogoutRequest to the IdP when it offers single
    logout (the IdP answers at LogoutView, which ends the local session); None to log out only
    here (konto.views.logout does that)."""
    if not saml.enabled():
        return None
    conf = _config_or_none(request)
    if conf is None:
        return None
    idp = saml.idp_entity_id(conf)
    # Only the HTTP-Redirect binding: a POST to the IdP would need a script (CSP forbids it).
    offers_logout = idp is not None and bool(
        conf.metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso")
    )
    subject_id = saml2_views._get_subject_id(request.saml_session)
    if not offers_logout or subject_id is None:
        return None
    _state, client = _LogoutInitView().get_state_client(request)
    if not client.users.issuers_of_info(subject_id):
        return None
    response = _LogoutInitView.as_view()(request)
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(("https://", "http://")):
        # The logout form's CSP (form-action 'self') stops a redirect to the IdP after the
        # POST; a page that moves on by itself (meta refresh, with a link) is a navigation.
        return render(request, "konto/saml_logout_redirect.html", {"url": location})
    return response
