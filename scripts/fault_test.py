#!/usr/bin/env python
"""Faults survived: restart PostgreSQL while gunicorn serves a steady stream of writes.

Asserts that during the outage requests get the Swedish 503 page (never a traceback), that
the portal recovers by itself (gunicorn is not restarted; conn_health_checks reconnects),
and that every write confirmed to the client (the resident input form answering 302 to its
thank-you page) exists as a row afterwards. Uses its own database and restarts the local
cluster once, for a few seconds; PostgreSQL is always running again when the script ends.

Run: `make fault-test` (needs root or the postgres user for pg_ctlcluster).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (  # noqa: E402
    ROOT,
    Browser,
    drop_database,
    free_port,
    fresh_database,
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


def main() -> int:
    env = production_env(DATABASE, INSPEL_RATE="100000/m", CACHE_URL="locmem://fault")
    say(f"Preparing database {DATABASE}")
    fresh_database(DATABASE, env)
    port = free_port()
    server = start_gunicorn(env, port, workers=2)
    base = f"http://127.0.0.1:{port}"
    run = uuid.uuid4().hex[:8]
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
        stop(server)

    sys.path.insert(0, str(ROOT))
    os.environ.update(env)
    import django

    django.setup()
    from omraden.models import Inspel

    stored = set(
        Inspel.objects.filter(text__startswith=f"fault-test {run}").values_list("text", flat=True)
    )
    lost = [t for t in confirmed if t not in stored]
    from django.db import connections

    connections.close_all()
    drop_database(DATABASE)

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
    if failures:
        say("FAILED: " + "; ".join(failures))
        return 1
    say(
        f"OK: {outcomes['503']} requests answered 503 during the restart, the portal recovered "
        f"without a restart, all {len(confirmed)} confirmed writes are stored."
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        if not pg_ready():
            pg("start")
