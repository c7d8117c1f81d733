"""Look up what one benchmark run needs from the bench database; prints one JSON object.

Run by bench/run.py with the bench's environment (DATABASE_URL, …) and the scale as its
argument, before the server starts:
the page addresses (an area, a tertial report, an open-data file), the most visited public
addresses (`popular_paths`, for the burst after a publication), a logged-in session for the
benchmark user, the follow-ups the write flow edits, and the area page's size (for the
ceiling file, written into STATIC_ROOT so whitenoise serves it).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import quote

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
from django.utils import translation  # noqa: E402

from datasets.management.commands.seed_bench import BENCH_USERNAME  # noqa: E402
from omraden.models import Aktivitet, Omrade  # noqa: E402
from oppna_data.datasets import DATASETS  # noqa: E402
from portal.viewer import Viewer  # noqa: E402
from uppfoljning.models import Indikator, Period, Rapport, Uppfoljning  # noqa: E402

# The query of the search page that is measured (run.py measures the same one).
SEARCH_QUERY = "återbruka"
# How many addresses the burst after a publication rotates over.
POPULAR_MAX = 50


def _url(name: str, *args: object) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _url_en(name: str, *args: object) -> str:
    with translation.override("en"):
        return _url(name, *args)


def popular_paths(viewer: Viewer) -> list[str]:
    """The public addresses most visited, most visited first, at most POPULAR_MAX.

    The portal keeps no analytics, so this list *is* the definition: what a resident opening
    the portal after a publication reads, from the bench database. In this order: the
    overview (sv, en); every public area page (sv, en); /uppfoljning/ (sv, en); the three
    newest tertial reports (sv) and the newest (en); /aktiviteter/, /indikatorer/ and
    /rapporter/ (sv, en); a search for SEARCH_QUERY; /tyck-till/ and /oppna-data/; every
    open-data file's first JSON page and the Atom feed (not the whole-dataset CSV downloads:
    a few a day, megabytes each, a traffic of their own); the two newest director's
    reports; the next three coming activities; then indicator pages in their order until
    the list is full. Fewer when the database has fewer (run.py prints how many).
    """
    areas = list(
        Omrade.objects.visible_to(viewer).order_by("nummer").values_list("slug", flat=True)
    )
    reports = list(
        Period.objects.filter(tillstand=Period.Tillstand.STANGD, tertial__in=[1, 2]).order_by(
            "-ar", "-tertial"
        )[:3]
    )
    paths = ["/", _url_en("index")]
    for slug in areas:
        paths += [_url("omraden:detail", slug), _url_en("omraden:detail", slug)]
    paths += [_url("uppfoljning:index"), _url_en("uppfoljning:index")]
    paths += [_url("uppfoljning:period", period.slug) for period in reports]
    if reports:
        paths.append(_url_en("uppfoljning:period", reports[0].slug))
    for name in ("omraden:aktiviteter", "indikatorer:index", "uppfoljning:rapporter"):
        paths += [_url(name), _url_en(name)]
    paths.append(f"{_url('sok')}?q={quote(SEARCH_QUERY)}")
    paths += [_url("omraden:tyck_till"), _url("open_data")]
    paths += [_url("open_data_json", dataset.slug) for dataset in DATASETS]
    paths.append(_url("open_data_feed"))
    rapporter = Rapport.objects.visible_to(viewer).order_by("-datum", "-pk")[:2]
    paths += [
        _url("uppfoljning:rapport", slug) for slug in rapporter.values_list("slug", flat=True)
    ]
    coming = (
        Aktivitet.objects.visible_to(viewer)
        .filter(datum__gte=viewer.today)
        .order_by("datum", "starttid", "pk")[:3]
    )
    paths += [_url("omraden:aktivitet", pk) for pk in coming.values_list("pk", flat=True)]
    # Distinct and existing, in order; indicator pages fill what is left.
    chosen = list(dict.fromkeys(path for path in paths if path))[:POPULAR_MAX]
    room = POPULAR_MAX - len(chosen)
    if room > 0:
        indicators = Indikator.objects.visible_to(viewer).order_by("ordning", "pk")
        chosen += [
            _url("indikatorer:detail", slug)
            for slug in indicators.values_list("slug", flat=True)[:room]
        ]
    return chosen


def main() -> None:
    viewer = Viewer.resident()
    area = Omrade.objects.visible_to(viewer).order_by("nummer").first()
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
                "search": f"{_url('sok')}?q={quote(SEARCH_QUERY)}",
                "popular": popular_paths(viewer),
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
