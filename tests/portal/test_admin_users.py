"""The administrator adds staff and hands out roles in the admin, and can go no further.

The administrator is a member of the administratör group only: no superuser, no is_staff.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from omraden.models import Person
from portal import roles
from tests.cast import Cast
from tests.conftest import make_omrade, make_user

ADD = "/admin/auth/user/add/"


# fast_hashing, cast and admin_client: tests/portal/conftest.py
pytestmark = pytest.mark.usefixtures("fast_hashing")


def _change_url(user: Any) -> str:
    return f"/admin/auth/user/{user.pk}/change/"


def _change_data(user: Any, **fields: Any) -> dict[str, Any]:
    """The user's change form as an administrator sends it, with the person inline empty."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "groups": [g.pk for g in user.groups.all()],
        "person-TOTAL_FORMS": "0",
        "person-INITIAL_FORMS": "0",
        "person-MIN_NUM_FORMS": "0",
        "person-MAX_NUM_FORMS": "1",
    }
    data.update(fields)
    return data


def _group(name: str) -> Group:
    return Group.objects.get(name=name)


def test_the_administrator_is_neither_superuser_nor_staff(cast: Cast) -> None:
    admin = cast.users["admin"]
    assert not admin.is_superuser and not admin.is_staff
    assert roles.can_administer(admin)


