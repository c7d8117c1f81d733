from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries


@pytest.mark.django_db
def test_it_explains_the_domain_words(client: Client, tyreso: None) -> None:
    html = client.get("/ordlista/").content.decode()
    for anchor in ('id="fadder"', 'id="ledartroja"', 'id="tertial"', 'id="medskapande"'):
        assert anchor in html
    assert "<dfn>Fadder</dfn>" in html or "<dfn>Fadder (fadder)</dfn>" in html
    assert "Förstå behovet" in html and "Förverkliga lösningarna" in html


@pytest.mark.django_db
def test_it_is_linked_from_the_overview_and_every_footer(client: Client, tyreso: None) -> None:
    html = client.get("/").content.decode()
    assert html.count('href="/ordlista/"') >= 2


@pytest.mark.django_db
def test_it_is_in_english_under_en(client: Client, tyreso: None) -> None:
    html = client.get("/en/ordlista/").content.decode()
    assert "<h1>Words we use</h1>" in html
    assert "leader jersey" in html


@pytest.mark.django_db
def test_the_number_of_queries_is_one(
    client: Client, tyreso: None, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # 1: the phases of the innovation method
    with django_assert_num_queries(1):
        assert client.get("/ordlista/").status_code == 200
