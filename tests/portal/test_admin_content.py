"""The administrator keeps content and periods in the admin, and lifts login locks there.

The administrator is a member of the administratör group only: no superuser, no is_staff.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission
from django.test import Client

from portal import roles
from tests.cast import Cast
from tests.conftest import make_user
from uppfoljning.models import Period, Rapport

PERIODS = "/admin/uppfoljning/period/"


# fast_hashing, cast and admin_client: tests/portal/conftest.py
pytestmark = pytest.mark.usefixtures("fast_hashing")


def test_an_administrator_adds_and_edits_a_report(admin_client: Client) -> None:
    r = admin_client.post(
        "/admin/uppfoljning/rapport/add/",
        {
            "slug": "rapport-mars",
            "titel": "Kommundirektörens rapport, mars",
            "datum": "2026-03-31",
            "sammanfattning": "Läget i **mars**.",
            "publik": "on",
        },
    )
    assert r.status_code == 302
    rapport = Rapport.objects.get(slug="rapport-mars")
    r = admin_client.post(
        f"/admin/uppfoljning/rapport/{rapport.pk}/change/",
        {
            "slug": "rapport-mars",
            "titel": "Kommundirektörens rapport, mars 2026",
            "datum": "2026-03-31",
            "sammanfattning": "Läget i **mars**.",
        },
    )
    assert r.status_code == 302
    rapport.refresh_from_db()
    assert rapport.titel.endswith("2026") and not rapport.publik


def test_an_administrator_opens_and_closes_periods(admin_client: Client, cast: Cast) -> None:
    r = admin_client.post(
        PERIODS, {"action": "close_periods", "_selected_action": [cast.period.pk]}
    )
    assert r.status_code == 302
    assert Period.objects.get(pk=cast.period.pk).is_closed
    admin_client.post(PERIODS, {"action": "open_periods", "_selected_action": [cast.period.pk]})
    assert Period.objects.get(pk=cast.period.pk).is_open


def test_the_period_actions_need_the_right_to_change_periods(cast: Cast) -> None:
    # Someone a superuser lets read periods (is_staff and the view permission) cannot close one.
    reader = make_user("lasare", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_period"))
    client = Client()
    client.force_login(reader)
    page = client.get(PERIODS)
    assert page.status_code == 200
    assert b"close_periods" not in page.content
    client.post(PERIODS, {"action": "close_periods", "_selected_action": [cast.period.pk]})
    assert Period.objects.get(pk=cast.period.pk).is_open


def test_an_administrator_lifts_a_login_lock(admin_client: Client, settings: Any) -> None:
    make_user("johan", password="johans-langa-losenord-4", groups=(roles.MEDARBETARE,))
    johan = Client(REMOTE_ADDR="10.0.0.5")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        johan.post("/konto/logga-in/", {"username": "johan", "password": "fel"})
    right = {"username": "johan", "password": "johans-langa-losenord-4"}
    assert johan.post("/konto/logga-in/", right).status_code == 429

    attempt = AccessAttempt.objects.get(username="johan")
    delete = f"/admin/axes/accessattempt/{attempt.pk}/delete/"
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert johan.post("/konto/logga-in/", right).status_code == 302


def test_the_administrator_sees_the_login_locks(admin_client: Client) -> None:
    AccessAttempt.objects.create(
        username="johan",
        ip_address="10.0.0.5",
        user_agent="test",
        failures_since_start=5,
        attempt_time=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    page = admin_client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert b"johan" in page.content
