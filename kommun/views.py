from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kommun.models import Kommun

# The addresses carry the colour or the logo's checksum, so a change gets a new address.
IMMUTABLE = "public, max-age=31536000, immutable"


@require_safe
def farger(request: HttpRequest, farg: str) -> HttpResponse:
    """The accent colour as CSS custom properties (no inline style: the CSP forbids it)."""
    kommun = Kommun.objects.current()
    if farg != kommun.accent.lstrip("#"):
        raise Http404
    response = render(request, "kommun/farger.css", {"kommun": kommun}, content_type="text/css")
    response["Cache-Control"] = IMMUTABLE
    return response


@require_safe
def logotyp(request: HttpRequest, checksum: str, ext: str) -> HttpResponse:
    current = Kommun.objects.current()
    if not current.logotyp_hash or checksum != current.logotyp_hash:
        raise Http404
    row = Kommun.objects.only("logotyp", "logotyp_typ").filter(pk=Kommun.PK).first()
    if row is None or ext != current.logo_extension:
        raise Http404
    response = HttpResponse(bytes(row.logotyp), content_type=row.logotyp_typ)
    response["Cache-Control"] = IMMUTABLE
    return response
