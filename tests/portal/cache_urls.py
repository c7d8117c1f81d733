"""Two tiny public views for tests/portal/test_cache.py, independent of the real pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from portal.page_cache import public_cache
from uppfoljning.models import Publicering

_FORM = engines["django"].from_string(
    '<form method="post" action="/">{% csrf_token %}<button>Skicka</button></form>'
)


@public_cache
def statuses(request: HttpRequest) -> HttpResponse:
    rows = Publicering.objects.public().order_by("pk").values_list("sammanfattning", flat=True)
    return HttpResponse("|".join(rows) or "-")


@public_cache
def form(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_FORM.render({}, request))


urlpatterns = [
    path("statuses/", statuses),
    path("form/", form),
]
