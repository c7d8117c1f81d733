"""The public page cache: whole responses for anonymous GET requests, invalidated exactly.

How it stays exact:

- Every cache key contains a *generation* number kept in the cache itself. Saving or
  deleting any model whose data is public (`PUBLIC_MODELS`, connected in `PortalConfig.ready`)
  bumps the generation, so the very next request misses and renders fresh data. The bump
  happens at once and again when the transaction commits, so a page rendered by another
  process between the write and its commit cannot stay cached.
- A publication scheduled for later (`Publicering.publicerad_at` in the future) becomes
  visible at its time: the time of the next scheduled publication is kept beside the
  generation; once it has passed, the first request bumps the generation. Entries also
  expire at local midnight, because pages sort events into "coming" and "past" by date.
- Only anonymous requests without a session or messages cookie are served from or stored
  into the cache; htmx requests and anything but GET bypass it.
- CSRF: a page whose form carries a CSRF token is cached with the token replaced by a
  placeholder, and each response gets a fresh token of its own (and the CSRF cookie that goes
  with it), so no visitor ever receives another visitor's token.

The generation lives in the shared cache (Redis in production, `CACHE_URL`), so every app
process sees the same one; with the per-process local-memory cache use one process only.
`PUBLIC_CACHE=0` switches the whole layer off (the benchmark measures both).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.utils import timezone
from django.utils.translation import get_language

GENERATION_KEY = "public-cache:generation"
NEXT_KEY = "public-cache:next-publication"
# Stored in NEXT_KEY when no publication is scheduled (a timestamp far in the future).
NOTHING_SCHEDULED = 2**40
CSRF_PLACEHOLDER = b"@@public-cache-csrf-token@@"
# A masked CSRF token: 64 characters from Django's CSRF alphabet.
_TOKEN_RE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
# Cookies that make a response personal: a session (logged in, or flash messages) or messages.
_PERSONAL_COOKIES = {settings.SESSION_COOKIE_NAME, "messages"}

# Models whose rows appear on public pages or in open data, as "app_label.ModelName".
# Models that do not exist (yet) are skipped, so this list is the one place to edit.
PUBLIC_MODELS = [
    "omraden.Person",
    "omraden.Fas",
    "omraden.Omrade",
    "omraden.Ledartroja",
    "omraden.Initiativ",
    "omraden.Aktivitet",
    "omraden.Inspel",
    "omraden.Anmalan",
    "uppfoljning.Period",
    "uppfoljning.Uppdrag",
    "uppfoljning.Publicering",
    "uppfoljning.Indikator",
    "uppfoljning.Matvarde",
    "uppfoljning.Rapport",
    "portal.Tillganglighetsredogorelse",
    "portal.KandBrist",
]


def enabled() -> bool:
    return bool(getattr(settings, "PUBLIC_CACHE", True))


def _now() -> float:
    # Through timezone.now(), so tests can move the clock in one place.
    return timezone.now().timestamp()


def _new_generation() -> int:
    # Time-based, so a generation lost to eviction or a restart is never reused.
    return time.time_ns()


def _next_scheduled_publication() -> int:
    """The Unix time of the next publication that is not yet visible (one query)."""
    from uppfoljning.models import Publicering

    nxt = (
        Publicering.objects.filter(publicerad_at__gt=timezone.now())
        .order_by("publicerad_at")
        .values_list("publicerad_at", flat=True)
        .first()
    )
    return int(nxt.timestamp()) if nxt else NOTHING_SCHEDULED


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, _new_generation(), timeout=None)


def invalidate(*, schedule_changed: bool = True) -> None:
    """Make every cached public page stale: now, and again when the transaction commits."""
    _bump()
    if schedule_changed:
        cache.set(NEXT_KEY, _next_scheduled_publication(), timeout=None)
    transaction.on_commit(_bump)


def reset_for_empty_database() -> None:
    """Empty the cache and record that nothing is scheduled (tests: each starts empty)."""
    cache.clear()
    cache.set(NEXT_KEY, NOTHING_SCHEDULED, timeout=None)


def on_public_change(sender: type, **kwargs: Any) -> None:
    """Signal receiver for `post_save`, `post_delete` and `m2m_changed` of PUBLIC_MODELS."""
    if kwargs.get("raw"):
        return  # loaddata: the receivers run again when the data is used
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return  # m2m_changed fires pre_ and post_; one bump is enough
    invalidate(schedule_changed=sender._meta.label == "uppfoljning.Publicering")


def _generation_and_expiry() -> tuple[int, int]:
    """The current generation and the time until which it is valid (no SQL unless needed)."""
    values = cache.get_many([GENERATION_KEY, NEXT_KEY])
    generation = values.get(GENERATION_KEY)
    nxt = values.get(NEXT_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _new_generation(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    if nxt is None:
        nxt = _next_scheduled_publication()
        cache.set(NEXT_KEY, nxt, timeout=None)
    if nxt <= _now():
        # A scheduled publication has become visible: every page may show it now.
        _bump()
        nxt = _next_scheduled_publication()
        cache.set(NEXT_KEY, nxt, timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation, nxt


def _seconds_to_midnight() -> int:
    now = timezone.localtime()
    midnight = timezone.make_aware(
        dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time.min)
    )
    return max(1, int((midnight - now).total_seconds()))


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method != "GET" or request.headers.get("HX-Request"):
        return False
    if _PERSONAL_COOKIES & request.COOKIES.keys():
        return False
    return not request.user.is_authenticated


def _key(request: HttpRequest, generation: int) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"public-cache:page:{generation}:{get_language()}:{path}"


def _strip_csrf_tokens(request: HttpRequest, content: bytes) -> bytes | None:
    """Replace this request's CSRF tokens in `content` by a placeholder.

    Returns None when the page carries a token-like string that is not this request's,
    which we do not understand well enough to cache.
    """
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return None

    def replace(match: re.Match[bytes]) -> bytes:
        token = match.group(0)
        if _unmask_cipher_token(token.decode()) == secret:
            return CSRF_PLACEHOLDER
        return token

    return _TOKEN_RE.sub(replace, content)


def _store(request: HttpRequest, response: HttpResponse, key: str, expiry: int) -> None:
    if response.status_code != 200 or response.streaming or response.cookies:
        return
    content = response.content
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        stripped = _strip_csrf_tokens(request, content)
        if stripped is None:
            return
        content = stripped
    timeout = min(
        settings.PUBLIC_CACHE_TIMEOUT,
        _seconds_to_midnight(),
        max(1, int(expiry - _now())),
    )
    headers = {k: v for k, v in response.items() if k.lower() != "content-length"}
    cache.set(key, (response.status_code, headers, content), timeout)


def _replay(request: HttpRequest, entry: tuple[int, dict[str, str], bytes]) -> HttpResponse:
    status, headers, content = entry
    if CSRF_PLACEHOLDER in content:
        # A fresh token for this visitor; get_token() also makes the middleware set the cookie.
        content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(content, status=status, headers=headers)
    response["X-Public-Cache"] = "hit"
    return response


def public_cache[V: Callable[..., HttpResponse]](view: V) -> V:
    """Cache a public view's whole response for anonymous visitors (see the module docstring)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not enabled() or not _cacheable_request(request):
            return view(request, *args, **kwargs)
        generation, expiry = _generation_and_expiry()
        key = _key(request, generation)
        entry = cache.get(key)
        if entry is not None:
            return _replay(request, entry)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        _store(request, response, key, expiry)
        return response

    return wrapper  # type: ignore[return-value]
