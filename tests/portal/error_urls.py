"""The portal's URLconf plus two views that fail, for the error page tests."""

from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django_ratelimit.exceptions import Ratelimited

from portal import urls as portal_urls


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("A bug in a view.")


def rate_limited(request: HttpRequest) -> HttpResponse:
    # What django-ratelimit's decorator raises with block=True.
    raise Ratelimited


urlpatterns = [
    *i18n_patterns(
        path("fel/", broken),
        path("for-manga/", rate_limited),
        prefix_default_language=False,
    ),
    *portal_urls.urlpatterns,
]
handler400 = portal_urls.handler400
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500
