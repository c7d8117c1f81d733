"""Site-wide middleware: a Permissions-Policy header, a 400 for input no database can store,
and the 500 and 503 pages, which render with the database and the cache both gone."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import translation

from kommun.models import Kommun
from portal import context_processors

logger = logging.getLogger(__name__)

# The portal uses none of these browser features; denying them all means an injected script or
# a framed page cannot ask for them either. Django has no setting for this header.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "sync-xhr",
        "usb",
        "xr-spatial-tracking",
        "interest-cohort",
    )
)

# Seconds a client should wait before trying again; a database restart takes a few seconds.
RETRY_AFTER = "5"


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# Characters no text column can hold: PostgreSQL refuses NUL in text, and a lone surrogate has
# no UTF-8 encoding at all. A query that carries one fails with an error, not with no rows.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class BadInputMiddleware:
    """Answer 400 when the path, a query parameter or a cookie holds a character no database
    column can store (UNSTORABLE).

    Views put path segments and query parameters straight into queries (a sign-up's token,
    `?q=`, `?omrade=`), where such a character is a 500 on PostgreSQL. Form fields are left to
    the forms: they refuse NUL with a message and keep what the resident wrote.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        texts = [request.path, *request.COOKIES.keys(), *request.COOKIES.values()]
        for key, values in request.GET.lists():
            texts.append(key)
            texts.extend(values)
        if any(UNSTORABLE.search(text) for text in texts):
            # handler400 (portal.views.bad_request) answers with the 400 page.
            raise BadRequest("The path, a query parameter or a cookie holds NUL or a surrogate.")
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Answer 503 with the portal's page when the database cannot be reached.

    Without this a lost connection ends as a 500 and, with DEBUG on, a traceback. The page is
    rendered by `render_without_backends`, so nothing touches the database; the municipality's
    name and contacts come from the cache if it answers.
    `conn_health_checks` in settings makes the next request reconnect by itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_unreachable(exception):
            return None
        logger.warning("Database unavailable, answering 503: %s", exception)
        return service_unavailable(request)


def database_unreachable(exception: BaseException | None) -> bool:
    """Is this error a lost or refused database connection (not a bug such as a bad query)?

    OperationalError also covers "no such table" and friends, which must stay loud errors:
    so it counts only when the connection it came from is gone or no longer answers.
    """
    if isinstance(exception, InterfaceError):
        return True
    if not isinstance(exception, OperationalError):
        return False
    return any(
        conn.connection is None or not conn.is_usable()
        for conn in connections.all(initialized_only=True)
    )


def service_unavailable(request: HttpRequest) -> HttpResponse:
    # The database is gone: the municipality as the cache holds it, or the placeholder.
    response = render_without_backends(request, "503.html", 503, Kommun.objects.cached())
    response["Retry-After"] = RETRY_AFTER
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database error raised outside a view (e.g. loading the session in a
    middleware, or saving it on the way out) still becomes the 503 page, not a 500."""
    if database_unreachable(sys.exception()):
        return service_unavailable(request)
    return render_without_backends(request, "500.html", 500, Kommun.objects.current())


def render_without_backends(
    request: HttpRequest, template: str, status: int, kommun: Kommun
) -> HttpResponse:
    """An error page in the layout, from a context that needs neither the database nor the
    cache: the header's and footer's addresses and the language links, from the context
    processors that only reverse URLs, and the municipality given (Kommun.objects: never
    raises, the placeholder when neither backend answers). No user, session, messages or
    CSRF token: those read the session, which lives in the database."""
    with translation.override(language_of(request)):
        ctx = context_processors.site_urls(request) | context_processors.language_links(request)
        ctx["kommun"] = kommun
        html = loader.render_to_string(template, ctx)
    return HttpResponse(html, status=status)


def language_of(request: HttpRequest) -> str:
    """The page's language from its address (English under /en/, Swedish elsewhere).

    An error page may be made before LocaleMiddleware has activated the request's language,
    and the thread still has the previous request's then."""
    return translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
