"""Local passwords, under LOCAL_LOGIN's rule (portal/settings.py, docs/sso.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


def local_login_allowed(username: str) -> bool:
    """May `username` log in with a password? alla: everyone; nodkonto: the break-glass
    accounts in LOCAL_LOGIN_USERS; av: nobody."""
    if settings.LOCAL_LOGIN == "alla":
        return True
    if settings.LOCAL_LOGIN == "nodkonto":
        return username in settings.LOCAL_LOGIN_USERS
    return False


class LocalPasswordBackend(ModelBackend):
    """Django's password check, for the accounts LOCAL_LOGIN allows.

    The rule is checked here, not only in the login form, so that the admin's login page and
    any other caller of `authenticate()` obey it too; and in `get_user`, so that a session
    opened with a password ends once passwords are switched off for its account.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or not local_login_allowed(username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        user = super().get_user(user_id)
        if user is None or not local_login_allowed(user.get_username()):
            return None
        return user
