from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.module_loading import import_string
from django.views.decorators.http import require_POST


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Log out here, and at the identity provider when the session came from one that offers
    logout (settings.SSO_LOGOUT maps the session's backend to the provider's logout)."""
    provider_logout = settings.SSO_LOGOUT.get(request.session.get(BACKEND_SESSION_KEY, ""))
    if provider_logout and request.user.is_authenticated:
        response = import_string(provider_logout)(request)
        if response is not None:
            return response
    auth.logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)
