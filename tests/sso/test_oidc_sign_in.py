"""Signing in through a real OpenID Connect provider: roles from the directory's groups."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from tests.sso.conftest import Idp, sign_in

User = get_user_model()


def test_it_signs_in_with_the_mapped_roles(client: Any, oidc: Idp) -> None:
    r = sign_in(client, "anna")
    assert r.status_code == 302 and r["Location"] == "/arbetsyta/"
    user = User.objects.get(email="anna.andersson@tyreso.test")
    assert set(user.groups.values_list("name", flat=True)) == {
        "kommunledningsgruppen",
        "medarbetare",
    }
    assert client.get("/arbetsyta/").status_code == 200
