#!/usr/bin/env python
"""Several nodes: two gunicorn processes on separate ports share PostgreSQL and Redis.

Proves, through real HTTP requests:
1. a login on node A is valid on node B (sessions live in the shared database);
2. a follow-up published through A is visible through B on the very next request, although
   B had the page in the public cache (the cache generation lives in the shared Redis);
3. the resident-input rate limit counts across both nodes (the count lives in Redis).

Uses its own PostgreSQL database and a Redis key prefix of its own. Run: `make nodes-test`.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (  # noqa: E402
    Browser,
    drop_database,
    free_port,
    fresh_database,
    manage,
    production_env,
    say,
    start_gunicorn,
    stop,
)

DATABASE = "kommungemensamt_nodes"
REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "nodes-test-" + uuid.uuid4().hex

SETUP = """
from django.contrib.auth.models import Group, User
from omraden.models import Omrade
from portal.viewer import Viewer
from uppfoljning.models import Period, Uppfoljning
user = User.objects.create_user("nodtest", password=%r)
user.groups.add(Group.objects.get(name="kommunledningsgruppen"))
omrade = Omrade.objects.visible_to(Viewer.resident()).order_by("nummer").first()
periods = [p for p in Period.objects.order_by("-ar", "-tertial") if not p.is_closed]
period = periods[0] if periods else Period.objects.create(ar=2099, tertial=1)
uppf, _ = Uppfoljning.objects.get_or_create(omrade=omrade, period=period)
print(uppf.pk, uppf.version, omrade.slug)
"""


def login(client: Browser) -> int:
    token = client.csrf_from("/konto/logga-in/")
    r = client.request(
        "/konto/logga-in/",
        {"csrfmiddlewaretoken": token, "username": "nodtest", "password": PASSWORD},
    )
    return r.status


def main() -> int:
    run = uuid.uuid4().hex[:8]
    env = production_env(
        DATABASE,
        CACHE_URL=f"{REDIS}?key_prefix=nodes-{run}",
        INSPEL_RATE="5/10m",
    )
    say(f"Preparing database {DATABASE}; shared cache {REDIS} (prefix nodes-{run})")
    fresh_database(DATABASE, env)
    pk, version, slug = manage(env, "shell", "-c", SETUP % PASSWORD).split()[-3:]
    port_a, port_b = free_port(), free_port()
    a = start_gunicorn(env, port_a, workers=1)
    b = start_gunicorn(env, port_b, workers=1)
    base_a, base_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    failures: list[str] = []
    try:
        # 1. Log in on A, use the same session cookie on B.
        staff_a = Browser(base_a)
        status = login(staff_a)
        staff_b = Browser(base_b)
        staff_b.set_cookie_from(staff_a, "sessionid")
        on_b = staff_b.request("/arbetsyta/")
        say(f"1. login on A: {status}; the workspace on B with A's session: {on_b.status}")
        if status != 302 or on_b.status != 200:
            failures.append("a login on A is not valid on B")

        # 2. B caches the public area page; A publishes; B's next request shows it.
        public_b = Browser(base_b)
        first = public_b.request(f"/omraden/{slug}/")
        again = public_b.request(f"/omraden/{slug}/")
        summary = f"Publicerat via nod A ({run})"
        token = staff_a.csrf_from(f"/arbetsyta/uppfoljning/{pk}/")
        published = staff_a.request(
            f"/arbetsyta/uppfoljning/{pk}/",
            {
                "csrfmiddlewaretoken": token,
                "handling": "publicera",
                "version": version,
                "status": "gron",
                "sammanfattning": summary,
                "orsak": "",
                "atgarder": "",
                "intern_anteckning": "",
                "publicera_fran": "",
            },
        )
        after = public_b.request(f"/omraden/{slug}/")
        seen = summary in after.body
        say(
            f"2. B served the page ({first.status}, {again.status}, not showing it: "
            f"{summary not in again.body}); A published ({published.status}); "
            f"B's next request shows it: {seen}"
        )
        if published.status != 302 or not seen or summary in again.body:
            failures.append("a publication through A was not visible through B at once")

        # 3. Five inputs are allowed per address and ten minutes: alternate the nodes.
        statuses = []
        for i in range(7):
            client = Browser(base_a if i % 2 == 0 else base_b)
            token = client.csrf_from("/tyck-till/")
            r = client.request(
                "/tyck-till/",
                {"csrfmiddlewaretoken": token, "typ": "ide", "text": f"nodtest {run} {i}"},
            )
            statuses.append(r.status)
        say(f"3. seven inputs alternating A, B, A, …: {statuses}")
        if statuses != [302] * 5 + [429] * 2:
            failures.append(f"the rate limit did not count across nodes: {statuses}")
    finally:
        stop(a)
        stop(b)
        drop_database(DATABASE)
    if failures:
        say("FAILED: " + "; ".join(failures))
        return 1
    say("OK: sessions, public-cache invalidation and rate limits are shared by both nodes.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
