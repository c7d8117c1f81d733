from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from kommun.models import Kommun
from tests.conftest import make_kommun


@pytest.mark.django_db
def test_it_names_controller_purpose_legal_basis_retention_rights_and_imy(
    client: Client, kommun: Kommun
) -> None:
    html = client.get("/om-personuppgifter/").content.decode()
    assert "Tyresö kommun (kommunstyrelsen), 135 81 Tyresö" in html
    assert 'href="mailto:tyreso.kommun@tyreso.se"' in html and 'href="tel:+46857829100"' in html
    assert "Personuppgiftsansvarig" in html
    assert 'href="mailto:dataskyddsombud@tyreso.se"' in html
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
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, kommun: Kommun
) -> None:
    # The municipality comes from the warm shared cache.
    with django_assert_num_queries(0):
        assert client.get("/om-personuppgifter/").status_code == 200


@pytest.mark.django_db
def test_it_gives_only_the_contacts_the_record_has(client: Client) -> None:
    make_kommun(
        namn="Provkommun",
        postadress="",
        epost="info@prov.example",
        telefon="",
        dataskyddsombud_epost="",
    )
    html = client.get("/om-personuppgifter/").content.decode()
    assert "Provkommun (kommunstyrelsen), " in html and "Tyresö" not in html
    assert "Dataskyddsombudet hos" not in html and "tel:" not in html
