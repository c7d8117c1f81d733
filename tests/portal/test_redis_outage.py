"""Redis is a cache, not a dependency: with the Redis of CACHE_URL stopped, the site works.

Each test starts a Redis of its own on a free port (never the machine's 6379; the scripts'
RedisServer), points the default cache at it, and stops, pauses or restarts it.
`make fault-test` does the same against gunicorn over HTTP (scripts/fault_test.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from axes.models import AccessAttempt
from django.test import Client

from omraden.models import Inspel
from portal import page_cache
from portal.lib.env import REDIS_SOCKET_TIMEOUT, cache_config
from tests.cast import Cast, make_cast
from tests.conftest import make_inspel, make_publicering, make_uppfoljning, make_user
from tests.harness import harness

pytestmark = pytest.mark.django_db

STATUSES = "/statuses/"  # tests/portal/cache_urls.py: every visible publication's summary

# scripts/_harness.py's RedisServer (the harness is loaded at run time).
OwnRedis = Any


@pytest.fixture
def own_redis(tmp_path: Path, settings: Any) -> Iterator[OwnRedis]:
    server = harness.RedisServer(tmp_path)
    server.start()
    settings.CACHES = {"default": cache_config(server.url)}
    page_cache.reset_for_empty_database()
    yield server
    server.kill()


def _hit(response: Any) -> bool:
    return response.headers.get("X-Public-Cache") == "hit"


@pytest.mark.urls("tests.portal.cache_urls")
def test_pages_are_rendered_from_the_database_while_redis_is_down(
    own_redis: OwnRedis, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    uppf = make_uppfoljning(sammanfattning="Före")
    make_publicering(uppf)
    client.get(STATUSES)
    assert _hit(client.get(STATUSES))
    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="portal.page_cache"):
        # A write while Redis is down is saved, and shows on the very next request.
        make_publicering(uppf, sammanfattning="Under")
        first = client.get(STATUSES)
        second = client.get(STATUSES)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content == b"F\xc3\xb6re|Under"
    assert not _hit(first) and not _hit(second)  # nothing stored, nothing replayed
    outage_lines = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outage_lines) == 1  # the outage is logged once, not at every request


@pytest.mark.urls("tests.portal.cache_urls")
def test_pages_are_cached_again_once_redis_is_back_without_a_restart(
    own_redis: OwnRedis, client: Client
) -> None:
    make_publicering(make_uppfoljning(sammanfattning="Alltid"))
    own_redis.stop()
    assert not _hit(client.get(STATUSES))
    own_redis.start()  # empty, as a Redis restarted without its data
    assert not _hit(client.get(STATUSES))
    response = client.get(STATUSES)
    assert _hit(response) and response.content == b"Alltid"


@pytest.mark.urls("tests.portal.cache_urls")
def test_a_write_during_the_outage_shows_when_redis_returns_with_its_old_pages(
    own_redis: OwnRedis, client: Client
) -> None:
    uppf = make_uppfoljning(sammanfattning="Gammal")
    make_publicering(uppf)
    pages = [STATUSES, f"{STATUSES}?sida=2"]  # two entries of the same data
    for page in pages:
        client.get(page)
        assert _hit(client.get(page))
    own_redis.stop(keep_data=True)
    make_publicering(uppf, sammanfattning="Ny")  # its bump cannot reach Redis
    assert client.get(STATUSES).content == b"Gammal|Ny"
    own_redis.start()  # back with the old generation and the old pages
    assert redis.Redis(port=own_redis.port).dbsize() > 0
    for page in pages:
        response = client.get(page)
        assert not _hit(response) and response.content == b"Gammal|Ny"
        assert _hit(client.get(page))


@pytest.mark.urls("tests.portal.cache_urls")
def test_a_hung_redis_costs_a_process_one_socket_timeout_per_retry_interval(
    own_redis: OwnRedis, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page_cache, "RETRY_INTERVAL", 60)
    make_publicering(make_uppfoljning(sammanfattning="Väntar"))
    client.get(STATUSES)
    own_redis.pause()  # accepts connections, never answers
    timings = []
    for _ in range(3):
        started = time.monotonic()
        response = client.get(STATUSES)
        timings.append(time.monotonic() - started)
        assert response.status_code == 200 and response.content == "Väntar".encode()
    own_redis.resume()
    # The first request waits for one cache round trip to time out (redis-py's default would
    # hold it for seconds); the next ones leave the cache alone.
    assert REDIS_SOCKET_TIMEOUT <= timings[0] < REDIS_SOCKET_TIMEOUT + 1.5
    assert max(timings[1:]) < REDIS_SOCKET_TIMEOUT


def test_the_input_form_works_while_redis_is_down(
    own_redis: OwnRedis, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    own_redis.stop()
    assert client.get("/tyck-till/").status_code == 200
    with caplog.at_level(logging.WARNING, logger="omraden.services"):
        response = client.post(
            "/tyck-till/", {"typ": "ide", "text": "Fler bänkar vid sjön.", "webbplats": ""}
        )
    assert response.status_code == 302 and response["Location"].endswith("/tyck-till/tack/")
    assert Inspel.objects.filter(text="Fler bänkar vid sjön.").exists()
    # The rate limit fails open, and says so in the log.
    assert any("Rate limit 'inspel' not counted" in r.getMessage() for r in caplog.records)


def test_login_works_and_failures_are_still_counted_while_redis_is_down(
    own_redis: OwnRedis, client: Client, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_user("anna", password="ett-langt-losenord-77")
    own_redis.stop()
    assert client.get("/konto/logga-in/").status_code == 200
    wrong = client.post("/konto/logga-in/", {"username": "anna", "password": "fel"})
    assert wrong.status_code == 200
    # Lockouts are counted in the database (django-axes), not in Redis.
    assert AccessAttempt.objects.get(username="anna").failures_since_start == 1
    right = client.post(
        "/konto/logga-in/", {"username": "anna", "password": "ett-langt-losenord-77"}
    )
    assert right.status_code == 302 and right["Location"] == "/arbetsyta/"
    assert client.get("/arbetsyta/").status_code == 200


def test_logged_in_staff_keep_working_while_redis_is_down(own_redis: OwnRedis) -> None:
    cast: Cast = make_cast()
    inspel = make_inspel(omrade=cast.omrade_a, status=Inspel.Status.NY, text="Mer ljus i parken.")
    area_page = f"/omraden/{cast.omrade_a.slug}/"
    Client().get(area_page)  # cached without the input
    staff = Client()
    staff.force_login(cast.users["ledartroja_a"])
    own_redis.stop()
    assert staff.get("/arbetsyta/").status_code == 200
    response = staff.post(
        f"/arbetsyta/inspel/{inspel.pk}/",
        {"action": "approve", "publicerad_text": "Mer ljus i parken."},
    )
    assert response.status_code == 302
    assert staff.get(response["Location"]).status_code == 200
    assert "Mer ljus i parken." in Client().get(area_page).content.decode()
    own_redis.start()
    assert "Mer ljus i parken." in Client().get(area_page).content.decode()
