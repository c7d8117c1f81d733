from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from tests.conftest import make_rapport, make_user


@pytest.mark.django_db
def test_it_shows_one_report_in_full(client: Client, tyreso: None) -> None:
    r = client.get("/rapporter/kommundirektorens-rapport-november-2023/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1>Kommundirektörens rapport november 2023</h1>" in html
    assert "SSPF" in html and "Utvecklande ledarskap" in html


@pytest.mark.django_db
def test_it_shows_english_dates_under_en(client: Client, tyreso: None) -> None:
    html = client.get("/en/rapporter/kommundirektorens-rapport-november-2023/").content.decode()
    assert "1 November 2023" in html


@pytest.mark.django_db
def test_it_returns_404_for_a_report_that_is_not_public(client: Client) -> None:
    make_rapport(slug="hemlig", publik=False)
    assert client.get("/rapporter/hemlig/").status_code == 404
    # The public page is the residents' page, for staff too.
    client.force_login(make_user(groups=("medarbetare",)))
    assert client.get("/rapporter/hemlig/").status_code == 404


@pytest.mark.django_db
def test_the_number_of_queries_is_one(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    make_rapport(slug="en", sammanfattning="Lång text. " * 500)
    # 1: the report
    with django_assert_num_queries(1):
        assert client.get("/rapporter/en/").status_code == 200
