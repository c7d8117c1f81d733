"""Shared pieces of the production scripts: a fresh PostgreSQL database, gunicorn, HTTP.

Only the standard library and the project's own dependencies: the scripts run in CI.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PG_HOST = os.environ.get("PGHOST", "127.0.0.1")


def say(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(database: str, **extra: str) -> dict[str, str]:
    """DEBUG=0 settings for plain HTTP on 127.0.0.1 (no TLS in a local test)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": "script-" + "s" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        # Required with DEBUG=0 (portal/checks.py); only e-mail from commands uses it.
        "SITE_URL": "https://127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@{PG_HOST}:5432/{database}",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        # Persistent connections: recovery must come from conn_health_checks, not luck.
        "DB_CONN_MAX_AGE": "60",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def fresh_database(name: str, env: dict[str, str]) -> None:
    """Drop and create `name`, migrate it, load the real data set, collect static files."""
    for sql in [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"']:
        subprocess.run(
            ["psql", "-h", PG_HOST, "-U", "postgres", "-d", "postgres", "-qc", sql], check=True
        )
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "load_dataset", "tyreso", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")


def drop_database(name: str) -> None:
    subprocess.run(
        [
            "psql",
            "-h",
            PG_HOST,
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-qc",
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        ],
        check=False,
    )


def start_gunicorn(env: dict[str, str], port: int, workers: int = 2) -> subprocess.Popen[bytes]:
    # The server's log goes to a file, not a pipe: during an outage every failed request logs
    # a traceback, and a pipe nobody reads fills up and blocks the workers mid-request.
    log = tempfile.NamedTemporaryFile(prefix=f"gunicorn-{port}-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [
            GUNICORN,
            "portal.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"gunicorn did not start on port {port}: {Path(log.name).read_text()}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Response:
    status: int
    body: str
    headers: dict[str, str]


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects (to see PRG's 302)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(
        self, path: str, data: dict[str, str] | None = None, timeout: float = 10
    ) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        if data is not None:
            req.add_header("Referer", self.base + path)
        try:
            with self.opener.open(req, timeout=timeout) as r:
                return Response(r.status, r.read().decode("utf-8", "replace"), dict(r.headers))
        except urllib.error.HTTPError as e:
            return Response(e.code, e.read().decode("utf-8", "replace"), dict(e.headers))

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def set_cookie_from(self, other: Browser, name: str) -> None:
        for c in other.jar:
            if c.name == name:
                self.jar.set_cookie(c)

    def csrf_from(self, path: str) -> str:
        page = self.request(path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if not match:
            raise SystemExit(f"No CSRF token in {path} (status {page.status})")
        return match.group(1)


class RedisServer:
    """A redis-server of the caller's own on a free port (never the machine's 6379), with its
    dump file in `folder`: stopped, paused and started again to play an outage of CACHE_URL."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def _client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1)

    def ready(self) -> bool:
        try:
            return bool(self._client().ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server is not installed (Debian: apt-get install redis-server)")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.ready():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self, *, keep_data: bool = False) -> None:
        """Shut down; with keep_data it writes its dump and the next start loads it."""
        assert self.proc is not None
        try:
            self._client().shutdown(save=keep_data, nosave=not keep_data)
        except redis.ConnectionError:
            pass  # the server closes the connection as it goes
        self.proc.wait(10)

    def pause(self) -> None:
        """Freeze the process: connections are accepted and never answered."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        """End it however it is (running, paused or gone): for clean-up."""
        if self.proc is not None and self.proc.poll() is None:
            self.resume()
            self.proc.kill()
            self.proc.wait(10)
