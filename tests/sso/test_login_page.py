"""The login page with single sign-on: providers first, local passwords by LOCAL_LOGIN."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client

from granskning.models import Granskningslogg
from konto.forms import LOCAL_LOGIN_OFF_MESSAGE
from tests.conftest import make_user
from tests.sso.conftest import Idp, sign_in

LOGIN = "/konto/logga-in/"
PASSWORD = "nodkontots-langa-losenord-1"


@pytest.fixture
def nod(db: None, settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LOCAL_LOGIN_USERS = ["nod"]
    return make_user("nod", password=PASSWORD, groups=("administratör",))


@pytest.fixture
def eva(db: None, settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_user("eva", password="evas-langa-losenord-22", groups=("medarbetare",))


def _escaped(message: Any) -> str:
    return str(message).replace("'", "&#x27;")


def test_the_provider_comes_first(client: Client, oidc: Idp) -> None:
    html = client.get(LOGIN).content.decode()
    button = html.index('id="logga-in-oidc"')
    assert 'href="/konto/oidc/logga-in/"' in html
    assert "Test-IdP" in html[button : button + 200]
    assert button < html.index('name="password"')


def test_the_button_keeps_where_the_user_was_going(client: Client, oidc: Idp) -> None:
    html = client.get(LOGIN + "?next=/arbetsyta/perioder/").content.decode()
    assert 'href="/konto/oidc/logga-in/?next=%2Farbetsyta%2Fperioder%2F"' in html


def test_the_sign_in_returns_to_where_the_user_was_going(client: Client, oidc: Idp) -> None:
    from tests.sso.conftest import USERS, callback_path, sign_in_at_idp

    r = client.get("/konto/oidc/logga-in/?next=/arbetsyta/perioder/")
    back = sign_in_at_idp(r["Location"], "anna", USERS["anna"]["password"])
    assert client.get(callback_path(back))["Location"] == "/arbetsyta/perioder/"


def test_without_providers_there_is_no_button(client: Client, db: None) -> None:
    html = client.get(LOGIN).content.decode()
    assert "logga-in-oidc" not in html and 'name="password"' in html


def test_the_login_page_costs_no_query(
    client: Client, oidc: Idp, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        assert client.get(LOGIN).status_code == 200


# LOCAL_LOGIN=nodkonto ----------------------------------------------------------------------------


def test_break_glass_only_shows_the_form_as_such(
    client: Client, oidc: Idp, nod: Any, settings: Any
) -> None:
    settings.LOCAL_LOGIN = "nodkonto"
    html = client.get(LOGIN).content.decode()
    assert 'name="password"' in html
    assert "Break-glass account" in html or "Nödkonto" in html


def test_the_break_glass_account_logs_in(client: Client, nod: Any, settings: Any) -> None:
    settings.LOCAL_LOGIN = "nodkonto"
    r = client.post(LOGIN, {"username": "nod", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/arbetsyta/"


def test_anyone_else_is_refused_before_the_password_is_checked(
    client: Client, nod: Any, eva: Any, settings: Any
) -> None:
    settings.LOCAL_LOGIN = "nodkonto"
    r = client.post(LOGIN, {"username": "eva", "password": "evas-langa-losenord-22"})
    assert r.status_code == 200
    assert _escaped(LOCAL_LOGIN_OFF_MESSAGE) in r.content.decode()
    assert client.get("/arbetsyta/").status_code == 302
    entry = Granskningslogg.objects.get(handling=Granskningslogg.Handling.INLOGGNING_MISSLYCKAD)
    assert entry.anvandarnamn == "eva"
    assert entry.detalj == {"skal": "lokal_inloggning_avstangd"}


def test_the_admins_login_obeys_it_too(client: Client, eva: Any, settings: Any) -> None:
    eva.is_superuser = eva.is_staff = True
    eva.save()
    settings.LOCAL_LOGIN = "nodkonto"
    settings.LOCAL_LOGIN_USERS = []
    r = client.post(
        "/admin/login/?next=/admin/",
        {"username": "eva", "password": "evas-langa-losenord-22", "next": "/admin/"},
    )
    assert r.status_code == 200  # the form again, not a redirect into the admin
    assert client.get("/admin/").status_code == 302


def test_a_password_session_ends_when_passwords_are_switched_off(
    client: Client, eva: Any, settings: Any
) -> None:
    assert client.post(LOGIN, {"username": "eva", "password": "evas-langa-losenord-22"})[
        "Location"
    ] == ("/arbetsyta/")
    assert client.get("/arbetsyta/").status_code == 200
    settings.LOCAL_LOGIN = "nodkonto"
    assert client.get("/arbetsyta/").status_code == 302


def test_the_break_glass_account_is_still_locked_out_after_failures(
    client: Client, nod: Any, settings: Any
) -> None:
    settings.LOCAL_LOGIN = "nodkonto"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "nod", "password": "fel"})
    assert AccessAttempt.objects.filter(username="nod").exists()
    r = client.post(LOGIN, {"username": "nod", "password": PASSWORD})
    assert r.status_code == 429
    assert client.get("/arbetsyta/").status_code == 302


# LOCAL_LOGIN=av ----------------------------------------------------------------------------------


def test_with_passwords_off_the_form_is_gone(client: Client, oidc: Idp, settings: Any) -> None:
    settings.LOCAL_LOGIN = "av"
    html = client.get(LOGIN).content.decode()
    assert 'name="password"' not in html and 'id="logga-in-oidc"' in html


def test_with_passwords_off_a_posted_password_is_refused(
    client: Client, nod: Any, settings: Any
) -> None:
    settings.LOCAL_LOGIN = "av"
    r = client.post(LOGIN, {"username": "nod", "password": PASSWORD})
    assert r.status_code == 200
    assert _escaped(LOCAL_LOGIN_OFF_MESSAGE) in r.content.decode()
    assert client.get("/arbetsyta/").status_code == 302


def test_single_sign_on_works_with_passwords_off(client: Client, oidc: Idp, settings: Any) -> None:
    settings.LOCAL_LOGIN = "av"
    assert sign_in(client, "anna")["Location"] == "/arbetsyta/"
    assert client.get("/arbetsyta/").status_code == 200


def test_an_sso_account_has_no_password_to_log_in_with(
    client: Client, oidc: Idp, settings: Any
) -> None:
    sign_in(client, "anna")
    user = get_user_model().objects.get(email="anna.andersson@tyreso.test")
    assert not user.has_usable_password()
