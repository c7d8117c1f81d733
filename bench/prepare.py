"""Look up what one benchmark run needs from the bench database; prints one JSON object.

Run by bench/run.py with the bench's environment (DATABASE_URL, …) and the scale as its
argument, before the server starts:
the page addresses (an area, a tertial report, an open-data file), a logged-in session for
the benchmark user, the follow-ups the write flow edits, and the area page's size (for the
ceiling file, written into STATIC_ROOT so whitenoise serves it).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from portal.management.commands.seed_bench import BENCH_USERNAME  # noqa: E402

from omraden.models import Omrade  # noqa: E402
from uppfoljning.models import Period, Uppfoljning  # noqa: E402


def _url(name: str, *args: object) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def main() -> None:
    area = Omrade.objects.public().order_by("nummer").first()
    # The newest closed tertial report: the printable page residents are sent to.
    report = (
        Period.objects.filter(tillstand=Period.Tillstand.STANGD, tertial__in=[1, 2])
        .order_by("-ar", "-tertial")
        .first()
    )
    user = User.objects.get(username=BENCH_USERNAME)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()

    open_period = (
        Period.objects.filter(tillstand=Period.Tillstand.OPPEN).order_by("-ar", "-tertial").first()
    )
    cells = []
    if open_period is not None:
        for uppf in Uppfoljning.objects.filter(period=open_period).order_by("pk")[:16]:
            kind, pk = (
                ("omrade", uppf.omrade_id) if uppf.omrade_id else ("uppdrag", uppf.uppdrag_id)
            )
            path = _url("arbetsyta:cell", open_period.pk, kind, pk)
            if path:
                cells.append(
                    {"path": path, "key": f"{kind}-{pk}", "id": uppf.pk, "version": uppf.version}
                )

    area_path = area.get_absolute_url() if area else ""
    area_bytes = 0
    if area_path:
        response = Client(SERVER_NAME="127.0.0.1").get(area_path, secure=False)
        if response.status_code == 200:
            area_bytes = len(response.content)
    # One file per scale (the first argument): the scales' servers share STATIC_ROOT.
    name = f"bench-ceiling-{sys.argv[1] if len(sys.argv) > 1 else 'page'}.html"
    ceiling = Path(settings.STATIC_ROOT) / name
    ceiling.write_bytes(b"<!doctype html>" + b"x" * max(0, area_bytes - 15))

    print(
        json.dumps(
            {
                "area": area_path,
                "report": _url("uppfoljning:period", report.slug) if report else "",
                "open_data_json": _url("open_data_json", "uppfoljningar"),
                "session": session.session_key,
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "cells": cells,
                "area_bytes": area_bytes,
                "ceiling": f"{settings.STATIC_URL}{name}",
            }
        )
    )


if __name__ == "__main__":
    main()
