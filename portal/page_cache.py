"""The public page cache: whole responses for anonymous GET requests, invalidated exactly.

How it is fast: `PublicCacheMiddleware` sits right after WhiteNoise and answers a hit before
sessions, locale, CSRF, auth, messages, CSP and the rest of the stack run, with one cache
round trip (the generation, the next scheduled publication and the page in one `get_many`).
Each app process also keeps the pages it served most recently in its own memory (a few
megabytes, `LOCAL_BYTES`), so that a hit on a large page fetches only the two small numbers
from the shared cache and not the page again; a local copy counts only under the same
conditions as the shared entry (current generation, not past its expiry time).
The entry carries every header the full stack set on the response it was made from (CSP,
X-Frame-Options, Vary, Content-Language…); the middleware before it (security headers,
Permissions-Policy) runs on hits as on misses. A miss goes through the whole stack; views
marked `@public_cache` say their response may be kept, and the middleware stores it on its
way out, with the headers the stack added.

How it stays exact:

- Every entry carries the *generation* number (kept in the cache itself) it was rendered
  under; a hit needs the entry's generation to be the current one. Saving or deleting a row
  that a public page can show (`PUBLIC_MODELS`, connected in `PortalConfig.ready`) bumps the
  generation, so the very next request misses and renders fresh data. The bump happens at
  once and again when the transaction commits, so a page rendered by another process between
  the write and its commit cannot stay cached. A new or deleted row that no resident can see
  by its model's own rule (`visible_to`; for sign-ups `confirmed()`) changes no public page
  and does not bump it: input awaiting moderation, a place on the waiting list, a
  publication due later. Any update bumps, since it may be the change that shows the row.
- A publication scheduled for later (`Publicering.publicerad_at` in the future) becomes
  visible at its time: the time of the next scheduled publication is kept beside the
  generation; once it has passed, the first request bumps the generation. Entries also
  expire at local midnight, because pages sort events into "coming" and "past" by date.
- Only anonymous requests without a session or messages cookie are served from or stored
  into the cache (without a session cookie no one is logged in); htmx requests and anything
  but GET bypass it. The language is part of the key, decided from the URL as
  LocaleMiddleware decides it (Swedish at the plain address, English under /en/); an entry
  is stored only if the view rendered in that language.
- CSRF: templates get their token through `csrf_token()` (the `csrf_token` of
  `portal.context_processors.csrf`), which is Django's `get_token()` and notes the token on
  the request. A page is cached with exactly those tokens replaced by a placeholder, and each
  hit gets a fresh token of its own from `get_token()` (and the CSRF cookie that goes with
  it, set by Django's CsrfViewMiddleware), so no visitor ever receives another visitor's
  token. A page that set the CSRF cookie without a noted token is not cached.

The generation lives in the shared cache (Redis in production, `CACHE_URL`; by default files
in .django_cache/ that every process on the machine shares), so every app process sees the
same one; a per-process `locmem://` cache suits one process only. `PUBLIC_CACHE=0` switches
the whole layer off (the benchmark measures both).

The cache is not a dependency. While it is unreachable (Redis stopped: one of `CACHE_ERRORS`)
every request is a miss rendered from the database and nothing is stored, and a write cannot
bump the generation. So a process that met the outage bumps it once at its first contact
after it (a cache that kept its data, after a network fault or a restart from its dump, would
otherwise serve pages from before those writes). A stopped Redis refuses at once; a hung or
unreachable one makes each try wait for the socket timeout, so after a timeout a process
leaves the cache alone for RETRY_INTERVAL: one timeout per interval, not one per request.
Each process logs the outage once and the recovery once.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.cache import cache
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils import timezone, translation
from redis.exceptions import TimeoutError as RedisTimeoutError

from portal.lib.env import CACHE_ERRORS
from portal.viewer import Viewer

log = logging.getLogger(__name__)

GENERATION_KEY = "public-cache:generation"
NEXT_KEY = "public-cache:next-publication"
# Stored in NEXT_KEY when no publication is scheduled (a timestamp far in the future).
NOTHING_SCHEDULED = 2**40
CSRF_PLACEHOLDER = b"@@public-cache-csrf-token@@"
# The request attribute listing the CSRF tokens `csrf_token()` handed out while it rendered.
_TOKENS = "public_cache_csrf_tokens"
# Cookies that make a response personal: a session (logged in, or flash messages) or messages.
_PERSONAL_COOKIES = {settings.SESSION_COOKIE_NAME, "messages"}

# Bytes of page content each process keeps in memory beside the shared cache (LRU).
LOCAL_BYTES = 16 * 1024 * 1024
# Part of each page key: entries written in an older shape are never read back.
_KEY_VERSION = "v2"

# A view marked @public_cache sets this attribute on its response: the language it rendered in.
_MARK = "public_cache_language"

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
    "kommun.Kommun",
]


class _LocalPages:
    """This process's most recently served entries, at most LOCAL_BYTES of content (LRU)."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[Any, ...]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[Any, ...] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: tuple[Any, ...]) -> None:
        size = _entry_size(entry)
        if size > LOCAL_BYTES:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= _entry_size(old)
            self._entries[key] = entry
            self._size += size
            while self._size > LOCAL_BYTES:
                _key, dropped = self._entries.popitem(last=False)
                self._size -= _entry_size(dropped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0


def _entry_size(entry: tuple[Any, ...]) -> int:
    return sum(len(part) for part in entry[-1])


_local = _LocalPages()

# Set while this process last found the cache unreachable (module docstring).
_cache_down = threading.Event()
# Seconds after a timeout before the cache is tried again, and the time.monotonic() until then.
RETRY_INTERVAL = 2.0
_retry_at = 0.0


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


def _unreachable(error: Exception) -> None:
    """Note that the cache failed; the first failure of an outage is logged."""
    global _retry_at
    if isinstance(error, RedisTimeoutError):
        _retry_at = time.monotonic() + RETRY_INTERVAL
    if not _cache_down.is_set():
        _cache_down.set()
        log.warning(
            "The cache is unreachable (%s): public pages are rendered from the database and "
            "not stored until it is back",
            error,
        )


def _recover() -> None:
    """At the first contact after an outage: make every page stored before it stale.

    The writes made meanwhile could not bump the generation; a publication scheduled meanwhile
    is looked up again by the next request (NEXT_KEY deleted).
    """
    if _cache_down.is_set():
        _bump()
        cache.delete(NEXT_KEY)
        _cache_down.clear()
        log.warning("The cache is reachable again: public pages are stored anew")


def _resting() -> bool:
    """Whether the cache timed out a moment ago and is not to be tried yet."""
    return time.monotonic() < _retry_at


def _note_schedule() -> None:
    if _resting():
        return  # _recover() makes the next request look the schedule up
    try:
        cache.set(NEXT_KEY, _next_scheduled_publication(), timeout=None)
    except CACHE_ERRORS as error:
        _unreachable(error)


def _bump_after_commit() -> None:
    if _resting():
        return  # _recover() bumps when the cache is tried again
    try:
        _bump()
    except CACHE_ERRORS as error:
        _unreachable(error)


def invalidate(*, schedule_changed: bool = True) -> None:
    """Make every cached public page stale: now, and again when the transaction commits.

    With the cache unreachable the write goes on; the bump follows when the cache is back.
    """
    if not _resting():
        try:
            _recover()
            _bump()
            if schedule_changed:
                cache.set(NEXT_KEY, _next_scheduled_publication(), timeout=None)
        except CACHE_ERRORS as error:
            _unreachable(error)
    transaction.on_commit(_bump_after_commit)


def reset_for_empty_database() -> None:
    """Empty the cache and record that nothing is scheduled (tests: each starts empty)."""
    global _retry_at
    cache.clear()
    _local.clear()
    _cache_down.clear()
    _retry_at = 0.0
    cache.set(NEXT_KEY, NOTHING_SCHEDULED, timeout=None)


def _rows_shown(model: type[models.Model]) -> models.QuerySet[Any] | None:
    """The rows of `model` that public pages show, by the model's own rule; None if it has no
    rule (any of its rows may be on a page)."""
    manager: Any = model._default_manager
    if model._meta.label == "omraden.Anmalan":
        # Sign-ups are on public pages only as the seats taken: the confirmed ones.
        return manager.confirmed()
    if hasattr(manager, "visible_to"):
        return manager.visible_to(Viewer.resident())
    return None


def _shown(model: type[models.Model], instance: models.Model) -> bool:
    """Whether a resident can see this row now (one query for a model with a rule)."""
    rows = _rows_shown(model)
    return rows is None or rows.filter(pk=instance.pk).exists()


def _schedules(model: type[models.Model]) -> bool:
    return model._meta.label == "uppfoljning.Publicering"


def on_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """`post_save` receiver for PUBLIC_MODELS (connected in PortalConfig.ready)."""
    if kwargs.get("raw"):
        return  # loaddata: the receivers run again when the data is used
    if kwargs.get("created") and not _shown(sender, instance):
        # Resident input and sign-ups arrive often and most change no public page (input
        # awaits moderation, a place on the waiting list takes no seat). A publication due
        # later shows at its time, which the schedule must know.
        if _schedules(sender):
            _note_schedule()
        return
    # A new row residents see, or any update (it may be the approval, the answer or the
    # cancellation a page shows).
    invalidate(schedule_changed=_schedules(sender))


def on_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """`pre_delete` receiver for PUBLIC_MODELS: before the row is gone, to ask whether it
    was shown. Django deletes in a transaction, so the bump on commit follows the delete."""
    if _shown(sender, instance):
        invalidate(schedule_changed=_schedules(sender))


def on_m2m_change(sender: type[models.Model], action: str, **kwargs: Any) -> None:
    """`m2m_changed` receiver for the many-to-many fields of PUBLIC_MODELS."""
    if action.startswith("post_"):  # it fires pre_ and post_; one bump is enough
        invalidate(schedule_changed=False)


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


def _lookup(key: str) -> tuple[int, int, tuple[Any, ...] | None]:
    """The generation, its expiry and the page stored under `key` if still current.

    One cache round trip in the common case; the slow path (no generation yet, nothing known
    about scheduled publications, or one has become due) is `_generation_and_expiry`. With a
    local copy of the page only the generation and the next publication are fetched; the
    copy is used under the very rules the shared entry is (current generation, not expired).
    """
    local = _local.get(key)
    keys = [GENERATION_KEY, NEXT_KEY] if local is not None else [GENERATION_KEY, NEXT_KEY, key]
    values = cache.get_many(keys)
    generation = values.get(GENERATION_KEY)
    nxt = values.get(NEXT_KEY)
    now = _now()
    if generation is None or nxt is None or nxt <= now:
        generation, nxt = _generation_and_expiry()
        return generation, nxt, None
    if local is not None and local[0] == generation and local[1] > now:
        return generation, nxt, local
    if local is not None:
        # The local copy is stale; another process may have stored a current page since.
        entry = cache.get(key)
    else:
        entry = values.get(key)
    if entry is None or entry[0] != generation or entry[1] <= now:
        return generation, nxt, None
    _local.put(key, entry)
    return generation, nxt, entry


def _seconds_to_midnight() -> int:
    now = timezone.localtime()
    midnight = timezone.make_aware(
        dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time.min)
    )
    return max(1, int((midnight - now).total_seconds()))


