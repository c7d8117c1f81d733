"""Publish one follow-up of the open period for real, as the benchmark user; prints one JSON object.

Run by bench/run.py with the bench's environment (the same DATABASE_URL and CACHE_URL as the
server) right before the burst "after a publication empties the cache": the publication goes
through `uppfoljning_publish`, so the page cache's model signals bump the generation and every
cached public page is stale when the burst starts. It publishes the open period's last
follow-up, which the write flow (the first sixteen) does not edit; each run adds one
publication to the bench database. Only an approved follow-up can be published, so the
benchmark user first takes the sign-off's steps (a published one is made a draft again by a
new internal note); the time printed is the publication's alone.
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
from uppfoljning import services  # noqa: E402
from uppfoljning.models import Period, Uppfoljning  # noqa: E402


def _approved(uppf: Uppfoljning, user: User) -> Uppfoljning:
    """The follow-up signed off (ready, then approved) by `user`, a member of KLG."""
    if uppf.tillstand == Uppfoljning.Tillstand.GODKAND:
        return uppf
    if uppf.tillstand != Uppfoljning.Tillstand.UTKAST:
        note = f"bench {time.time_ns()}"
        uppf = services.uppfoljning_save(
            uppfoljning=uppf, version=uppf.version, changes={"intern_anteckning": note}, by=user
        )
    if uppf.tillstand == Uppfoljning.Tillstand.UTKAST:
        uppf = services.uppfoljning_mark_ready(uppfoljning=uppf, version=uppf.version, by=user)
    return services.uppfoljning_approve(uppfoljning=uppf, version=uppf.version, by=user)


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
    user = User.objects.get(username=BENCH_USERNAME)
    uppf = _approved(uppf, user)
    started = time.monotonic()
    publicering = services.uppfoljning_publish(uppfoljning=uppf, version=uppf.version, by=user)
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
