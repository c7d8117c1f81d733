"""`Publicering.ersatt_at` and `current()`: the version visible at a moment, row by row.

`current(viewer)` must pick exactly each follow-up's latest version due at the viewer's moment
(computed here in Python from every row, as an independent oracle), for
versions published in order, scheduled for later, scheduled and then overtaken by an
immediate one, and tied on the same moment; save() keeps the column right and the
migration's fill (`mark_superseded()`) computes the same values.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.viewer import Viewer
from tests.conftest import (
    make_omrade,
    make_period,
    make_publicering,
    make_uppfoljning,
    make_user,
    sign_off,
)
from uppfoljning.models import Publicering

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def _at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


def _current(now: dt.datetime) -> set[int]:
    # Staff's view: every area, so only the moment decides.
    viewer = Viewer.staff_member(now)
    return set(Publicering.objects.current(viewer).values_list("pk", flat=True))


def _latest_due(now: dt.datetime) -> set[int]:
    """Of each follow-up, the version due by `now` that is latest (the later id on a tie)."""
    latest: dict[int, tuple[dt.datetime, int]] = {}
    for uppf, pk, at in Publicering.objects.values_list("uppfoljning", "pk", "publicerad_at"):
        if at <= now and (at, pk) > latest.get(uppf, (at, -1)):
            latest[uppf] = (at, pk)
    return {pk for _at, pk in latest.values()}


def test_each_version_is_superseded_by_the_next_one_visible():
    uppf = make_uppfoljning()
    v1 = make_publicering(uppf, publicerad_at=_at(0))
    v2 = make_publicering(uppf, publicerad_at=_at(10))
    v1.refresh_from_db()
    assert v1.ersatt_at == _at(10)
    assert v2.ersatt_at is None
    assert _current(_at(5)) == {v1.pk}
    assert _current(_at(10)) == {v2.pk}
    assert _current(_at(-1)) == set()


def test_a_scheduled_version_overtaken_by_an_immediate_one():
    uppf = make_uppfoljning()
    v1 = make_publicering(uppf, publicerad_at=_at(0))
    scheduled = make_publicering(uppf, publicerad_at=_at(30))
    # Written later, visible sooner: it supersedes v1 at day 5 and is superseded at day 30.
    immediate = make_publicering(uppf, publicerad_at=_at(5))
    for pub in (v1, scheduled, immediate):
        pub.refresh_from_db()
    assert (v1.ersatt_at, immediate.ersatt_at, scheduled.ersatt_at) == (_at(5), _at(30), None)
    assert _current(_at(1)) == {v1.pk}
    assert _current(_at(6)) == {immediate.pk}
    assert _current(_at(31)) == {scheduled.pk}


def test_a_tie_on_the_same_moment_goes_to_the_later_version():
    uppf = make_uppfoljning()
    first = make_publicering(uppf, publicerad_at=_at(0))
    second = make_publicering(uppf, publicerad_at=_at(0))
    first.refresh_from_db()
    assert first.ersatt_at == _at(0)
    assert _current(_at(0)) == _latest_due(_at(0)) == {second.pk}


def test_current_matches_latest_due_and_the_fill_matches_save():
    rng = random.Random(7)
    for n in range(8):
        uppf = make_uppfoljning(period=make_period(ar=2020 + n))
        for _ in range(rng.randint(1, 6)):
            make_publicering(uppf, publicerad_at=_at(rng.choice([0, 1, 2, 3, 5, 8, 13])))
    saved = dict(Publicering.objects.values_list("pk", "ersatt_at"))
    for day in [-1, 0, 0.5, 1, 2, 2.5, 3, 4, 5, 7, 8, 12, 13, 20]:
        now = _at(day)
        assert _current(now) == _latest_due(now), day
    Publicering.objects.update(ersatt_at=None)
    assert Publicering.objects.all().mark_superseded() == len(saved)
    assert dict(Publicering.objects.values_list("pk", "ersatt_at")) == saved


def test_the_database_refuses_a_version_superseded_before_it_is_visible():
    pub = make_publicering(make_uppfoljning(), publicerad_at=_at(3))
    with pytest.raises(IntegrityError), transaction.atomic():
        Publicering.objects.filter(pk=pub.pk).update(ersatt_at=_at(2))


def test_publishing_through_the_service_keeps_it():
    """The publish path (uppfoljning_publish) goes through save(): now, then scheduled."""
    from uppfoljning import services

    editor = make_user("klg", groups=("kommunledningsgruppen",))
    uppf, _ = services.uppfoljning_get_or_create(
        period=make_period(), omrade=make_omrade(), by=editor
    )
    uppf = services.uppfoljning_save(
        uppfoljning=uppf, version=uppf.version, changes={"status": "gron"}, by=editor
    )
    uppf = sign_off(uppf, by=editor)
    first = services.uppfoljning_publish(uppfoljning=uppf, version=uppf.version, by=editor)
    uppf.refresh_from_db()
    # A second version: a change makes it a draft, signed off again before publishing.
    uppf = services.uppfoljning_save(
        uppfoljning=uppf, version=uppf.version, changes={"sammanfattning": "v2"}, by=editor
    )
    uppf = sign_off(uppf, by=editor)
    due = timezone.now() + dt.timedelta(days=2)
    later = services.uppfoljning_publish(uppfoljning=uppf, version=uppf.version, by=editor, at=due)
    first.refresh_from_db()
    assert (first.ersatt_at, later.ersatt_at) == (due, None)
    assert _current(timezone.now()) == {first.pk}
    assert _current(due + dt.timedelta(days=1)) == {later.pk}
