"""Follow areas by e-mail: subscribe (/folj/), confirm, change and cancel by personal link.

The personal pages are reached by a signed link from an e-mail (prenumeration/links.py): no
login, and the address is never shown on them. None is cached (they are personal), none
answers differently for an address that exists: the form tells nobody who subscribes.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from omraden.services import over_rate_limit
from prenumeration import links, services
from prenumeration.forms import FoljForm, ValForm


@require_http_methods(["GET", "POST"])
def folj(request: HttpRequest) -> HttpResponse:
    status = 200
    rate_limited = False
    if request.method == "POST":
        form = FoljForm(request.POST)
        if over_rate_limit(request, group="prenumeration", rate=settings.PRENUMERATION_RATE):
            # Keep what was chosen: the same form, bound, with a message on top.
            rate_limited = True
            status = 429
        elif form.is_spam:
            return redirect("prenumeration:tack")
        elif form.is_valid():
            services.prenumeration_subscribe(epost=form.cleaned_data["epost"], **form.choices())
            return redirect("prenumeration:tack")
    else:
        form = FoljForm()
    ctx = {"form": form, "rate_limited": rate_limited}
    return render(request, "prenumeration/folj.html", ctx, status=status)


@require_safe
def tack(request: HttpRequest) -> HttpResponse:
    return render(request, "prenumeration/tack.html")


def _invalid(request: HttpRequest) -> HttpResponse:
    """A forged, expired or used-up link: say so, and offer to start again (404)."""
    return render(request, "prenumeration/ogiltig.html", status=404)


@require_http_methods(["GET", "POST"])
def bekrafta(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: link checkers in mail systems open links, they do
    not press buttons, so only the resident's own press subscribes."""
    p = links.from_confirm_token(token)
    if p is None:
        return _invalid(request)
    if request.method == "POST":
        services.prenumeration_confirm(p=p)
        return redirect("prenumeration:andra", token=links.token(p))
    return render(request, "prenumeration/bekrafta.html", {"p": p, "token": token})


@require_http_methods(["GET", "POST"])
def andra(request: HttpRequest, token: str) -> HttpResponse:
    p = links.from_token(token)
    if p is None or p.avslutad_at is not None:
        return _invalid(request)
    if request.method == "POST":
        form = ValForm(request.POST)
        if form.is_valid():
            services.prenumeration_change(p=p, **form.choices())
            url = reverse("prenumeration:andra", kwargs={"token": token})
            return redirect(f"{url}?sparat=1")
    else:
        form = ValForm(initial=services.as_dict(p))
    ctx = {"p": p, "form": form, "token": token, "saved": "sparat" in request.GET}
    return render(request, "prenumeration/andra.html", ctx)


# RFC 8058 one-click: the mail client POSTs "List-Unsubscribe=One-Click" to this address
# with no cookies and no token of ours, so the POST is exempt from CSRF (what it can do is
# exactly what the link's owner asked for) and idempotent; GET only asks.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def avsluta(request: HttpRequest, token: str) -> HttpResponse:
    p = links.from_token(token)
    if request.method == "POST":
        if p is not None:
            services.prenumeration_cancel(p=p)
        # Also without a subscription (cancelled and already removed by gallra): the link's
        # owner follows nothing, which is what they asked for.
        return redirect("prenumeration:avslutad")
    if p is None:
        return _invalid(request)
    if p.avslutad_at is not None:
        return redirect("prenumeration:avslutad")
    return render(request, "prenumeration/avsluta.html", {"token": token})


@require_safe
def avslutad(request: HttpRequest) -> HttpResponse:
    return render(request, "prenumeration/avslutad.html")
