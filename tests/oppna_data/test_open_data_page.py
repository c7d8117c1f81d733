"""The open data page: /oppna-data/ (and /en/oppna-data/)."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from tests.conftest import make_aktivitet, make_omrade

DATASETS = ["omraden", "uppfoljningar", "aktiviteter", "indikatorer", "inspel"]


@pytest.mark.django_db
def test_it_lists_every_dataset_with_stable_links(client: Client) -> None:
    r = client.get("/oppna-data/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1>Öppna data</h1>" in html
    for slug in DATASETS:
        assert f'id="{slug}"' in html
        for fmt in ("csv", "json"):
            assert f'href="http://testserver/oppna-data/{slug}.{fmt}"' in html
    assert 'href="http://testserver/oppna-data/uppfoljningar.atom"' in html
    assert 'href="http://testserver/oppna-data/aktiviteter.ics"' in html
    assert 'href="http://testserver/datasets/dcat"' in html


@pytest.mark.django_db
def test_it_states_the_licence_and_the_formats(client: Client) -> None:
    html = client.get("/oppna-data/").content.decode()
    assert 'href="https://creativecommons.org/publicdomain/zero/1.0/" rel="license"' in html
    assert "CC0 1.0" in html
    assert "Källa: Kolada" in html
    assert "kommaseparerad" in html


@pytest.mark.django_db
def test_it_is_in_english_under_en(client: Client) -> None:
    html = client.get("/en/oppna-data/").content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Open data</h1>" in html
    # The files keep their one address whatever the page's language.
    assert 'href="http://testserver/oppna-data/omraden.csv"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 15])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    for _ in range(size):
        make_aktivitet(omraden=[make_omrade()])
    # No queries: the page lists the datasets, not their rows.
    with django_assert_num_queries(0):
        assert client.get("/oppna-data/").status_code == 200
