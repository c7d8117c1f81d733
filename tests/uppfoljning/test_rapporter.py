from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from tests.conftest import make_rapport, make_user


@pytest.mark.django_db
def test_it_lists_the_three_real_reports_newest_first(client: Client, tyreso: None) -> None:
    html = client.get("/rapporter/").content.decode()
    nov = html.index("Kommundirektörens rapport november 2023")
    maj = html.index("Kommundirektörens rapport maj 2023")
    feb = html.index("Kommundirektörens rapport februari 2023")
    assert nov < maj < feb
    assert 'href="/rapporter/kommundirektorens-rapport-maj-2023/"' in html
    assert "1 maj 2023" in html


@pytest.mark.django_db
def test_it_hides_a_report_that_is_not_public(client: Client) -> None:
    make_rapport(titel="Hemlig rapport", publik=False)
    html = client.get("/rapporter/").content.decode()
    assert "Hemlig rapport" not in html
    assert "Inga rapporter har publicerats ännu." in html


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 20])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    for _ in range(size):
        make_rapport()
    # 1: the public reports
    with django_assert_num_queries(1):
        assert client.get("/rapporter/").status_code == 200


@pytest.mark.django_db
def test_staff_see_the_list_residents_see(client: Client) -> None:
    make_rapport(titel="Hemlig rapport", publik=False)
    client.force_login(make_user(groups=("medarbetare",)))
    assert "Hemlig rapport" not in client.get("/rapporter/").content.decode()
