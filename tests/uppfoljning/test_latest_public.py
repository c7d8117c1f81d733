from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.viewer import Viewer
from tests.conftest import make_omrade, make_period, make_publicering, make_uppfoljning
from uppfoljning.models import Publicering

# Runs on SQLite (`IN (...)`) and, with DATABASE_URL set, on PostgreSQL (`= ANY(ARRAY(...))`).


def _days(n: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=n)


@pytest.mark.django_db
def test_it_picks_the_latest_visible_version_of_each_follow_up() -> None:
    a = make_uppfoljning(status="gron")
    make_publicering(a, sammanfattning="a1", publicerad_at=_days(-3))
    make_publicering(a, sammanfattning="a2", publicerad_at=_days(-2))
    b = make_uppfoljning(status="gron", period=make_period(tertial=2))
    make_publicering(b, sammanfattning="b1", publicerad_at=_days(-5))
    latest = Publicering.objects.current(Viewer.resident())
    assert sorted(p.sammanfattning for p in latest) == ["a2", "b1"]


@pytest.mark.django_db
def test_a_scheduled_version_is_invisible_and_hides_nothing() -> None:
    uppf = make_uppfoljning(status="gron")
    make_publicering(uppf, sammanfattning="nu", publicerad_at=_days(-1))
    make_publicering(uppf, sammanfattning="sen", publicerad_at=_days(2))
    assert [p.sammanfattning for p in Publicering.objects.current(Viewer.resident())] == ["nu"]


@pytest.mark.django_db
def test_of_two_versions_visible_from_the_same_moment_the_later_row_counts() -> None:
    uppf = make_uppfoljning(status="gron")
    same = _days(-1)
    make_publicering(uppf, sammanfattning="först", publicerad_at=same)
    make_publicering(uppf, sammanfattning="sist", publicerad_at=same)
    assert [p.sammanfattning for p in Publicering.objects.current(Viewer.resident())] == ["sist"]


@pytest.mark.django_db
def test_it_leaves_out_hidden_areas_and_follow_ups_never_published() -> None:
    hidden = make_uppfoljning(omrade=make_omrade(publik=False), status="gron")
    make_publicering(hidden, publicerad_at=_days(-1))
    make_uppfoljning(status="gron", period=make_period(tertial=2))
    assert list(Publicering.objects.current(Viewer.resident())) == []


@pytest.mark.django_db
def test_it_can_be_narrowed_to_some_follow_ups() -> None:
    omrade = make_omrade()
    mine = make_uppfoljning(omrade=omrade, status="gron")
    make_publicering(mine, sammanfattning="mitt", publicerad_at=_days(-1))
    other = make_uppfoljning(status="gron", period=make_period(tertial=2))
    make_publicering(other, sammanfattning="annat", publicerad_at=_days(-1))
    narrowed = Publicering.objects.current(Viewer.resident()).filter(uppfoljning__omrade=omrade)
    assert [p.sammanfattning for p in narrowed] == ["mitt"]
