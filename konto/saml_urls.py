from __future__ import annotations

from django.urls import path

from konto import saml_views

# Fixed addresses without a language prefix: the IdP or the federation registers them from the
# portal's metadata (docs/sso.md). djangosaml2's own URL names, which its views reverse.
urlpatterns = [
    path("metadata/", saml_views.MetadataView.as_view(), name="saml2_metadata"),
    path("logga-in/", saml_views.LoginView.as_view(), name="saml2_login"),
    path("acs/", saml_views.AssertionConsumerServiceView.as_view(), name="saml2_acs"),
    path("sls/", saml_views.LogoutView.as_view(), name="saml2_ls"),
]
