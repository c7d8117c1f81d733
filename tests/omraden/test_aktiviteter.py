from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tests.conftest import make_aktivitet, make_omrade


@pytest.mark.django_db
def test_it_lists_the_real_checkpoint_as_past_and_shared_by_all_areas(
    client: Client, tyreso: None
) -> None:
    r = client.get("/aktiviteter/")
    assert r.status_code == 200
    html = r.content.decode()
    past = html[html.index('id="tidigare-rubrik"') :]
    assert "Checkpoint för de kommungemensamma områdena" in past
    assert "Flera områden tillsammans" in past
    assert "29 november 2023" in past
    assert "Inga aktiviteter är planerade just nu." in html


@pytest.mark.django_db
def test_it_groups_coming_activities_by_area_and_links_each(client: Client) -> None:
    unga = make_omrade(nummer=3, kortnamn="Unga")
    natur = make_omrade(nummer=6, kortnamn="Natur")
    today = timezone.localdate()
    a = make_aktivitet(titel="Fokusgrupp", omraden=[natur], datum=today + dt.timedelta(days=3))
    b = make_aktivitet(titel="Klotterplank", omraden=[unga], datum=today + dt.timedelta(days=9))
    make_aktivitet(titel="Internt möte", omraden=[unga], publik=False)
    html = client.get("/aktiviteter/").content.decode()
    coming = html[html.index('id="kommande-rubrik"') : html.index('id="tidigare-rubrik"')]
    assert coming.index("3. Unga") < coming.index("Klotterplank") < coming.index("6. Natur")
    assert f'href="/aktiviteter/{a.pk}/"' in coming and f'href="/aktiviteter/{b.pk}/"' in coming
    assert "Internt möte" not in html
    assert "Inga aktiviteter har hållits ännu." in html


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 20])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int, kommun: object
) -> None:
    # The municipality (header, footer) is read from the warm shared cache: no query.
    omraden = [make_omrade() for _ in range(3)]
    for i in range(size):
        make_aktivitet(
            omraden=omraden[: i % 3 + 1], datum=timezone.localdate() + dt.timedelta(days=i - 10)
        )
    # 1: how many public activities are coming (the pager)
    # 2: the first page of them
    # 3: their public areas (prefetched)
    # 4-6: the same for the past activities
    # (With one activity nothing is coming: an empty list costs only its count, so 4.)
    with django_assert_num_queries(4 if size == 1 else 6):
        assert client.get("/aktiviteter/").status_code == 200


@pytest.mark.django_db
def test_each_list_is_paged_so_the_page_stays_small(client: Client) -> None:
    from omraden.views import ACTIVITIES_PER_PAGE

    today = timezone.localdate()
    soonest = make_aktivitet(titel="Den första kommande", datum=today)
    for i in range(ACTIVITIES_PER_PAGE):
        make_aktivitet(titel=f"Kommande {i}", datum=today + dt.timedelta(days=i + 1))
    latest_past = make_aktivitet(titel="Den senaste tidigare", datum=today - dt.timedelta(days=1))
    html = client.get("/aktiviteter/").content.decode()
    assert len(re.findall(r'href="/aktiviteter/\d+/"', html)) == ACTIVITIES_PER_PAGE + 1
    assert f'href="/aktiviteter/{soonest.pk}/"' in html
    assert f'href="/aktiviteter/{latest_past.pk}/"' in html
    assert 'href="?kommande=2"' in html and "Sida 1 av 2" in html
    second = client.get("/aktiviteter/?kommande=2").content.decode()
    assert "Kommande 49" in second and f'href="/aktiviteter/{soonest.pk}/"' not in second


@pytest.mark.django_db
def test_it_is_in_english_under_en_with_english_dates(client: Client, tyreso: None) -> None:
    html = client.get("/en/aktiviteter/").content.decode()
    assert '<html lang="en">' in html
    assert "Past activities" in html
    assert "29 November 2023" in html
