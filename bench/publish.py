"""Publish one follow-up of the open period for real, as the benchmark user; prints one JSON object.

Run by bench/run.py with the bench's environment (the same DATABASE_URL and CACHE_URL as the
server) right before the burst "after a publication empties the cache": the publication goes
through `uppfoljning_publish`, so the page cache's model signals bump the generation and every
cached public page is stale when the burst starts. It publishes the open period's last
follow-up, which the write flow (the first sixteen) does not edit; each run adds one
publication to the bench database.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402

from datasets.management.commands.seed_bench import BENCH_USERNAME  # noqa: E402
from uppfoljning.models import Period, Uppfoljning  # noqa: E402
from uppfoljning.services import uppfoljning_publish  # noqa: E402


def main() -> None:
    uppf = (
        Uppfoljning.objects.filter(period__tillstand=Period.Tillstand.OPPEN)
        .exclude(status="")
        .order_by("-period__ar", "-period__tertial", "-pk")
        .first()
    )
    if uppf is None:
        print(json.dumps({"published": False, "reason": "no follow-up with a status is open"}))
        return
    started = time.monotonic()
    publicering = uppfoljning_publish(
        uppfoljning=uppf, version=uppf.version, by=User.objects.get(username=BENCH_USERNAME)
    )
    print(
        json.dumps(
            {
                "published": True,
                "follow_up": uppf.pk,
                "publication": publicering.pk,
                "version": publicering.version,
                "ms": round((time.monotonic() - started) * 1000, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
