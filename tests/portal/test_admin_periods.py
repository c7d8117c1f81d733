"""Periods in the admin: a year in one step, and no deletion of a period with follow-ups."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client

from tests.cast import Cast
from tests.conftest import make_period, make_uppfoljning, make_user
from uppfoljning.models import Period

PERIODS = "/admin/uppfoljning/period/"
CREATE_YEAR = "/admin/uppfoljning/period/skapa-ar/"

# fast_hashing, cast and admin_client: tests/portal/conftest.py
pytestmark = pytest.mark.usefixtures("fast_hashing")


def _deadlines(ar: int) -> list[dt.date | None]:
    return list(Period.objects.filter(ar=ar).values_list("deadline", flat=True))


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_period_list_links_to_creating_a_year(admin_client: Client, cast: Cast) -> None:
    html = admin_client.get(PERIODS).content.decode()
    assert f'href="{CREATE_YEAR}"' in html and "Skapa ett års perioder" in html


def test_the_form_suggests_the_next_year_with_the_default_deadlines(
    admin_client: Client, cast: Cast
) -> None:
    # The cast's period is T1 of next year: the year after it is suggested.
    ar = cast.period.ar + 1
    html = admin_client.get(CREATE_YEAR).content.decode()
    assert f'name="ar" value="{ar}"' in html
    assert f'value="{ar}-05-15"' in html
    assert f'value="{ar}-09-15"' in html
    assert f'value="{ar + 1}-02-15"' in html
    assert 'type="date"' in html


def test_choosing_another_year_fills_in_its_deadlines_and_lists_what_exists(
    admin_client: Client, cast: Cast
) -> None:
    html = admin_client.get(CREATE_YEAR, {"ar": cast.period.ar}).content.decode()
    assert f'value="{cast.period.ar}-09-15"' in html
    assert "finns redan och lämnas som de är" in html
    assert str(cast.period) in html


def test_a_year_that_is_not_one_is_explained(admin_client: Client, cast: Cast) -> None:
    r = admin_client.get(CREATE_YEAR, {"ar": "tjugo"})
    assert r.status_code == 200
    assert "Skriv året med fyra siffror, till exempel 2027." in r.content.decode()


def test_an_administrator_creates_a_year_in_one_step(admin_client: Client, cast: Cast) -> None:
    r = admin_client.post(
        CREATE_YEAR,
        {
            "ar": "2031",
            "deadline_t1": "2031-05-20",
            "deadline_t2": "2031-09-15",
            "deadline_ar": "2032-02-15",
        },
        follow=True,
    )
    assert r.redirect_chain[-1][0] == f"{PERIODS}?ar=2031"
    assert _deadlines(2031) == [dt.date(2031, 5, 20), dt.date(2031, 9, 15), dt.date(2032, 2, 15)]
    assert set(Period.objects.filter(ar=2031).values_list("tillstand", flat=True)) == {"planerad"}
    assert _messages(r) == ["3 perioder skapade: T1 2031, T2 2031, Årsredovisning 2031."]
    # The admin's history records each one.
    assert LogEntry.objects.filter(object_repr__endswith="2031").count() == 3


def test_existing_periods_are_left_alone_and_named(admin_client: Client, cast: Cast) -> None:
    ar, deadline = cast.period.ar, cast.period.deadline
    r = admin_client.post(
        CREATE_YEAR,
        {
            "ar": str(ar),
            "deadline_t1": f"{ar}-05-15",
            "deadline_t2": f"{ar}-09-15",
            "deadline_ar": f"{ar + 1}-02-15",
        },
        follow=True,
    )
    assert Period.objects.get(pk=cast.period.pk).deadline == deadline
    assert Period.objects.filter(ar=ar).count() == 3
    assert _messages(r)[1] == (f"1 period fanns redan och lämnades som den var: {cast.period}.")


def test_a_deadline_for_the_wrong_year_is_refused_and_nothing_is_created(
    admin_client: Client, cast: Cast
) -> None:
    r = admin_client.post(
        CREATE_YEAR,
        {
            "ar": "2031",
            "deadline_t1": "2030-05-15",
            "deadline_t2": "2031-09-15",
            "deadline_ar": "inte ett datum",
        },
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "Sista dag för T1 2031 måste ligga efter att perioden slutar (2031-04-30)" in html
    assert "Skriv datumet som ÅÅÅÅ-MM-DD." in html
    # What was typed is kept.
    assert 'value="2030-05-15"' in html and 'value="inte ett datum"' in html
    assert not Period.objects.filter(ar=2031).exists()


def test_only_those_who_may_add_periods_create_a_year(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.users["klg"])
    assert client.get(CREATE_YEAR).status_code == 302  # to the admin's login
    # Staff with the admin open to them but without the add permission.
    reader = make_user("reader", is_staff=True)
    client.force_login(reader)
    assert client.get(CREATE_YEAR).status_code == 403
    assert client.post(CREATE_YEAR, {"ar": "2031"}).status_code == 403
    assert not Period.objects.filter(ar=2031).exists()


@pytest.fixture
def superuser_client(db: None) -> Client:
    client = Client()
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    return client


def test_a_period_with_follow_ups_has_no_delete_link_or_page(superuser_client: Client) -> None:
    kept = make_uppfoljning(period=make_period(ar=2030)).period
    empty = make_period(ar=2031)
    html = superuser_client.get(f"{PERIODS}{kept.pk}/change/").content.decode()
    assert f"{PERIODS}{kept.pk}/delete/" not in html
    assert superuser_client.get(f"{PERIODS}{kept.pk}/delete/").status_code == 403
    # One without follow-ups keeps its delete link.
    html = superuser_client.get(f"{PERIODS}{empty.pk}/change/").content.decode()
    assert f"{PERIODS}{empty.pk}/delete/" in html


def test_bulk_delete_refuses_periods_with_follow_ups_with_a_clear_message(
    superuser_client: Client,
) -> None:
    kept = make_uppfoljning(period=make_period(ar=2030)).period
    empty = make_period(ar=2031)
    r = superuser_client.post(
        PERIODS,
        {"action": "delete_selected", "_selected_action": [kept.pk, empty.pk], "post": "yes"},
        follow=True,
    )
    assert Period.objects.filter(pk__in=[kept.pk, empty.pk]).count() == 2
    assert _messages(r) == [
        "Inget togs bort: T1 2030 har uppföljningar, och en period med uppföljningar kan "
        "inte tas bort."
    ]


def test_bulk_delete_still_deletes_periods_without_follow_ups(superuser_client: Client) -> None:
    empty = make_period(ar=2031)
    r = superuser_client.post(
        PERIODS, {"action": "delete_selected", "_selected_action": [empty.pk]}
    )
    assert r.status_code == 200 and "Ja, jag är säker" in r.content.decode()
    superuser_client.post(
        PERIODS, {"action": "delete_selected", "_selected_action": [empty.pk], "post": "yes"}
    )
    assert not Period.objects.filter(pk=empty.pk).exists()


def test_the_administrator_role_never_deletes_periods(admin_client: Client, cast: Cast) -> None:
    html = admin_client.get(PERIODS).content.decode()
    assert "delete_selected" not in html


def test_the_database_refuses_deleting_a_period_with_follow_ups(db: None) -> None:
    period = make_uppfoljning(period=make_period(ar=2030)).period
    with pytest.raises(ProtectedError):
        period.delete()


@pytest.mark.django_db(transaction=True)
def test_a_raw_delete_of_a_period_with_follow_ups_fails_in_the_database() -> None:
    # Autocommit: the foreign key (deferred to the commit) is checked at once, on SQLite and
    # PostgreSQL alike; no Django code between the statement and the database.
    period = make_uppfoljning(period=make_period(ar=2030)).period
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM uppfoljning_period WHERE id = %s", [period.pk])
    assert Period.objects.filter(pk=period.pk).exists()