def _cacheable_request(request: HttpRequest) -> bool:
    # Without a session cookie no one is logged in: the portal authenticates by session only.
    if request.method != "GET" or "HTTP_HX_REQUEST" in request.META:
        return False
    return not (_PERSONAL_COOKIES & request.COOKIES.keys())


def _language(request: HttpRequest) -> str:
    """The language LocaleMiddleware will activate for this request, without activating it."""
    urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
    i18n_patterns_used, prefixed_default_language = is_language_prefix_patterns_used(urlconf)
    from_path = translation.get_language_from_path(request.path_info)
    if not from_path and i18n_patterns_used and not prefixed_default_language:
        return settings.LANGUAGE_CODE
    return translation.get_language_from_request(request, check_path=i18n_patterns_used)


def _key(request: HttpRequest, language: str) -> str:
    # Scheme and host too: pages build their absolute links from the request.
    path = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"public-cache:page:{_KEY_VERSION}:{language}:{path}"


def csrf_token(request: HttpRequest) -> str:
    """Django's `get_token(request)`, noted on the request so that `_store` can find it."""
    token = get_token(request)
    handed_out = getattr(request, _TOKENS, None)
    if handed_out is None:
        handed_out = []
        setattr(request, _TOKENS, handed_out)
    handed_out.append(token)
    return token


