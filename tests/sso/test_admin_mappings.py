"""The group mappings in the admin: an administrator (the administratör role, no superuser)
adds, changes and deletes them, and each change is in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from granskning.models import Granskningslogg
from konto.models import Gruppmappning
from tests.cast import Cast

URL = "/admin/konto/gruppmappning/"
GROUP = "6f1e3c52-0b7a-4b59-9d0c-klg000000001"


def _entries() -> list[dict[str, Any]]:
    return [
        e.detalj
        for e in Granskningslogg.objects.filter(
            handling=Granskningslogg.Handling.ROLL_ANDRAD, objekt_typ="konto.gruppmappning"
        ).order_by("pk")
    ]


def test_an_administrator_maps_a_group_and_it_is_audited(admin_client: Client) -> None:
    r = admin_client.post(
        URL + "add/",
        {"kalla": "oidc", "idp_grupp": f"  {GROUP} ", "roll": "moderator", "beskrivning": "KLG"},
    )
    assert r.status_code == 302
    mapping = Gruppmappning.objects.get()
    assert (mapping.idp_grupp, mapping.roll) == (GROUP, "moderator")
    assert _entries() == [
        {"gruppmappning": "tillagd", "kalla": "oidc", "idp_grupp": GROUP, "roll": "moderator"}
    ]
    admin_client.post(
        URL,
        {"action": "delete_selected", "_selected_action": [mapping.pk], "post": "yes"},
    )
    assert not Gruppmappning.objects.exists()
    assert _entries()[-1]["gruppmappning"] == "borttagen"


def test_a_role_outside_the_portals_is_refused(admin_client: Client) -> None:
    r = admin_client.post(URL + "add/", {"kalla": "oidc", "idp_grupp": GROUP, "roll": "superuser"})
    assert r.status_code == 200 and not Gruppmappning.objects.exists()


def test_the_same_mapping_twice_is_refused(admin_client: Client) -> None:
    Gruppmappning.objects.create(kalla="oidc", idp_grupp=GROUP, roll="moderator")
    r = admin_client.post(URL + "add/", {"kalla": "oidc", "idp_grupp": GROUP, "roll": "moderator"})
    assert r.status_code == 200 and Gruppmappning.objects.count() == 1


@pytest.mark.parametrize("role", ["medarbetare", "klg", "moderator"])
def test_other_roles_do_not_reach_the_mappings(cast: Cast, role: str) -> None:
    client = Client()
    client.force_login(cast.users[role])
    assert client.get(URL)["Location"].startswith("/admin/login/")
