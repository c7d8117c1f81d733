from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from portal.roles import KOMMUNLEDNINGSGRUPPEN, MEDARBETARE
from tests.conftest import make_indikator, make_matvarde, make_omrade, make_user


@pytest.mark.django_db
def test_it_lists_every_indicator_with_where_its_values_come_from(
    client: Client, tyreso: None
) -> None:
    client.force_login(make_user("klg", groups=(KOMMUNLEDNINGSGRUPPEN,)))
    html = client.get("/arbetsyta/indikatorer/").content.decode()
    assert html.count('href="/arbetsyta/indikatorer/') == 10
    assert "Bedöms i ord (inga siffror)" in html
    assert "Inmatat av medarbetare" in html


@pytest.mark.django_db
def test_staff_see_indicators_of_areas_that_are_not_public(client: Client) -> None:
    make_indikator(namn="Internt mått", omrade=make_omrade(publik=False))
    client.force_login(make_user("medarbetare", groups=(MEDARBETARE,)))
    html = client.get("/arbetsyta/indikatorer/").content.decode()
    assert "Internt mått" in html
    assert "Kommunledningsgruppen och administratörer matar in dem." in html


@pytest.mark.django_db
def test_residents_are_sent_to_the_login(client: Client) -> None:
    r = client.get("/arbetsyta/indikatorer/")
    assert r.status_code == 302 and "/konto/logga-in/" in r["Location"]


@pytest.mark.usefixtures("kommun")
@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 15])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    client.force_login(make_user("klg", groups=(KOMMUNLEDNINGSGRUPPEN,)))
    for _ in range(size):
        indikator = make_indikator(omrade=make_omrade())
        for ar in range(2000, 2000 + size):
            make_matvarde(indikator, ar=ar)
    # 1: the session  2: the user  3: the indicators with assignment and area  4: their values
    # 5: the user's roles (groups, ledartröja areas, fadder areas in one query)
    with django_assert_num_queries(5):
        assert client.get("/arbetsyta/indikatorer/").status_code == 200
