"""Two tiny public views for tests/portal/test_cache.py, independent of the real pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.urls import path

from portal.page_cache import public_cache
from portal.viewer import Viewer
from uppfoljning.models import Publicering

_FORM = engines["django"].from_string(
    '<form method="post" action="/">{% csrf_token %}<button>Skicka</button></form>'
)


@public_cache
def statuses(request: HttpRequest) -> HttpResponse:
    rows = (
        Publicering.objects.visible_to(Viewer.resident())
        .order_by("pk")
        .values_list("sammanfattning", flat=True)
    )
    return HttpResponse("|".join(rows) or "-")


@public_cache
def form(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_FORM.render({}, request))


@public_cache
def bare_token(request: HttpRequest) -> HttpResponse:
    return HttpResponse(get_token(request))


urlpatterns = [
    path("statuses/", statuses),
    path("form/", form),
    path("bare-token/", bare_token),
]
