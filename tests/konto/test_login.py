"""/konto/logga-in/ and /konto/logga-ut/: Swedish forms, throttling that unlocks by itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt
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


def test_repeated_failures_for_one_account_lock_it_with_a_clear_message(
    client: Client, anna: object, settings: object
) -> None:
    for _ in range(5):
        client.post(URL, {"username": "anna", "password": "fel"}, REMOTE_ADDR="10.0.0.1")
    # Even the right password from another address is refused while the account is locked.
    other = Client(REMOTE_ADDR="10.0.0.2")
    r = other.post(URL, {"username": "anna", "password": "ett-langt-losenord-77"})
    assert r.status_code == 429
    assert "För många misslyckade inloggningar" in r.content.decode()
    assert "15 minuter" in r.content.decode()


def test_repeated_failures_from_one_address_lock_that_address(client: Client, db: None) -> None:
    for i in range(5):
        client.post(URL, {"username": f"gissning{i}", "password": "fel"}, REMOTE_ADDR="10.0.0.9")
    r = client.post(URL, {"username": "ny", "password": "fel"}, REMOTE_ADDR="10.0.0.9")
    assert r.status_code == 429


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
