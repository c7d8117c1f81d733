"""Site-wide middleware: a Permissions-Policy header and a calm 503 when the database is gone."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

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


class DatabaseUnavailableMiddleware:
    """Answer 503 with a plain Swedish page when the database cannot be reached.

    Without this a lost connection ends as a 500 and, with DEBUG on, a traceback. The page is
    rendered from a template without any context processor, so nothing touches the database.
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
        return service_unavailable()


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


def service_unavailable() -> HttpResponse:
    # Rendered without a request: no context processors, no session, no user, no queries.
    html = loader.get_template("503.html").render({})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = RETRY_AFTER
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database error raised outside a view (e.g. loading the session in a
    middleware, or saving it on the way out) still becomes the 503 page, not a 500."""
    if database_unreachable(sys.exception()):
        return service_unavailable()
    return defaults.server_error(request)
