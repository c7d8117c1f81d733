"""Redis is a cache, not a dependency: with the Redis of CACHE_URL stopped, the site works.

Each test starts a Redis of its own on a free port (never the machine's 6379), points the
default cache at it, and stops, pauses or restarts it. `make fault-test` does the same
against gunicorn over HTTP (scripts/fault_test.py).
"""

from __future__ import annotations

import logging
import shutil
import signal
import socket
import subprocess
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

pytestmark = pytest.mark.django_db

STATUSES = "/statuses/"  # tests/portal/cache_urls.py: every visible publication's summary


class OwnRedis:
    """A redis-server of this test's own, on a free port, with its data in `folder`."""

    def __init__(self, folder: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        server = shutil.which("redis-server")
        if server is None:
            pytest.fail("redis-server is not installed (Debian: apt-get install redis-server)")
        self.proc = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self, *, keep_data: bool = False) -> None:
        """Shut down; with keep_data the next start loads what it held (its dump file)."""
        assert self.proc is not None
        try:
            redis.Redis(port=self.port).shutdown(save=keep_data, nosave=not keep_data)
        except redis.ConnectionError:
            pass  # the server closes the connection as it goes
        self.proc.wait(10)

    def pause(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)


@pytest.fixture
def own_redis(tmp_path: Path, settings: Any) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    settings.CACHES = {"default": cache_config(server.url)}
    page_cache.reset_for_empty_database()
    yield server
    assert server.proc is not None
    server.resume()
    if server.proc.poll() is None:
        server.proc.kill()
        server.proc.wait(10)


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
def test_a_hung_redis_delays_a_page_by_at_most_the_socket_timeout(
    own_redis: OwnRedis, client: Client
) -> None:
    make_publicering(make_uppfoljning(sammanfattning="Väntar"))
    client.get(STATUSES)
    own_redis.pause()  # accepts connections, never answers
    started = time.monotonic()
    response = client.get(STATUSES)
    elapsed = time.monotonic() - started
    own_redis.resume()
    assert response.status_code == 200 and response.content == "Väntar".encode()
    # One cache round trip times out (redis-py's default would hold it for seconds).
    assert REDIS_SOCKET_TIMEOUT <= elapsed < REDIS_SOCKET_TIMEOUT + 1.5


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
