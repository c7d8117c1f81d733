from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from granskning import audit
from granskning.models import Granskningslogg
from konto.backends import local_login_allowed

LOCAL_LOGIN_OFF_MESSAGE = _(
    "Passwords are switched off for this account: log in with the municipality's account instead."
)


class LocalLoginForm(AuthenticationForm):
    """Django's login form; a name LOCAL_LOGIN does not allow is refused before any password
    is checked, with a message that says why (konto/backends.py refuses it too)."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username and not local_login_allowed(username):
            audit(
                action=Granskningslogg.Handling.INLOGGNING_MISSLYCKAD,
                request=self.request,
                username=username,
                skal="lokal_inloggning_avstangd",
            )
            raise forms.ValidationError(LOCAL_LOGIN_OFF_MESSAGE, code="local_login_off")
        return super().clean()
