from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from portal import page_cache as public_cache
from portal.lib.env import cache_config
from tests.conftest import make_omrade, make_publicering, make_uppfoljning

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.portal.cache_urls")]

# A Redis for test_it_works_with_redis (REDIS_URL, as scripts/nodes_test.py reads it).
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9")


def _hit(response: object) -> bool:
    return response.headers.get("X-Public-Cache") == "hit"  # type: ignore[attr-defined]


def test_a_second_anonymous_request_is_served_from_the_cache(client: Client) -> None:
    make_publicering(make_uppfoljning(sammanfattning="Första"))
    first = client.get("/statuses/")
    second = client.get("/statuses/")
    assert not _hit(first) and _hit(second)
    assert second.content == first.content == b"F\xc3\xb6rsta"


def test_a_published_change_is_visible_on_the_very_next_request(client: Client) -> None:
    uppf = make_uppfoljning(sammanfattning="Version 1")
    make_publicering(uppf)
    assert client.get("/statuses/").content.decode() == "Version 1"
    assert _hit(client.get("/statuses/"))
    make_publicering(uppf, sammanfattning="Version 2")
    assert client.get("/statuses/").content.decode() == "Version 1|Version 2"


def test_a_draft_is_never_visible(client: Client) -> None:
    assert client.get("/statuses/").content == b"-"
    uppf = make_uppfoljning(sammanfattning="Utkast", status="gron")
    uppf.sammanfattning = "Utkast igen"
    uppf.save()
    assert client.get("/statuses/").content == b"-"
    assert client.get("/statuses/").content == b"-"


def test_hiding_an_area_removes_its_publications_at_once(client: Client) -> None:
    omrade = make_omrade()
    make_publicering(make_uppfoljning(omrade=omrade, sammanfattning="Syns"))
    assert client.get("/statuses/").content == b"Syns"
    omrade.publik = False
    omrade.save()
    assert client.get("/statuses/").content == b"-"


def test_a_scheduled_publication_appears_at_its_time(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = timezone.now() + dt.timedelta(hours=2)
    make_publicering(make_uppfoljning(sammanfattning="Planerad"), publicerad_at=at)
    assert client.get("/statuses/").content == b"-"
    assert _hit(client.get("/statuses/"))
    later = at + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get("/statuses/")
    assert not _hit(response)
    assert response.content == b"Planerad"


def test_a_process_serves_a_page_another_process_stored(client: Client) -> None:
    make_publicering(make_uppfoljning(sammanfattning="Delad"))
    client.get("/statuses/")
    public_cache._local.clear()  # as if the next request reached another app process
    response = client.get("/statuses/")
    assert _hit(response) and response.content == b"Delad"


def test_a_stale_local_copy_gives_way_to_the_current_shared_entry(client: Client) -> None:
    uppf = make_uppfoljning(sammanfattning="Gammal")
    make_publicering(uppf)
    client.get("/statuses/")
    key, old = next(iter(public_cache._local._entries.items()))
    make_publicering(uppf, sammanfattning="Ny")
    assert not _hit(client.get("/statuses/"))
    # Another process still holds the page of the previous generation in its memory.
    public_cache._local.put(key, old)
    response = client.get("/statuses/")
    assert _hit(response) and response.content == b"Gammal|Ny"


def test_a_local_copy_expires_with_the_shared_entry(
    client: Client, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.PUBLIC_CACHE_TIMEOUT = 60
    make_publicering(make_uppfoljning(sammanfattning="Kort"))
    client.get("/statuses/")
    assert _hit(client.get("/statuses/"))
    later = timezone.now() + dt.timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert not _hit(client.get("/statuses/"))


def test_logged_in_users_are_never_served_or_stored(client: Client) -> None:
    make_publicering(make_uppfoljning(sammanfattning="Publik"))
    client.force_login(User.objects.create_user("alice"))
    assert not _hit(client.get("/statuses/"))
    assert not _hit(client.get("/statuses/"))
    assert cache.get(public_cache.GENERATION_KEY) is not None
    anonymous = Client()
    assert not _hit(anonymous.get("/statuses/"))


def _token(response: Any) -> str:
    """The form's CSRF token: 64 characters of Django's alphabet, as Django makes them."""
    return re.search(_TOKEN_RE, response.content.decode()).group(1)


_TOKEN_RE = r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"'


def test_each_visitor_gets_their_own_csrf_token(client: Client) -> None:
    first = client.get("/form/")
    other = Client(enforce_csrf_checks=True)
    second = other.get("/form/")
    assert _hit(second)
    token_1, token_2 = _token(first), _token(second)
    assert token_1 != token_2
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    assert b"@@public-cache" not in second.content
    # The replayed token is valid for the second visitor: their POST passes the CSRF check.
    response = other.post("/form/", {"csrfmiddlewaretoken": token_2})
    assert response.status_code != 403


def test_the_cache_can_be_switched_off(client: Client, settings: Any) -> None:
    settings.PUBLIC_CACHE = False
    client.get("/statuses/")
    assert not _hit(client.get("/statuses/"))


def test_it_works_with_redis(client: Client, settings: Any) -> None:
    import redis
    from django.core.cache.backends.redis import RedisCache

    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {**cache_config(REDIS_URL), "KEY_PREFIX": prefix}}
    try:
        uppf = make_uppfoljning(sammanfattning="Redis 1")
        make_publicering(uppf)
        assert client.get("/statuses/").content == b"Redis 1"
        assert _hit(client.get("/statuses/"))
        make_publicering(uppf, sammanfattning="Redis 2")
        response = client.get("/statuses/")
        assert not _hit(response)
        assert response.content == b"Redis 1|Redis 2"
        assert _hit(client.get("/statuses/"))
        # Another app process (its own connection to Redis) publishes: the next request here
        # renders afresh, because the generation lives in Redis and not in this process.
        other_process = RedisCache(REDIS_URL, settings.CACHES["default"])
        other_process.incr(public_cache.GENERATION_KEY)
        assert not _hit(client.get("/statuses/"))
    finally:
        # Remove only this test's keys: the Redis database may be shared.
        server = redis.Redis.from_url(REDIS_URL)
        keys = list(server.scan_iter(f"{prefix}:*"))
        if keys:
            server.delete(*keys)


def test_a_returning_visitor_gets_a_fresh_token_for_the_secret_they_have() -> None:
    Client().get("/form/")
    visitor = Client(enforce_csrf_checks=True)
    first = visitor.get("/form/")
    second = visitor.get("/form/")
    assert _hit(first) and _hit(second)
    token_1, token_2 = _token(first), _token(second)
    assert token_1 != token_2  # each answer masks the secret afresh
    # The cookie is sent again with the visitor's secret unchanged, so both tokens stay valid.
    assert second.cookies["csrftoken"].value == first.cookies["csrftoken"].value
    for token in (token_1, token_2):
        assert visitor.post("/form/", {"csrfmiddlewaretoken": token}).status_code != 403


def test_a_page_with_a_token_the_cache_did_not_hand_out_is_not_kept(client: Client) -> None:
    # The view took its token from get_token() itself: the page cannot be stored with a
    # placeholder, and keeping it would hand this visitor's token to the next one.
    first = client.get("/bare-token/")
    second = Client().get("/bare-token/")
    assert not _hit(first) and not _hit(second)
    assert first.content != second.content
