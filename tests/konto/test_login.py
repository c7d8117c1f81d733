"""/konto/logga-in/ and /konto/logga-ut/: Swedish forms, throttling that unlocks by itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.conftest import make_user

URL = "/konto/logga-in/"


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    # Production hashing is slow on purpose; these tests check throttling, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def anna(db: None) -> object:
    return make_user("anna", password="ett-langt-losenord-77")


def test_it_shows_a_swedish_login_form(client: Client, db: None) -> None:
    html = client.get(URL).content.decode()
    assert "Användarnamn" in html and "Lösenord" in html
    assert '<label for="id_username">' in html


def test_it_logs_in_and_goes_to_the_workspace(client: Client, anna: object) -> None:
    r = client.post(URL, {"username": "anna", "password": "ett-langt-losenord-77"})
    assert r.status_code == 302
    assert r["Location"] == "/arbetsyta/"


def test_a_wrong_password_gives_a_swedish_message(client: Client, anna: object) -> None:
    r = client.post(URL, {"username": "anna", "password": "fel"})
    assert r.status_code == 200
    assert "Ange ett korrekt användarnamn och lösenord" in r.content.decode()


def _fail(username: str, address: str, *, url: str = URL) -> Any:
    return Client(REMOTE_ADDR=address).post(url, {"username": username, "password": "fel"})


def _log_in(username: str, password: str, address: str) -> Any:
    return Client(REMOTE_ADDR=address).post(URL, {"username": username, "password": password})


@pytest.fixture
def bertil(db: None) -> object:
    return make_user("bertil", password="bertils-langa-losenord-12")


def test_repeated_failures_lock_the_account_from_that_address_with_a_clear_message(
    anna: object,
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail("anna", "10.0.0.1")
    # Even the right password is refused from that address while the lock lasts.
    r = _log_in("anna", "ett-langt-losenord-77", "10.0.0.1")
    assert r.status_code == 429
    assert "registration/lockout.html" in [t.name for t in r.templates]
    html = r.content.decode()
    assert "För många misslyckade inloggningar" in html
    # "15 minuter" (or "minutes" until the catalogue is compiled): the cool-off, in minutes.
    assert "15 minut" in html
    assert 'class="site-header"' in html  # in the portal's layout


def test_an_attacker_cannot_lock_a_colleague_out(anna: object, bertil: object) -> None:
    # Behind one NAT address: someone guesses Anna's password, and then tries Bertil's too.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail("anna", "10.0.0.1")
    _fail("bertil", "10.0.0.1")
    assert _log_in("anna", "ett-langt-losenord-77", "10.0.0.1").status_code == 429
    r = _log_in("bertil", "bertils-langa-losenord-12", "10.0.0.1")
    assert r.status_code == 302 and r["Location"] == "/arbetsyta/"


def test_the_locked_account_still_logs_in_from_another_address(anna: object) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail("anna", "10.0.0.1")
    assert _log_in("anna", "ett-langt-losenord-77", "10.0.0.1").status_code == 429
    assert _log_in("anna", "ett-langt-losenord-77", "10.0.0.2").status_code == 302


def test_failures_on_the_admin_login_count_for_the_same_lock(anna: object) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail("anna", "10.0.0.1", url="/admin/login/")
    assert _log_in("anna", "ett-langt-losenord-77", "10.0.0.1").status_code == 429


def test_many_failures_from_one_address_lock_that_address_at_its_own_higher_limit(
    bertil: object,
) -> None:
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    assert limit == 50 and limit > settings.AXES_FAILURE_LIMIT
    # One guess each for many accounts: no account reaches its own limit.
    for i in range(limit - 1):
        _fail(f"gissning{i}", "10.0.0.9")
    r = _log_in("bertil", "bertils-langa-losenord-12", "10.0.0.9")
    assert r.status_code == 302  # below the address's limit, colleagues log in
    _fail("gissning-sista", "10.0.0.9")
    r = _log_in("bertil", "bertils-langa-losenord-12", "10.0.0.9")
    assert r.status_code == 429
    assert "registration/lockout.html" in [t.name for t in r.templates]
    # Other addresses are not affected.
    assert _log_in("bertil", "bertils-langa-losenord-12", "10.0.0.10").status_code == 302


def test_refused_logins_during_an_address_lock_do_not_count_against_the_account(
    bertil: object,
) -> None:
    for i in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
        _fail(f"gissning{i}", "10.0.0.9")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        assert _log_in("bertil", "bertils-langa-losenord-12", "10.0.0.9").status_code == 429
    assert not AccessAttempt.objects.filter(username="bertil").exists()
    # When the address's lock has passed, Bertil logs in at once: his own account is not locked.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _log_in("bertil", "bertils-langa-losenord-12", "10.0.0.9").status_code == 302


def test_the_lock_opens_by_itself_after_the_cool_off(client: Client, anna: object) -> None:
    for _ in range(5):
        client.post(URL, {"username": "anna", "password": "fel"})
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    r = client.post(URL, {"username": "anna", "password": "ett-langt-losenord-77"})
    assert r.status_code == 302


def test_logout_is_a_post(client: Client, anna: object) -> None:
    client.force_login(anna)  # type: ignore[arg-type]
    assert client.get("/konto/logga-ut/").status_code == 405
    r = client.post("/konto/logga-ut/")
    assert r.status_code == 302
    assert client.get("/arbetsyta/").status_code == 302
