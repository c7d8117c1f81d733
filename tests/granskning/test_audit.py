from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.db import DatabaseError, connection, transaction
from django.test import Client, RequestFactory

from granskning import audit
from granskning.models import Granskningslogg
from omraden.models import Ledartroja
from tests.conftest import make_omrade, make_person

H = Granskningslogg.Handling


@pytest.fixture
def admin_user(db: None) -> User:
    return User.objects.create_superuser("admin", "admin@example.org", "ett-langt-losenord-42")


@pytest.mark.django_db
def test_audit_records_who_what_object_detail_and_ip(rf: RequestFactory, admin_user: User) -> None:
    omrade = make_omrade()
    request = rf.get("/", REMOTE_ADDR="192.0.2.7")
    request.user = admin_user
    entry = audit(action=H.PUBLICERING, by=admin_user, obj=omrade, request=request, version=3)
    entry.refresh_from_db()
    assert entry.av == admin_user
    assert entry.anvandarnamn == "admin"
    assert entry.objekt_typ == "omraden.omrade"
    assert entry.objekt_id == str(omrade.pk)
    assert entry.objekt_text == str(omrade)
    assert entry.detalj == {"version": 3}
    assert entry.ip == "192.0.2.7"


@pytest.mark.django_db
def test_a_successful_login_is_recorded(client: Client, admin_user: User) -> None:
    client.post(
        "/admin/login/",
        {"username": "admin", "password": "ett-langt-losenord-42"},
        REMOTE_ADDR="198.51.100.4",
    )
    entry = Granskningslogg.objects.get(handling=H.INLOGGNING)
    assert entry.av == admin_user
    assert entry.ip == "198.51.100.4"


@pytest.mark.django_db
def test_a_failed_login_is_recorded_with_the_name_but_never_the_password(
    client: Client, admin_user: User
) -> None:
    client.post("/admin/login/", {"username": "admin", "password": "fel-losenord"})
    entry = Granskningslogg.objects.get(handling=H.INLOGGNING_MISSLYCKAD)
    assert entry.av is None
    assert entry.anvandarnamn == "admin"
    assert "fel-losenord" not in str(entry.detalj)


@pytest.mark.django_db
def test_adding_and_removing_a_group_is_recorded(admin_user: User) -> None:
    user = User.objects.create_user("anna")
    moderator = Group.objects.get(name="moderator")
    user.groups.add(moderator)
    user.groups.remove(moderator)
    entries = list(Granskningslogg.objects.filter(handling=H.ROLL_ANDRAD).order_by("pk"))
    assert [e.detalj["andring"] for e in entries] == ["tillagd", "borttagen"]
    assert entries[0].detalj["grupper"] == ["moderator"]
    assert entries[0].objekt_text == "anna"


@pytest.mark.django_db
def test_clearing_groups_and_adding_users_to_a_group_are_recorded(admin_user: User) -> None:
    user = User.objects.create_user("bo")
    klg = Group.objects.get(name="kommunledningsgruppen")
    klg.user_set.add(user)
    user.groups.clear()
    entries = list(Granskningslogg.objects.filter(handling=H.ROLL_ANDRAD).order_by("pk"))
    assert entries[0].detalj == {
        "andring": "tillagd",
        "grupp": "kommunledningsgruppen",
        "anvandare": ["bo"],
    }
    assert entries[1].detalj == {"andring": "rensad", "grupper": ["kommunledningsgruppen"]}


@pytest.mark.django_db
def test_a_new_fadder_and_a_ledartroja_change_are_recorded() -> None:
    omrade = make_omrade()
    ny = make_person(namn="Ny fadder")
    omrade.fadder = ny
    omrade.save()
    troja = Ledartroja.objects.create(omrade=omrade, person=make_person(), slot=1)
    troja.aktiv = False
    troja.save()
    rows = list(Granskningslogg.objects.filter(handling=H.ROLL_ANDRAD).order_by("pk"))
    # The area's first fadder, the new fadder, the new ledartröja, its deactivation.
    assert len(rows) == 4
    assert rows[1].detalj["efter"] == {"fadder_id": ny.pk}
    assert rows[3].detalj["fore"]["aktiv"] is True
    assert rows[3].detalj["efter"]["aktiv"] is False


@pytest.mark.django_db
def test_saving_an_area_without_a_role_change_writes_nothing() -> None:
    omrade = make_omrade()
    before = Granskningslogg.objects.count()
    omrade.beskrivning = "Ny text"
    omrade.save()
    assert Granskningslogg.objects.count() == before


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted(admin_user: User) -> None:
    entry = audit(action=H.EXPORT, by=admin_user)
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        Granskningslogg.objects.update(anvandarnamn="x")
    with pytest.raises(PermissionError):
        Granskningslogg.objects.all().delete()


@pytest.mark.django_db
def test_the_database_refuses_an_update_behind_the_models_back(admin_user: User) -> None:
    audit(action=H.EXPORT, by=admin_user)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE granskning_granskningslogg SET anvandarnamn = 'x'")


@pytest.mark.django_db
def test_only_administrators_see_the_log_in_the_admin_and_nobody_can_edit_it(
    client: Client, admin_user: User
) -> None:
    entry = audit(action=H.EXPORT, by=admin_user)
    staff = User.objects.create_user("staff", password="ett-langt-losenord-42", is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/granskning/granskningslogg/").status_code == 403
    client.force_login(admin_user)
    assert client.get("/admin/granskning/granskningslogg/").status_code == 200
    change = client.get(f"/admin/granskning/granskningslogg/{entry.pk}/change/")
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    assert client.get("/admin/granskning/granskningslogg/add/").status_code == 403
    delete = client.post(f"/admin/granskning/granskningslogg/{entry.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert Granskningslogg.objects.filter(pk=entry.pk).exists()