def test_an_administrator_adds_a_staff_member_with_a_role_and_a_person(
    admin_client: Client,
) -> None:
    r = admin_client.post(
        ADD,
        {
            "username": "cecilia",
            "usable_password": "true",
            "password1": "cecilias-langa-losenord-3",
            "password2": "cecilias-langa-losenord-3",
        },
    )
    assert r.status_code == 302
    cecilia = User.objects.get(username="cecilia")
    assert r["Location"] == _change_url(cecilia)
    assert admin_client.get(_change_url(cecilia)).status_code == 200

    data = _change_data(
        cecilia,
        first_name="Cecilia",
        last_name="Berg",
        email="cecilia.berg@tyreso.se",
        groups=[_group(roles.MEDARBETARE).pk, _group(roles.MODERATOR).pk],
        **{
            "person-TOTAL_FORMS": "1",
            "person-0-namn": "Cecilia Berg",
            "person-0-titel": "utvecklingsledare",
            "person-0-epost": "cecilia.berg@tyreso.se",
        },
    )
    r = admin_client.post(_change_url(cecilia), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    cecilia.refresh_from_db()
    assert {g.name for g in cecilia.groups.all()} == {roles.MEDARBETARE, roles.MODERATOR}
    assert Person.objects.get(user=cecilia).namn == "Cecilia Berg"
    assert not cecilia.is_staff and not cecilia.is_superuser

    # She logs in on the portal's login page and moderates.
    client = Client()
    login = client.post(
        "/konto/logga-in/", {"username": "cecilia", "password": "cecilias-langa-losenord-3"}
    )
    assert login.status_code == 302
    assert client.get("/arbetsyta/inspel/").status_code == 200


def test_an_administrator_makes_a_person_ledartroja_and_fadder_of_areas(
    admin_client: Client,
) -> None:
    david = make_user("david", groups=(roles.MEDARBETARE,))
    person = Person.objects.create(namn="David Ek", titel="enhetschef", user=david)
    omrade = make_omrade()
    r = admin_client.post(
        "/admin/omraden/ledartroja/add/",
        {"omrade": omrade.pk, "person": person.pk, "slot": "1", "aktiv": "on"},
    )
    assert r.status_code == 302
    other = make_omrade()
    r = admin_client.post(
        f"/admin/omraden/omrade/{other.pk}/change/",
        {
            "nummer": other.nummer,
            "slug": other.slug,
            "kortnamn": other.kortnamn,
            "fraga": other.fraga,
            "fadder": person.pk,
            "publik": "on",
            "ledartrojor-TOTAL_FORMS": "0",
            "ledartrojor-INITIAL_FORMS": "0",
            "ledartrojor-MIN_NUM_FORMS": "0",
            "ledartrojor-MAX_NUM_FORMS": "1000",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    found = roles.roles_for(User.objects.get(pk=david.pk))
    assert found.ledartroja_for == {omrade.pk}
    assert found.fadder_for == {other.pk}


def test_an_administrator_cannot_make_anyone_superuser_staff_or_give_permissions(
    admin_client: Client,
) -> None:
    erik = make_user("erik", groups=(roles.MEDARBETARE,))
    page = admin_client.get(_change_url(erik)).content.decode()
    for field in ("is_superuser", "is_staff", "user_permissions"):
        assert f'name="{field}"' not in page
    permission = Permission.objects.get(codename="delete_user")
    r = admin_client.post(
        _change_url(erik),
        _change_data(
            erik,
            is_superuser="on",
            is_staff="on",
            user_permissions=[permission.pk],
            groups=[_group(roles.ADMINISTRATOR).pk],
        ),
    )
    assert r.status_code == 302
    erik.refresh_from_db()
    # The role is handed out; nothing beyond it is.
    assert [g.name for g in erik.groups.all()] == [roles.ADMINISTRATOR]
    assert not erik.is_superuser and not erik.is_staff
    assert not erik.user_permissions.exists()


def test_an_administrator_chooses_only_among_the_portals_roles(admin_client: Client) -> None:
    special = Group.objects.create(name="allt")
    special.permissions.add(Permission.objects.get(codename="change_permission"))
    frida = make_user("frida", groups=(roles.MEDARBETARE,))
    page = admin_client.get(_change_url(frida)).content.decode()
    assert f'value="{special.pk}"' not in page
    r = admin_client.post(_change_url(frida), _change_data(frida, groups=[special.pk]))
    assert r.status_code == 200  # shown again with the error
    assert not frida.groups.filter(pk=special.pk).exists()


@pytest.mark.parametrize("kind", ["superuser", "own permission", "other group"])
def test_an_administrator_cannot_take_over_an_account_with_more_rights(
    admin_client: Client, kind: str
) -> None:
    gustav = make_user("gustav", password="gustavs-langa-losenord-8", is_superuser=True)
    if kind != "superuser":
        gustav.is_superuser = False
        gustav.save()
    if kind == "own permission":
        gustav.user_permissions.add(Permission.objects.get(codename="delete_user"))
    if kind == "other group":
        gustav.groups.add(Group.objects.create(name="drift"))
    # The page opens read-only; neither the account nor its password can be changed.
    page = admin_client.get(_change_url(gustav))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    r = admin_client.post(_change_url(gustav), _change_data(gustav, email="x@example.org"))
    assert r.status_code == 403
    password_url = f"/admin/auth/user/{gustav.pk}/password/"
    assert admin_client.get(password_url).status_code == 403
    new = {"password1": "ett-nytt-langt-losenord", "password2": "ett-nytt-langt-losenord"}
    assert admin_client.post(password_url, new).status_code == 403
    gustav.refresh_from_db()
    assert gustav.check_password("gustavs-langa-losenord-8")
    assert gustav.email == "gustav@tyreso.se"


def test_an_administrator_sets_a_new_password_for_a_colleague(admin_client: Client) -> None:
    hanna = make_user("hanna", groups=(roles.MEDARBETARE,))
    r = admin_client.post(
        f"/admin/auth/user/{hanna.pk}/password/",
        {"password1": "hannas-nya-langa-losenord", "password2": "hannas-nya-langa-losenord"},
    )
    assert r.status_code == 302
    hanna.refresh_from_db()
    assert hanna.check_password("hannas-nya-langa-losenord")


def test_a_superuser_still_sees_every_field(cast: Cast) -> None:
    root = make_user("root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(root)
    page = client.get(_change_url(cast.users["medarbetare"])).content.decode()
    for field in ("is_superuser", "is_staff", "user_permissions"):
        assert f'name="{field}"' in page


def test_the_administrator_logs_in_on_the_admins_own_login_page(cast: Cast) -> None:
    admin = cast.users["admin"]
    admin.set_password("administratorens-losenord-1")
    admin.save()
    client = Client()
    r = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": "administratorens-losenord-1"},
    )
    assert r.status_code == 302 and r["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_other_staff_are_refused_on_the_admins_login_page(cast: Cast) -> None:
    klg = cast.users["klg"]
    klg.set_password("klg-losenordet-ar-langt-2")
    klg.save()
    client = Client()
    r = client.post(
        "/admin/login/?next=/admin/",
        {"username": "klg", "password": "klg-losenordet-ar-langt-2"},
    )
    assert r.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_taking_the_role_away_closes_the_admin(admin_client: Client, cast: Cast) -> None:
    assert admin_client.get("/admin/").status_code == 200
    cast.users["admin"].groups.clear()
    r = admin_client.get("/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/admin/login/")


def test_the_staff_flag_without_a_role_opens_no_model(db: None) -> None:
    # is_staff keeps Django's meaning: the admin's index, and only what permissions allow.
    ivar = make_user("ivar", is_staff=True, groups=(roles.MEDARBETARE,))
    client = Client()
    client.force_login(ivar)
    assert client.get("/admin/").status_code == 200
    for url in ("/admin/auth/user/", ADD, "/admin/uppfoljning/period/", "/admin/omraden/omrade/"):
        assert client.get(url).status_code == 403, url
