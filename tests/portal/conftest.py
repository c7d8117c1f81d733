"""Fixtures of the admin tests: the cast, and its administrator logged in."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.cast import Cast, make_cast


@pytest.fixture
def fast_hashing(settings: Any) -> None:
    """Passwords hashed cheaply: the admin tests set and check many of them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


@pytest.fixture
def admin_client(cast: Cast) -> Client:
    """The administrator: a member of the administratör group only, logged in."""
    client = Client()
    client.force_login(cast.users["admin"])
    return client
