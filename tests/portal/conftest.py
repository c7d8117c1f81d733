"""Fixtures of the admin tests: cheap password hashing (the cast and its logged-in administrator
are tests/conftest.py's)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def fast_hashing(settings: Any) -> None:
    """Passwords hashed cheaply: the admin tests set and check many of them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
