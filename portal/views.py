from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from omraden.models import Omrade, attach_latest_publications


def index(request: HttpRequest) -> HttpResponse:
    omraden = attach_latest_publications(list(Omrade.objects.public().for_overview()))
    ctx = {"omraden": omraden}
    return render(request, "portal/index.html", ctx)
