from __future__ import annotations

from django.urls import path

from konto import oidc

app_name = "konto"

# Fixed addresses (no language prefix): they are registered at the identity provider.
urlpatterns = [
    # OpenID Connect: start the sign-in; the redirect URI the provider sends the code to
    path("oidc/logga-in/", oidc.StartView.as_view(), name="oidc_start"),
    path("oidc/callback/", oidc.CallbackView.as_view(), name="oidc_callback"),
]