def _store(
    request: HttpRequest, response: HttpResponse, key: str, generation: int, expiry: int
) -> None:
    if response.status_code != 200 or response.streaming:
        return
    content = response.content
    cookies = set(response.cookies)
    if settings.CSRF_COOKIE_NAME in cookies:
        # The page asked for a CSRF token (the cookie goes with it): keep a placeholder where
        # each token handed out was. A token handed out some other way cannot be found, and
        # it is this visitor's own: such a page is not kept.
        cookies.discard(settings.CSRF_COOKIE_NAME)
        handed_out = getattr(request, _TOKENS, [])
        if not handed_out:
            return
        for token in handed_out:
            content = content.replace(token.encode(), CSRF_PLACEHOLDER)
    if cookies:
        return  # something personal was set for this visitor
    timeout = min(
        settings.PUBLIC_CACHE_TIMEOUT,
        _seconds_to_midnight(),
        max(1, int(expiry - _now())),
    )
    headers = {k: v for k, v in response.items() if k.lower() != "content-length"}
    # Split at the placeholders now, so that a hit joins the parts with its token instead of
    # searching the whole page for them.
    parts = tuple(content.split(CSRF_PLACEHOLDER))
    entry = (generation, _now() + timeout, response.status_code, headers, parts)
    cache.set(key, entry, timeout)
    _local.put(key, entry)


