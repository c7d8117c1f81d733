"""A year's periods in one step: Period.objects.create_year() and `manage.py skapa_ar`."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import make_period
from uppfoljning.models import Period

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("skapa_ar", *args, stdout=out)
    return out.getvalue()


def _periods(ar: int) -> list[tuple[str, dt.date | None, str]]:
    return [(p.kort, p.deadline, p.tillstand) for p in Period.objects.filter(ar=ar)]


def test_it_creates_t1_t2_and_ar_with_the_default_deadlines() -> None:
    out = _run("2027")
    assert _periods(2027) == [
        ("T1 2027", dt.date(2027, 5, 15), "planerad"),
        ("T2 2027", dt.date(2027, 9, 15), "planerad"),
        # The annual report's deadline falls in the following year.
        ("ÅR 2027", dt.date(2028, 2, 15), "planerad"),
    ]
    assert "T1 2027: created, deadline 2027-05-15" in out
    assert "2027: 3 period(s) created, 0 already there." in out


def test_the_default_deadlines_come_from_the_setting(settings: object) -> None:
    settings.PERIOD_DEADLINES = ["05-31", "10-01", "01-31"]  # type: ignore[attr-defined]
    _run("2030")
    assert [d for _, d, _ in _periods(2030)] == [
        dt.date(2030, 5, 31),
        dt.date(2030, 10, 1),
        dt.date(2031, 1, 31),
    ]


def test_given_deadlines_replace_the_defaults() -> None:
    _run("2027", "--deadline-t2", "2027-09-30", "--deadline-ar", "2028-03-01")
    assert [d for _, d, _ in _periods(2027)] == [
        dt.date(2027, 5, 15),
        dt.date(2027, 9, 30),
        dt.date(2028, 3, 1),
    ]


def test_an_existing_period_is_left_alone_and_reported() -> None:
    make_period(ar=2027, tertial=2, deadline=dt.date(2027, 10, 1), tillstand="oppen")
    out = _run("2027")
    assert "T2 2027: exists already (Open, deadline 2027-10-01), left as it is" in out
    assert "2027: 2 period(s) created, 1 already there." in out
    assert _periods(2027)[1] == ("T2 2027", dt.date(2027, 10, 1), "oppen")


def test_a_second_run_changes_nothing() -> None:
    _run("2027")
    before = list(Period.objects.values())
    out = _run("2027")
    assert list(Period.objects.values()) == before
    assert "2027: 0 period(s) created, 3 already there." in out


def test_a_dry_run_writes_nothing() -> None:
    out = _run("2027", "--dry-run")
    assert Period.objects.count() == 0
    assert "T1 2027: would be created, deadline 2027-05-15" in out
    assert "Dry run, nothing written: 2027: 3 period(s) to create, 0 already there." in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["20x7"], "Not a year: '20x7'; write it as four digits, e.g. 2027."),
        (["1999"], "2000"),
        (["2027", "--deadline-t1", "15/5"], "Not a date: '15/5'; write it as YYYY-MM-DD."),
        # A deadline typed for the wrong year, and one before its period ends.
        (["2027", "--deadline-t1", "2026-05-15"], "T1 2027"),
        (["2027", "--deadline-ar", "2027-12-01"], "ÅR 2027"),
    ],
)
def test_bad_input_is_one_clear_line_and_writes_nothing(args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as error:
        _run(*args)
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    assert Period.objects.count() == 0


def test_create_year_returns_each_period_and_whether_it_was_created() -> None:
    existing = make_period(ar=2028, tertial=1)
    result = Period.objects.create_year(2028)
    assert [(p.kort, created) for p, created in result] == [
        ("T1 2028", False),
        ("T2 2028", True),
        ("ÅR 2028", True),
    ]
    assert result[0][0].pk == existing.pk
