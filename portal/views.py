from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe
from django_ratelimit.exceptions import Ratelimited

from kommun.models import Kommun
from omraden.models import Aktivitet, Fas
from portal import roles, setup
from portal.middleware import language_of
from portal.models import Tillganglighetsredogorelse
from portal.page_cache import public_cache
from portal.viewer import viewer_of
from uppfoljning.models import Publicering, Rapport, attach_latest_publications, overview_areas

# How many coming activities the overview lists; the rest are on /aktiviteter/.
COMING_ON_OVERVIEW = 3


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    if not Kommun.objects.current().configured:
        return _setup_notice(request)
    return _overview(request)


def _setup_notice(request: HttpRequest) -> HttpResponse:
    """An empty portal (no municipality yet): how to set it up, instead of an empty overview."""
    if get_user_model().objects.exists():
        return _setup_notice_kept(request)
    # Until the first login exists the page says how to create one. Logins are no public
    # data (creating one leaves the page cache alone), so this version is never kept.
    return render(request, "portal/installation_notice.html", {"no_user": True})


@public_cache
def _setup_notice_kept(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/installation_notice.html", {"no_user": False})


@public_cache
def _overview(request: HttpRequest) -> HttpResponse:
    # The overview shows everyone what residents see, at one moment for every query.
    viewer = viewer_of(request).as_resident()
    omraden = attach_latest_publications(list(overview_areas(viewer)))
    coming = (
        Aktivitet.objects.visible_to(viewer)
        .filter(datum__gte=viewer.today)
        .order_by("datum", "starttid")[:COMING_ON_OVERVIEW]
    )
    overgripande = (
        Publicering.objects.current(viewer)
        .filter(uppfoljning__uppdrag__overgripande=True)
        .select_related("uppfoljning__period", "uppfoljning__uppdrag")
        .newest_first()
        .first()
    )
    ctx = {
        "omraden": omraden,
        "coming": list(coming),
        "rapport": Rapport.objects.visible_to(viewer).order_by("-datum").first(),
        "overgripande": overgripande,
    }
    return render(request, "portal/index.html", ctx)


@public_cache
@require_safe
def ordlista(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/ordlista.html", {"faser": list(Fas.objects.all())})


@public_cache
@require_safe
def personuppgifter(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/personuppgifter.html", {})


@public_cache
@require_safe
def tillganglighet(request: HttpRequest) -> HttpResponse:
    ctx = {
        "redogorelse": Tillganglighetsredogorelse.objects.current(),
        "digg_url": "https://www.digg.se/tdosanmalan",
    }
    return render(request, "portal/tillganglighet.html", ctx)


@require_safe
@login_required
def installation(request: HttpRequest) -> HttpResponse:
    """The set-up steps of a new installation and which are done, for administrators."""
    if not roles.can_administer(request.user):
        raise PermissionDenied
    steps = setup.steps()
    ctx = {"steps": steps, "remaining": sum(not step.done for step in steps)}
    return render(request, "portal/installation.html", ctx)


# Error pages (handler400/403/404 in portal/urls.py): in the layout, with the visitor's own
# header (a logged-in member of staff keeps the workspace link). 500 and 503 are rendered
# without the database and the cache, in portal/middleware.py. @requires_csrf_token, as on
# Django's own error views: the header's logout form needs a token even when the error came
# before CsrfViewMiddleware ran.


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    # django-ratelimit's Ratelimited is a PermissionDenied: a rate limit is a 429, not a 403.
    if isinstance(exception, Ratelimited):
        return _error_page(request, "429.html", 429)
    return _error_page(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "404.html", 404)


def _error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    with translation.override(language_of(request)):
        return render(request, template, status=status)
