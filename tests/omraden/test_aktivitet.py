from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from omraden.models import Aktivitet
from tests.conftest import make_aktivitet, make_omrade


@pytest.mark.django_db
def test_it_shows_the_checkpoint_with_its_themes(client: Client, tyreso: None) -> None:
    checkpoint = Aktivitet.objects.get()
    html = client.get(f"/aktiviteter/{checkpoint.pk}/").content.decode()
    assert "<h1>Checkpoint för de kommungemensamma områdena</h1>" in html
    assert "onsdag 29 november 2023" in html
    assert "Förbättrad service till företagare" in html
    assert "Genomförd aktivitet" in html


@pytest.mark.django_db
def test_it_hides_a_non_public_activity_from_residents(client: Client) -> None:
    hidden = make_aktivitet(publik=False)
    assert client.get(f"/aktiviteter/{hidden.pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("areas", [1, 7])
def test_the_number_of_queries_does_not_grow_with_the_areas(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, areas: int, kommun: object
) -> None:
    # The municipality (header, footer) is read from the warm shared cache: no query.
    aktivitet = make_aktivitet(omraden=[make_omrade() for _ in range(areas)])
    # 1: the activity with its confirmed and waiting sign-ups counted
    # 2: its public areas
    # 3: the public input it produced
    with django_assert_num_queries(3):
        assert client.get(f"/aktiviteter/{aktivitet.pk}/").status_code == 200
