"""uppfoljning.services and the history rules: one history row per change, nothing lost."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from tests.cast import Cast
from uppfoljning import services
from uppfoljning.models import Historik, Uppfoljning


@pytest.fixture
def uppf(cast: Cast) -> Uppfoljning:
    return services.uppfoljning_get_or_create(
        period=cast.period, omrade=cast.omrade_a, by=cast.users["ledartroja_a"]
    )[0]


def test_get_or_create_writes_one_created_row_once(cast: Cast, uppf: Uppfoljning) -> None:
    again, created = services.uppfoljning_get_or_create(
        period=cast.period, omrade=cast.omrade_a, by=cast.users["klg"]
    )
    assert again == uppf and not created
    assert list(Historik.objects.values_list("handling", flat=True)) == ["skapad"]


def test_a_save_from_an_old_version_is_refused_and_overwrites_nothing(
    cast: Cast, uppf: Uppfoljning
) -> None:
    services.uppfoljning_save(
        uppfoljning=uppf, version=1, changes={"status": "gron"}, by=cast.users["fadder_a"]
    )
    with pytest.raises(services.StaleVersion) as info:
        services.uppfoljning_save(
            uppfoljning=Uppfoljning.objects.get(pk=uppf.pk),
            version=1,
            changes={"sammanfattning": "Min text"},
            by=cast.users["ledartroja_a"],
        )
    assert [(c.field, c.before, c.after) for c in info.value.changes] == [("status", "", "gron")]
    assert info.value.by == ["Fadder 1"]
    row = Uppfoljning.objects.get(pk=uppf.pk)
    assert (row.sammanfattning, row.version) == ("", 2)
    assert Historik.objects.count() == 2


def test_the_status_rule_is_checked_before_writing(cast: Cast, uppf: Uppfoljning) -> None:
    with pytest.raises(ValidationError):
        services.uppfoljning_save(
            uppfoljning=uppf, version=1, changes={"status": "gul"}, by=cast.users["klg"]
        )
    assert Historik.objects.count() == 1


def test_services_ask_roles(cast: Cast, uppf: Uppfoljning) -> None:
    with pytest.raises(PermissionDenied):
        services.uppfoljning_save(
            uppfoljning=uppf, version=1, changes={"status": "gron"}, by=cast.users["ledartroja_b"]
        )
    with pytest.raises(PermissionDenied):
        services.uppfoljning_publish(uppfoljning=uppf, version=1, by=cast.users["ledartroja_a"])


def test_history_rows_cannot_be_changed_through_the_orm(uppf: Uppfoljning) -> None:
    row = Historik.objects.get()
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        Historik.objects.all().update(handling="andrad")


def test_the_database_itself_refuses_to_update_history(uppf: Uppfoljning) -> None:
    row = Historik.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE uppfoljning_historik SET handling = 'andrad' WHERE id = %s", [row.pk]
        )
    assert Historik.objects.get().handling == "skapad"


def test_the_database_refuses_to_delete_history_on_postgresql(uppf: Uppfoljning) -> None:
    # SQLite keeps DELETE possible so that the test database can be emptied (see the migration).
    row = Historik.objects.get()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM uppfoljning_historik WHERE id = %s", [row.pk])
    assert Historik.objects.filter(pk=row.pk).exists()


def test_the_admin_cannot_change_or_delete_history(cast: Cast, uppf: Uppfoljning) -> None:
    from django.test import Client

    c = Client()
    c.force_login(cast.users["admin"])
    row = Historik.objects.get()
    assert (
        c.post(f"/admin/uppfoljning/historik/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert c.post(f"/admin/uppfoljning/historik/{row.pk}/change/", {}).status_code == 403
    assert Historik.objects.filter(pk=row.pk).exists()
