"""The follow-up table and the tertial report read with each request's own moment, year
and periods, never those of an earlier request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import make_omrade, make_period, make_publicering, make_uppfoljning

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_off(settings: object) -> None:
    # Every request runs the pages' queries.
    settings.PUBLIC_CACHE = False  # type: ignore[attr-defined]


def _table(html: str) -> str:
    return html[html.index("<table") : html.index("</table>")]


def _later(monkeypatch: pytest.MonkeyPatch, hours: int) -> None:
    later = timezone.now() + dt.timedelta(hours=hours)
    monkeypatch.setattr(timezone, "now", lambda: later)


def test_the_table_shows_a_scheduled_publication_only_from_its_time(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    period = make_period(ar=2024, tertial=1, tillstand="oppen")
    uppf = make_uppfoljning(omrade=make_omrade(), period=period, status="gron")
    make_publicering(uppf)
    make_publicering(
        uppf,
        status="rod",
        orsak="x",
        atgarder="y",
        publicerad_at=timezone.now() + dt.timedelta(hours=1),
    )
    table = _table(client.get("/uppfoljning/").content.decode())
    assert "status-gron" in table and "status-rod" not in table
    _later(monkeypatch, hours=2)
    table = _table(client.get("/uppfoljning/").content.decode())
    assert "status-rod" in table and "status-gron" not in table


def test_the_table_shows_the_year_asked_for_each_time(client: Client) -> None:
    for ar, status in ((2024, "gron"), (2025, "gul")):
        period = make_period(ar=ar, tertial=1)
        uppf = make_uppfoljning(
            omrade=make_omrade(), period=period, status=status, orsak="x", atgarder="y"
        )
        make_publicering(uppf)
    for ar, shown, hidden in ((2024, "gron", "gul"), (2025, "gul", "gron"), (2024, "gron", "gul")):
        table = _table(client.get(f"/uppfoljning/?ar={ar}").content.decode())
        assert f"status-{shown}" in table and f"status-{hidden}" not in table


def test_the_report_shows_a_scheduled_publication_only_from_its_time(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    period = make_period(ar=2024, tertial=2, tillstand="oppen")
    uppf = make_uppfoljning(omrade=make_omrade(), period=period, status="gron")
    make_publicering(uppf, sammanfattning="Gäller nu")
    make_publicering(
        uppf, sammanfattning="Kommer sen", publicerad_at=timezone.now() + dt.timedelta(hours=1)
    )
    html = client.get("/uppfoljning/2024-t2/").content.decode()
    assert "Gäller nu" in html and "Kommer sen" not in html
    _later(monkeypatch, hours=2)
    html = client.get("/uppfoljning/2024-t2/").content.decode()
    assert "Kommer sen" in html and "Gäller nu" not in html


def test_each_report_compares_with_its_own_previous_period(client: Client) -> None:
    # Created newest first, so a period's previous one has the next id: the report must
    # keep the two ids apart however close they are, and a first period has none.
    omrade = make_omrade()
    periods = [make_period(ar=2024, tertial=t, tillstand="oppen") for t in (3, 2, 1)]
    for period, text in zip(periods, ("Tre", "Två", "Ett"), strict=True):
        uppf = make_uppfoljning(omrade=omrade, period=period, status="gron")
        make_publicering(uppf, sammanfattning=f"Text {text} här")
    for slug, current, before in (
        ("2024-t2", "Två", "Ett"),
        ("2024-ar", "Tre", "Två"),
        ("2024-t1", "Ett", None),
        ("2024-t2", "Två", "Ett"),
    ):
        html = client.get(f"/uppfoljning/{slug}/").content.decode()
        assert f"Text {current} här" in html
        if before is None:
            assert 'class="diff"' not in html
        else:
            assert f"[borttaget:] </span>{before}</del>" in html
            assert f"[tillagt:] </span>{current}</ins>" in html
