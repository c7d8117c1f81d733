"""portal.lib.compiled: a compiled queryset gives exactly what the queryset gives, on either
database, with new values on every call; and it refuses a queryset it cannot compile safely."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Count, F, QuerySet
from django.utils import timezone

from omraden.models import Aktivitet, Inspel, Omrade
from portal.lib import compiled as compiled_module
from portal.lib.compiled import compiled
from tests.conftest import (
    make_aktivitet,
    make_inspel,
    make_omrade,
    make_period,
    make_publicering,
    make_uppfoljning,
)
from uppfoljning.models import Publicering

pytestmark = pytest.mark.django_db


def _plans() -> dict:
    return compiled_module.plans_of(connections["default"])


def _publications(now: dt.datetime) -> QuerySet[Publicering]:
    return (
        Publicering.objects.public(now)
        .select_related("uppfoljning__period", "uppfoljning__omrade")
        .annotate(area_number=F("uppfoljning__omrade__nummer"))
        .order_by("publicerad_at", "pk")
    )


@compiled
def _compiled_publications(*, now: dt.datetime) -> QuerySet[Publicering]:
    return _publications(now)


def test_models_with_related_and_annotations_as_the_queryset_gives_them(
    django_assert_num_queries,
) -> None:
    now = timezone.now()
    area = make_omrade()
    hidden = make_omrade(publik=False)
    due = [
        make_publicering(
            make_uppfoljning(omrade=area, period=make_period(tertial=h)),
            publicerad_at=now - dt.timedelta(hours=h),
        )
        for h in (3, 2, 1)
    ]
    make_publicering(make_uppfoljning(omrade=hidden, period=make_period(ar=2025)))
    later = make_publicering(
        make_uppfoljning(omrade=area, period=make_period(ar=2030)),
        publicerad_at=now + dt.timedelta(hours=1),
    )
    # Each moment, the first call (which compiles) and the later ones (which reuse the SQL):
    # the same rows, fields, related objects and annotations as the queryset's own.
    for moment in (now - dt.timedelta(hours=2, minutes=30), now, now + dt.timedelta(hours=2)):
        expected = list(_publications(moment))
        with django_assert_num_queries(1):
            got = _compiled_publications(now=moment)
            rows = [
                (p.pk, p.version, p.uppfoljning.period.ar, p.uppfoljning.omrade.slug, p.area_number)
                for p in got
            ]
        assert rows == [
            (p.pk, p.version, p.uppfoljning.period.ar, p.uppfoljning.omrade.slug, p.area_number)
            for p in expected
        ]
    assert [p.pk for p in _compiled_publications(now=now)] == [p.pk for p in due]
    assert later.pk in [p.pk for p in _compiled_publications(now=now + dt.timedelta(hours=2))]
    # Compiled once on this connection, for all those calls.
    assert len(_plans()) == 1


@compiled
def _activities_from(*, today: dt.date, area: int) -> QuerySet[Aktivitet]:
    return (
        Aktivitet.objects.public()
        .filter(datum__gte=today, omraden=area)
        .order_by("datum")
        .values("pk", "titel", "datum")
    )


def test_dates_ints_and_values_rows() -> None:
    a, b = make_omrade(), make_omrade()
    today = timezone.localdate()
    for days in (-1, 0, 1, 5):
        make_aktivitet(titel=f"a{days}", datum=today + dt.timedelta(days=days)).omraden.add(a)
    make_aktivitet(titel="b", datum=today).omraden.add(b)
    for day in (today, today + dt.timedelta(days=1), today + dt.timedelta(days=6)):
        for area in (a, b):
            expected = list(
                Aktivitet.objects.public()
                .filter(datum__gte=day, omraden=area)
                .order_by("datum")
                .values("pk", "titel", "datum")
            )
            assert _activities_from(today=day, area=area.pk) == expected
    assert [r["titel"] for r in _activities_from(today=today, area=a.pk)] == ["a0", "a1", "a5"]


@compiled(shape=("offset",))
def _input_page(*, area: int, offset: int) -> QuerySet[Inspel]:
    return (
        Inspel.objects.filter(omrade=area, status=Inspel.Status.GODKAND)
        .order_by("-pk")
        .values_list("pk", flat=True)[offset : offset + 2]
    )


@compiled
def _input_count(*, area: int) -> QuerySet[Inspel]:
    return (
        Inspel.objects.filter(omrade=area, status=Inspel.Status.GODKAND)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )


def test_shape_arguments_are_compiled_each_and_strings_work() -> None:
    area = make_omrade()
    pks = [make_inspel(omrade=area, status=Inspel.Status.GODKAND).pk for _ in range(5)][::-1]
    make_inspel(omrade=area, status=Inspel.Status.NY)
    assert _input_page(area=area.pk, offset=0) == pks[0:2]
    assert _input_page(area=area.pk, offset=2) == pks[2:4]
    assert _input_page(area=area.pk, offset=4) == pks[4:5]
    assert _input_page(area=area.pk + 1, offset=0) == []
    assert _input_count(area=area.pk) == [5]
    assert _input_count(area=area.pk + 1) == []

    @compiled
    def by_slug(*, slug: str) -> QuerySet[Omrade]:
        return Omrade.objects.filter(slug=slug)

    assert by_slug(slug=area.slug) == [area]
    assert by_slug(slug=area.slug + "-x") == []
    assert by_slug(slug=area.slug) == [area]


def test_refuses_a_hidden_moment() -> None:
    @compiled
    def hidden_now() -> QuerySet[Publicering]:
        return Publicering.objects.public()  # timezone.now() inside: not an argument

    with pytest.raises(ImproperlyConfigured, match="changes between two calls"):
        hidden_now()


def test_refuses_values_that_change_the_text_and_unused_ones() -> None:
    @compiled
    def branching(*, n: int) -> QuerySet[Omrade]:
        return Omrade.objects.filter(nummer__gt=n) if n < 3 else Omrade.objects.all()

    @compiled
    def unused(*, n: int) -> QuerySet[Omrade]:
        return Omrade.objects.all()

    @compiled
    def listed(*, ids: list[int]) -> QuerySet[Omrade]:
        return Omrade.objects.filter(pk__in=ids)

    with pytest.raises(ImproperlyConfigured, match="depends on n"):
        branching(n=2)
    with pytest.raises(ImproperlyConfigured, match="not used"):
        unused(n=1)
    with pytest.raises(TypeError):
        listed(ids=[1, 2])
    with pytest.raises(TypeError):
        branching(n=True)


def test_caps_a_shapes_plans_and_still_answers(monkeypatch) -> None:
    monkeypatch.setattr(compiled_module, "MAX_SHAPES", 2)
    area = make_omrade()
    pks = [make_inspel(omrade=area, status=Inspel.Status.GODKAND).pk for _ in range(5)][::-1]
    for offset in range(4):
        assert _input_page(area=area.pk, offset=offset) == pks[offset : offset + 2]
    assert len(_plans()) == 2
    # Other functions are still compiled.
    assert _input_count(area=area.pk) == [5]
    assert len(_plans()) == 3


def test_an_argument_equal_to_another_value_of_an_in_list_still_compiles() -> None:
    a, b = make_omrade(), make_omrade()
    assert b.pk == a.pk + 1

    @compiled
    def either(*, first: int, second: int) -> QuerySet[Omrade]:
        return Omrade.objects.filter(pk__in=[first, second]).order_by("pk")

    # Changing `first` by one makes it equal `second`: Django drops the repeat from the IN
    # list, so another changed value must show where `first` goes.
    assert either(first=a.pk, second=b.pk) == [a, b]
    assert either(first=b.pk, second=b.pk + 100) == [b]
    assert either(first=a.pk, second=a.pk + 100) == [a]


def test_plans_belong_to_the_threads_own_connection() -> None:
    # A plan's compiler holds the connection it was compiled on: another thread, with a
    # connection of its own, must never run it (threaded servers, the live test server).
    area = make_omrade()
    assert _activities_from(today=timezone.localdate(), area=area.pk) == []
    seen: dict[str, object] = {}

    def elsewhere() -> None:
        seen["plans"] = compiled_module.plans_of(connections["default"])
        seen["same connection"] = connections["default"] is main

    main = connections["default"]
    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert len(_plans()) == 1
    assert seen == {"plans": {}, "same connection": False}
