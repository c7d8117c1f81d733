"""Every mode sees every write: in `make run` (DEBUG=1, SQLite, no CACHE_URL) a write from
another process (a management command, a second server) shows on the very next request.

Two development servers (`manage.py runserver`, as `make run` starts it) share a SQLite file
and the default file cache, each in a folder of this test's own so that a running `make run`
is not disturbed; commands run as separate processes, as a developer runs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.harness import ROOT, harness

AREA = "Kontakt och bemötande"  # the first of Tyresö's areas (datasets/tyreso.py)


@dataclass
class MakeRun:
    env: dict[str, str]
    a: str  # base address of the first server
    b: str  # and of the second

    def manage(self, *args: str) -> str:
        return harness.manage(self.env, *args)


def _development_env(folder: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CACHE_URL", "PUBLIC_CACHE", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        # The default backend (portal/settings.py), in this test's own folder.
        CACHE_URL=f"file://{folder / 'cache'}",
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    return env


def _runserver(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    client = harness.Browser(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if client.request("/ordlista/").status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"runserver did not start: {log.read_text()}")


@pytest.fixture(scope="module")
def make_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeRun]:
    folder = tmp_path_factory.mktemp("make-run")
    env = _development_env(folder)
    harness.manage(env, "migrate", "--no-input", "-v0")
    # As make run does: with a login, the empty portal's front page is a cached public page.
    harness.manage(env, "ensure_dev_superuser")
    ports = [harness.free_port(), harness.free_port()]
    servers = [_runserver(env, port, folder / f"runserver-{port}.log") for port in ports]
    try:
        yield MakeRun(env, *(f"http://127.0.0.1:{port}" for port in ports))
    finally:
        for server in servers:
            harness.stop(server)


def _hit(response: Any) -> bool:
    return response.headers.get("X-Public-Cache") == "hit"


def test_the_default_cache_is_shared_by_every_process_on_the_machine() -> None:
    env = {key: value for key, value in os.environ.items() if key != "CACHE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", DEBUG="1")
    code = "import django, json; django.setup(); from django.conf import settings; "
    code += "print(json.dumps(settings.CACHES['default']))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    default = json.loads(out.stdout)
    assert default["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert default["LOCATION"] == str(ROOT / ".django_cache")


def test_a_command_in_another_process_shows_on_the_next_request(make_run: MakeRun) -> None:
    visitor = harness.Browser(make_run.a)
    assert AREA not in visitor.request("/").body
    assert _hit(visitor.request("/"))  # the empty overview is cached
    make_run.manage("load_dataset", "tyreso", "-v0")
    assert AREA in visitor.request("/").body


def test_an_edit_from_another_process_shows_on_the_next_request(make_run: MakeRun) -> None:
    make_run.manage("load_dataset", "tyreso", "-v0")
    visitor = harness.Browser(make_run.a)
    visitor.request("/omraden/unga/")
    page = visitor.request("/omraden/unga/")
    assert _hit(page) and "Unga i Tyresö" not in page.body
    make_run.manage(
        "shell",
        "-v0",
        "-c",
        "from omraden.models import Omrade; o = Omrade.objects.get(slug='unga'); "
        "o.kortnamn = 'Unga i Tyresö'; o.save()",
    )
    assert "Unga i Tyresö" in visitor.request("/omraden/unga/").body


def test_a_write_through_a_second_server_shows_on_the_next_request(make_run: MakeRun) -> None:
    pk = make_run.manage(
        "shell",
        "-v0",
        "-c",
        "import datetime as dt; from omraden.models import Aktivitet; "
        "print(Aktivitet.objects.create(titel='Promenad', kapacitet=5, "
        "datum=dt.date.today() + dt.timedelta(days=7)).pk)",
    ).strip()
    path = f"/aktiviteter/{pk}/"
    on_a = harness.Browser(make_run.a)
    on_a.request(path)
    page = on_a.request(path)
    assert _hit(page) and "5 platser kvar av 5" in page.body
    on_b = harness.Browser(make_run.b)
    token = on_b.csrf_from(path)
    signed_up = on_b.request(
        f"{path}anmalan/",
        {"csrfmiddlewaretoken": token, "namn": "Eva", "epost": "eva@example.se", "behov": ""},
    )
    assert signed_up.status == 302
    assert "4 platser kvar av 5" in on_a.request(path).body
