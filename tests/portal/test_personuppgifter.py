from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries


@pytest.mark.django_db
def test_it_names_controller_purpose_legal_basis_retention_rights_and_imy(
    client: Client,
) -> None:
    html = client.get("/om-personuppgifter/").content.decode()
    assert "Tyresö kommun (kommunstyrelsen)" in html
    assert "personuppgiftsansvarig" in html
    assert "dataskyddsombud@tyreso.se" in html
    assert "artikel 6.1 e" in html
    assert "12 månader" in html and "3 månader" in html
    assert "Dina rättigheter" in html
    assert 'href="https://www.imy.se/"' in html


@pytest.mark.django_db
def test_it_is_linked_from_the_footer_of_every_page(client: Client) -> None:
    for path in ("/om-personuppgifter/", "/tillganglighet/", "/uppfoljning/"):
        assert 'href="/om-personuppgifter/"' in client.get(path).content.decode()


@pytest.mark.django_db
def test_it_is_in_english_under_en(client: Client) -> None:
    html = client.get("/en/om-personuppgifter/").content.decode()
    assert "<h1>How we handle personal data</h1>" in html


@pytest.mark.django_db
def test_it_reads_nothing_from_the_database(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(0):
        assert client.get("/om-personuppgifter/").status_code == 200