class PublicCacheMiddleware:
    """Serve and store `@public_cache` pages; place it right after WhiteNoise (module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Django's own CSRF code sets a hit's token cookie exactly as on a miss.
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled() or not _cacheable_request(request):
            return self.get_response(request)
        # Host validation is CommonMiddleware's on a miss; a hit must refuse a bad host too.
        request.get_host()
        language = _language(request)
        key = _key(request, language)
        if _resting():
            return self.get_response(request)
        try:
            _recover()
            generation, expiry, entry = _lookup(key)
        except CACHE_ERRORS as error:
            # Rendered from the database like a miss, and not stored.
            _unreachable(error)
            return self.get_response(request)
        if entry is not None:
            return self._replay(request, entry)
        response = self.get_response(request)
        if getattr(response, _MARK, None) == language:
            try:
                _store(request, response, key, generation, expiry)
            except CACHE_ERRORS as error:
                _unreachable(error)
        return response

    def _replay(self, request: HttpRequest, entry: tuple[Any, ...]) -> HttpResponse:
        _generation, _expires, status, headers, parts = entry
        response = HttpResponse(status=status, headers=headers)
        if len(parts) > 1:
            # A fresh token for this visitor (their own cookie's secret if they have one).
            self.csrf.process_request(request)
            content = get_token(request).encode().join(parts)
            self.csrf.process_response(request, response)
        else:
            content = parts[0]
        response.content = content
        response["Content-Length"] = str(len(content))
        response["X-Public-Cache"] = "hit"
        return response


def public_cache[V: Callable[..., HttpResponse]](view: V) -> V:
    """Let PublicCacheMiddleware keep this view's response for anonymous visitors."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        user = getattr(request, "user", None)
        if enabled() and _cacheable_request(request) and not (user and user.is_authenticated):
            setattr(response, _MARK, translation.get_language())
        return response

    return wrapper  # type: ignore[return-value]
