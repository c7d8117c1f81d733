"""The publishing request with 10,000 confirmed subscribers; prints one JSON object.

Run by bench/run.py with a scale's environment (its DATABASE_URL and CACHE_URL, DEBUG=0, so
the tasks go to the database backend as in production) and SAMMANDRAG_TYST=0, so that the
publication closes its publishing round at once. Alone:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kommungemensamt_bench_small DEBUG=0 \\
      SECRET_KEY=x SITE_URL=https://127.0.0.1 ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 \\
      SAMMANDRAG_TYST=0 .venv/bin/python bench/digest.py

The first run adds the 10,000 subscriptions (addresses at digest.bench.invalid, following
every area) to the bench database; later runs reuse them. Each of DIGEST_RUNS (5) runs
signs off the open period's last follow-up (bench/publish.py), then times the KLG's
"Publicera" POST to the workspace page, in this process through Django's test client and
the whole middleware stack: the request publishes, closes the round and enqueues the task
that queues the digests. Then it times that task's work as the worker does it (reading the
subscribers and putting 10,000 digests in the outbox) and checks that it queued one digest
per subscriber. The run's outbox rows and tasks are deleted afterwards: nothing is sent.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("SAMMANDRAG_TYST", "0")
# The test client's host.
os.environ["ALLOWED_HOSTS"] = os.environ.get("ALLOWED_HOSTS", "127.0.0.1") + ",testserver"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from publish import _approved  # noqa: E402  (bench/publish.py, beside this script)

from datasets.management.commands.seed_bench import BENCH_USERNAME  # noqa: E402
from prenumeration.models import Omgang, Prenumeration  # noqa: E402
from prenumeration.services import sammandrag_queue  # noqa: E402
from uppfoljning.models import Period, Uppfoljning  # noqa: E402
from utskick.models import Utskick  # noqa: E402

SUBSCRIBERS = 10_000
DOMAIN = "digest.bench.invalid"
RUNS = int(os.environ.get("DIGEST_RUNS", "5"))


def ensure_subscribers() -> int:
    have = Prenumeration.objects.active().filter(epost__endswith=f"@{DOMAIN}").count()
    if have < SUBSCRIBERS:
        now = timezone.now()
        Prenumeration.objects.bulk_create(
            [
                Prenumeration(
                    epost=f"f{n}@{DOMAIN}",
                    alla_omraden=True,
                    bekraftelse_skickad_at=now,
                    bekraftad_at=now,
                )
                for n in range(SUBSCRIBERS)
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
    return Prenumeration.objects.active().count()


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: of five runs, p99 is the slowest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _cleanup(omgang: Omgang, since: float) -> None:
    """This run's digests and tasks: the benchmark sends nothing."""
    Utskick.objects.filter(nyckel__startswith=f"digest:{omgang.pk}:").delete()
    Utskick.objects.filter(nyckel__startswith="nisa:", skapad__gte=since_dt(since)).delete()
    if "django_tasks_db" in settings.INSTALLED_APPS:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(enqueued_at__gte=since_dt(since)).delete()


def since_dt(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC)


def main() -> None:
    if settings.SAMMANDRAG_TYST != 0:
        print(json.dumps({"measured": False, "reason": "SAMMANDRAG_TYST must be 0"}))
        return
    subscribers = ensure_subscribers()
    user = User.objects.get(username=BENCH_USERNAME)
    client = Client()
    client.force_login(user)
    request_ms: list[float] = []
    fanout_ms: list[float] = []
    queued: list[int] = []
    for _ in range(RUNS):
        uppf = (
            Uppfoljning.objects.filter(period__tillstand=Period.Tillstand.OPPEN)
            .exclude(status="")
            .order_by("-period__ar", "-period__tertial", "-pk")
            .first()
        )
        if uppf is None:
            print(json.dumps({"measured": False, "reason": "no follow-up with a status is open"}))
            return
        uppf = _approved(uppf, user)
        since = time.time()
        before = Omgang.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        started = time.monotonic()
        response = client.post(
            f"/arbetsyta/uppfoljning/{uppf.pk}/",
            {"handling": "publicera", "version": uppf.version},
        )
        request_ms.append((time.monotonic() - started) * 1000)
        if response.status_code != 302:
            print(json.dumps({"measured": False, "reason": f"publish: {response.status_code}"}))
            return
        omgang = Omgang.objects.filter(pk__gt=before).order_by("pk").first()
        if omgang is None:
            print(json.dumps({"measured": False, "reason": "the request closed no round"}))
            return
        # The worker's part: the task the request enqueued.
        started = time.monotonic()
        new = sammandrag_queue(omgang_id=omgang.pk)
        fanout_ms.append((time.monotonic() - started) * 1000)
        queued.append(new)
        _cleanup(omgang, since)
    print(
        json.dumps(
            {
                "measured": True,
                "subscribers": subscribers,
                "runs": RUNS,
                "request_ms": [round(v, 1) for v in request_ms],
                "p50_ms": round(percentile(request_ms, 50), 1),
                "p99_ms": round(percentile(request_ms, 99), 1),
                "fanout_ms": [round(v, 1) for v in fanout_ms],
                "fanout_p99_ms": round(percentile(fanout_ms, 99), 1),
                "digests_queued": queued,
            }
        )
    )


if __name__ == "__main__":
    main()
