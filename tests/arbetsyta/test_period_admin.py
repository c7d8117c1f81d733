"""Administrators open and close periods from the admin (actions Öppna / Stäng)."""

from __future__ import annotations

from django.test import Client

from tests.cast import Cast
from uppfoljning.models import Period


def test_the_admin_closes_and_opens_periods(cast: Cast) -> None:
    c = Client()
    c.force_login(cast.users["admin"])
    url = "/admin/uppfoljning/period/"
    r = c.post(url, {"action": "close_periods", "_selected_action": [cast.period.pk]})
    assert r.status_code == 302
    period = Period.objects.get(pk=cast.period.pk)
    assert period.is_closed and period.stangd_at is not None
    c.post(url, {"action": "open_periods", "_selected_action": [cast.period.pk]})
    period.refresh_from_db()
    assert period.is_open and period.stangd_at is None


def test_only_administrators_reach_the_period_admin(cast: Cast) -> None:
    c = Client()
    c.force_login(cast.users["klg"])
    assert c.get("/admin/uppfoljning/period/").status_code == 302
