#!/usr/bin/env python
"""Faults survived, while gunicorn serves a steady stream of requests:

1. PostgreSQL restarted: during the outage requests get the Swedish 503 page (never a
   traceback), the portal recovers by itself (gunicorn is not restarted; conn_health_checks
   reconnects), and every write confirmed to the client (the resident input form answering
   302 to its thank-you page) exists as a row afterwards.
2. The Redis of CACHE_URL stopped, then paused (it accepts connections and never answers):
   public pages, the input form, logins and logged-in staff get no 5xx; a staff approval
   made during the outage shows on the public page once Redis is back with its old data, and
   pages are cached again without a restart. Prints requests, 5xx and the recovery time (from
   Redis answering again until a public page is a cache hit).

Uses its own database and a Redis of its own on a free port (never the machine's 6379);
restarts the local PostgreSQL cluster once, for a few seconds, and it is always running
again when the script ends.

Run: `make fault-test` (needs root or the postgres user for pg_ctlcluster, and redis-server).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (  # noqa: E402
    ROOT,
    Browser,
    RedisServer,
    drop_database,
    free_port,
    fresh_database,
    manage,
    production_env,
    say,
    start_gunicorn,
    stop,
)

DATABASE = "kommungemensamt_fault"
VERSION = os.environ.get("PG_VERSION") or sorted(os.listdir("/etc/postgresql"))[-1]


def pg(action: str, *options: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", VERSION, "main", action, *options],
        check=True,
        capture_output=True,
    )


def pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0


STAFF = "felsok"
PASSWORD = "fault-test-" + uuid.uuid4().hex
SETUP = f"""
from django.contrib.auth.models import Group, User
user = User.objects.create_user({STAFF!r}, password={PASSWORD!r})
user.groups.add(Group.objects.get(name="moderator"))
"""
# Public pages the residents' clients load during the Redis outage (all cacheable).
PUBLIC_PAGES = [
    "/",
    "/omraden/kontakt-och-bemotande/",
    "/tyck-till/",
    "/aktiviteter/",
    "/uppfoljning/",
    "/ordlista/",
    "/en/",
]


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Restart PostgreSQL and stop an own Redis under load (module docstring)."
    )
    parser.add_argument(
        "--only",
        choices=["postgres", "redis"],
        help="run one fault only (the PostgreSQL restart stops the machine's cluster)",
    )
    only = parser.parse_args().only
    cache = RedisServer(Path(tempfile.mkdtemp(prefix="fault-test-redis-")))
    cache.start()
    env = production_env(DATABASE, INSPEL_RATE="100000/m", CACHE_URL=cache.url)
    say(f"Preparing database {DATABASE}; the Redis of CACHE_URL on port {cache.port}")
    fresh_database(DATABASE, env)
    manage(env, "shell", "-v0", "-c", SETUP)
    port = free_port()
    server = start_gunicorn(env, port, workers=2)
    base = f"http://127.0.0.1:{port}"
    run = uuid.uuid4().hex[:8]
    failures: list[str] = []
    try:
        if only != "redis":
            failures += postgres_restart(base, server, env, run)
        if only != "postgres":
            failures += redis_outage(base, cache, run)
        if server.poll() is not None:
            failures.append("gunicorn exited")
    finally:
        if not pg_ready():
            pg("start")
        stop(server)
        cache.kill()
        shutil.rmtree(cache.folder, ignore_errors=True)
    drop_database(DATABASE)
    if failures:
        say("FAILED: " + "; ".join(failures))
        return 1
    say("OK")
    return 0


def postgres_restart(
    base: str, server: subprocess.Popen[bytes], env: dict[str, str], run: str
) -> list[str]:
    """Restart PostgreSQL while four clients post input: 503 meanwhile, nothing lost."""
    confirmed: list[str] = []
    outcomes: Counter[str] = Counter()
    bad: list[str] = []
    stop_writing = threading.Event()

    def writer(n: int) -> None:
        client = Browser(base)
        i = 0
        while not stop_writing.is_set():
            i += 1
            text = f"fault-test {run} writer {n} write {i}"
            try:
                token = client.csrf_from("/tyck-till/")
                r = client.request(
                    "/tyck-till/",
                    {"csrfmiddlewaretoken": token, "typ": "ide", "text": text, "webbplats": ""},
                )
            except (SystemExit, OSError) as e:
                outcomes["no answer"] += 1
                if "status 503" not in str(e):
                    bad.append(f"{type(e).__name__}: {e}")
                else:
                    outcomes["503"] += 1
                time.sleep(0.1)
                continue
            if r.status == 302 and r.headers.get("Location", "").endswith("/tyck-till/tack/"):
                confirmed.append(text)
                outcomes["confirmed"] += 1
            elif r.status == 503:
                outcomes["503"] += 1
                if "Tjänsten är tillfälligt otillgänglig" not in r.body or "Traceback" in r.body:
                    bad.append("a 503 without the Swedish page")
            else:
                outcomes[str(r.status)] += 1
                bad.append(f"unexpected status {r.status}")
            time.sleep(0.02)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    try:
        for t in threads:
            t.start()
        # Each gunicorn worker needs a few seconds for its first request: wait for writes.
        deadline = time.monotonic() + 60
        while outcomes["confirmed"] < 20 and time.monotonic() < deadline:
            time.sleep(0.5)
        before = outcomes["confirmed"]
        say(f"Writing: {before} confirmed writes so far; restarting PostgreSQL {VERSION}")
        t0 = time.monotonic()
        pg("stop", "-m", "fast")
        time.sleep(2)  # an outage long enough for several requests to meet it
        pg("start")
        while not pg_ready():
            time.sleep(0.2)
        say(f"PostgreSQL back after {time.monotonic() - t0:.1f} s")
        time.sleep(4)
        stop_writing.set()
        for t in threads:
            t.join()
        # Recovery without restarting the app: the same gunicorn answers normally now.
        check = Browser(base)
        home = check.request("/")
        recovered = home.status == 200 and server.poll() is None
    finally:
        stop_writing.set()
        if not pg_ready():
            pg("start")

    sys.path.insert(0, str(ROOT))
    os.environ.update(env)
    import django

    django.setup()
    from omraden.models import Inspel

    stored = set(
        Inspel.objects.filter(text__startswith=f"fault-test {run} writer").values_list(
            "text", flat=True
        )
    )
    lost = [t for t in confirmed if t not in stored]
    from django.db import connections

    connections.close_all()

    say(f"Outcomes: {dict(outcomes)}; rows stored: {len(stored)}; confirmed and lost: {len(lost)}")
    failures = []
    if outcomes["503"] == 0:
        failures.append("no request met the outage (no 503 seen)")
    if not recovered:
        failures.append(f"the portal did not recover by itself (home page {home.status})")
    if outcomes["confirmed"] <= before:
        failures.append("no write was confirmed after the restart")
    if lost:
        failures.append(f"{len(lost)} confirmed writes are missing, e.g. {lost[:3]}")
    failures += sorted(set(bad))
    if not failures:
        say(
            f"PostgreSQL restart OK: {outcomes['503']} requests answered 503 during the "
            f"restart, the portal recovered without a restart, all {len(confirmed)} confirmed "
            "writes are stored."
        )
    return failures


@dataclass
class Answer:
    phase: str
    what: str
    status: int
    seconds: float
    hit: bool


def redis_outage(base: str, cache: RedisServer, run: str) -> list[str]:
    """Stop the Redis of CACHE_URL, start it again with its data, pause it: see module doc."""
    answers: list[Answer] = []
    phase = ["before"]
    bad: list[str] = []
    stop_load = threading.Event()

    def note(what: str, client: Browser, path: str, data: dict[str, str] | None = None) -> int:
        during, started = phase[0], time.monotonic()
        try:
            r = client.request(path, data)
        except OSError as e:
            bad.append(f"{what}: no answer ({type(e).__name__})")
            return 0
        hit = r.headers.get("X-Public-Cache") == "hit"
        answers.append(Answer(during, what, r.status, time.monotonic() - started, hit))
        if r.status >= 500:
            bad.append(f"{what} {path}: {r.status} during {during}")
        return r.status

    def resident(n: int) -> None:
        i = n
        while not stop_load.is_set():
            note("public page", Browser(base), PUBLIC_PAGES[i % len(PUBLIC_PAGES)])
            i += 1
            time.sleep(0.02)

    def writer() -> None:
        i = 0
        while not stop_load.is_set():
            i += 1
            client = Browser(base)
            if note("input form", client, "/tyck-till/") != 200:
                continue
            token = client.cookie("csrftoken") or ""
            data = {"csrfmiddlewaretoken": token, "typ": "ide", "webbplats": ""}
            data["text"] = f"fault-test {run} redis write {i}"
            if note("input sent", client, "/tyck-till/", data) not in (302, 0):
                bad.append("the input form did not answer 302")
            time.sleep(0.05)

    def login() -> None:
        while not stop_load.is_set():
            client = Browser(base)
            if note("login form", client, "/konto/logga-in/") != 200:
                continue
            data = {"csrfmiddlewaretoken": client.cookie("csrftoken") or ""}
            data.update(username=STAFF, password=PASSWORD)
            if note("login", client, "/konto/logga-in/", data) != 302:
                bad.append("a login did not answer 302")
            elif note("staff page", client, "/arbetsyta/inspel/") != 200:
                bad.append("a logged-in page did not answer 200")
            time.sleep(0.1)

    # A member of staff logged in before the outage keeps working through it.
    staff = Browser(base)
    staff.request("/konto/logga-in/")
    credentials = {"csrfmiddlewaretoken": staff.cookie("csrftoken") or ""}
    credentials.update(username=STAFF, password=PASSWORD)
    if staff.request("/konto/logga-in/", credentials).status != 302:
        return ["the member of staff could not log in before the Redis outage"]

    def staff_work() -> None:
        while not stop_load.is_set():
            note("staff page", staff, "/arbetsyta/")
            note("staff page", staff, "/arbetsyta/inspel/")
            time.sleep(0.1)

    threads = [threading.Thread(target=resident, args=(n,)) for n in range(3)]
    threads += [threading.Thread(target=f) for f in (writer, login, staff_work)]
    for t in threads:
        t.start()
    failures: list[str] = []
    approved = f"Godkänd under Redis-avbrottet {run}"
    try:
        time.sleep(3)
        if not any(a.hit for a in answers):
            failures.append("no public page was served from the cache before the outage")
        # Requests begun while Redis is shutting down may still be answered by it: they
        # count for 5xx, not for "served from the cache while stopped".
        phase[0] = "stopping"
        say("Redis: stopping it (its data kept for the restart)")
        cache.stop(keep_data=True)
        phase[0] = "stopped"
        stopped_at = time.monotonic()
        time.sleep(2)
        # A moderator approves input sent during the outage: a write whose bump cannot reach
        # Redis, on a page (/tyck-till/) Redis still holds from before.
        waiting = staff.request("/arbetsyta/inspel/")
        pks = re.findall(r"/arbetsyta/inspel/(\d+)/", waiting.body)
        if not pks:
            failures.append(f"no input awaiting moderation (status {waiting.status})")
        else:
            form = {"csrfmiddlewaretoken": staff.cookie("csrftoken") or ""}
            form.update(action="approve", publicerad_text=approved)
            if note("staff write", staff, f"/arbetsyta/inspel/{pks[0]}/", form) != 302:
                failures.append("the approval during the outage did not answer 302")
        time.sleep(4)
        phase[0] = "restarted"
        cache.start()
        stopped_for = time.monotonic() - stopped_at
        recovery = _until_cached(base)
        if recovery is None:
            failures.append("pages were not cached again after Redis restarted")
        if approved not in Browser(base).request("/tyck-till/").body:
            failures.append("the approval made during the outage is not on /tyck-till/")
        time.sleep(2)
        phase[0] = "paused"
        say("Redis: pausing it (connections accepted, never answered)")
        cache.pause()
        paused_at = time.monotonic()
        time.sleep(3)
        phase[0] = "resumed"
        cache.resume()
        paused_for = time.monotonic() - paused_at
        recovery_paused = _until_cached(base)
        if recovery_paused is None:
            failures.append("pages were not cached again after Redis resumed")
        time.sleep(1)
    finally:
        stop_load.set()
        for t in threads:
            t.join()

    by_phase = Counter(a.phase for a in answers)
    errors = Counter(a.phase for a in answers if a.status >= 500)
    hits = Counter(a.phase for a in answers if a.hit)

    def kinds(during: str) -> str:
        counts = Counter(a.what for a in answers if a.phase == during)
        return ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))

    def pages(during: str) -> str:
        times = sorted(a.seconds for a in answers if a.phase == during and a.what == "public page")
        if not times:
            return "no public page"
        return f"public page median {statistics.median(times):.2f} s, slowest {times[-1]:.2f} s"

    say(f"Redis outage: {len(answers)} requests, {sum(errors.values())} answered 5xx")
    say(
        f"  before: {by_phase['before']} requests, {hits['before']} from the cache; "
        f"{pages('before')}"
    )
    say(
        f"  stopped {stopped_for:.1f} s: {by_phase['stopped']} requests ({kinds('stopped')}), "
        f"{errors['stopped']} 5xx, {hits['stopped']} from the cache; {pages('stopped')}"
    )
    say(f"  restarted with its data: pages cached again {_seconds(recovery)} after it answered")
    say(
        f"  paused {paused_for:.1f} s: {by_phase['paused']} requests ({kinds('paused')}), "
        f"{errors['paused']} 5xx; {pages('paused')}"
    )
    say(f"  resumed: pages cached again {_seconds(recovery_paused)} after it answered")
    if sum(errors.values()):
        failures.append(f"{sum(errors.values())} requests answered 5xx around the Redis outage")
    if by_phase["stopped"] == 0 or by_phase["paused"] == 0:
        failures.append("no request met the Redis outage")
    if hits["stopped"]:
        failures.append("pages were served from the cache while Redis was stopped")
    for what in ("public page", "input sent", "login", "staff page"):
        if not any(a.what == what and a.phase == "stopped" for a in answers):
            failures.append(f"no {what} request while Redis was stopped")
    return failures + sorted(set(bad))


def _until_cached(base: str, limit: float = 30) -> float | None:
    """Seconds until a public page is served from the cache again (a miss stores it first)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        r = Browser(base).request("/ordlista/")
        if r.headers.get("X-Public-Cache") == "hit":
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        if not pg_ready():
            pg("start")
