from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from omraden.models import Omrade
from tests.conftest import (
    make_omrade,
    make_period,
    make_publicering,
    make_uppfoljning,
    make_user,
)


def _table(html: str) -> str:
    # The status legend below the table shows every status: look at the table only.
    return html[html.index("<table") : html.index("</table>")]


@pytest.mark.django_db
def test_it_shows_every_period_and_area_with_the_real_t2_2023_status(
    client: Client, tyreso: None
) -> None:
    r = client.get("/uppfoljning/")
    assert r.status_code == 200
    html = r.content.decode()
    for header in ("T1 2023", "T2 2023", "Årsredovisning 2023"):
        assert header in html
    assert 'href="/uppfoljning/2023-t2/"' in html
    for omrade in Omrade.objects.all():
        assert omrade.kortnamn in html
    table = _table(html)
    assert table.count("status-gron") == 1
    assert "Inte publicerad" in table


@pytest.mark.django_db
def test_it_filters_by_year_with_a_plain_get_form(client: Client) -> None:
    omrade = make_omrade()
    for ar in (2024, 2025):
        period = make_period(ar=ar, tertial=1)
        make_publicering(make_uppfoljning(omrade=omrade, period=period, status="gron"))
    html = client.get("/uppfoljning/?ar=2025").content.decode()
    assert '<form method="get" action="/uppfoljning/"' in html
    assert '<option value="2025" selected>' in html
    assert "T1 2025" in html and "T1 2024" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("ar", ["1999", "abc", ""])
def test_no_year_or_an_unknown_one_shows_the_latest_year(client: Client, ar: str) -> None:
    make_period(ar=2024, tertial=1)
    make_period(ar=2025, tertial=1)
    html = client.get(f"/uppfoljning/?ar={ar}").content.decode()
    assert "T1 2025" in html and "T1 2024" not in html
    assert '<option value="2025" selected>' in html


@pytest.mark.django_db
def test_it_links_to_the_year_before_and_after(client: Client) -> None:
    for ar in (2023, 2024, 2025):
        make_period(ar=ar, tertial=1)
    html = client.get("/uppfoljning/?ar=2024").content.decode()
    assert '<nav aria-label="Andra år" class="pager">' in html
    assert '<a href="?ar=2023" rel="prev">Tidigare år: 2023</a>' in html
    assert '<a href="?ar=2025" rel="next">Senare år: 2025</a>' in html
    latest = client.get("/uppfoljning/").content.decode()
    assert 'href="?ar=2024"' in latest and 'rel="next"' not in latest


@pytest.mark.django_db
def test_it_marks_a_closed_report_that_was_corrected_later(client: Client) -> None:
    closed = timezone.make_aware(dt.datetime(2024, 5, 15))
    period = make_period(ar=2024, tertial=1, tillstand="stangd", stangd_at=closed)
    uppf = make_uppfoljning(omrade=make_omrade(), period=period, status="gron")
    make_publicering(uppf, skapad_at=closed - dt.timedelta(days=1))
    make_publicering(
        uppf, status="rod", orsak="x", atgarder="y", skapad_at=closed + dt.timedelta(days=30)
    )
    html = client.get("/uppfoljning/").content.decode()
    table = _table(html)
    assert "status-gron" in table and "status-rod" not in table
    assert "rättad senare" in table


@pytest.mark.django_db
def test_it_says_so_when_there_are_no_periods(client: Client) -> None:
    html = client.get("/uppfoljning/").content.decode()
    assert "Inga uppföljningsperioder har lagts upp ännu." in html


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 12])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, tyreso: None, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    for i in range(size):
        period = make_period(ar=2024 + i // 3, tertial=i % 3 + 1)
        for omrade in Omrade.objects.all():
            uppf = make_uppfoljning(omrade=omrade, period=period, status="gron")
            make_publicering(uppf)
            make_publicering(uppf)
    # 1: the years that have periods
    # 2: the periods of the year shown (the latest)
    # 3: the public publications those periods show, with their follow-ups
    # 4: the overarching assignments
    # 5: the public areas
    with django_assert_num_queries(5):
        assert client.get("/uppfoljning/").status_code == 200


@pytest.mark.django_db
def test_the_main_menu_marks_only_this_page_as_current(client: Client) -> None:
    html = client.get("/uppfoljning/").content.decode()
    assert html.count('aria-current="page"') == 1
    assert 'href="/uppfoljning/" aria-current="page"' in html


@pytest.mark.django_db
def test_staff_see_the_table_residents_see(client: Client) -> None:
    period = make_period(ar=2024, tertial=1, tillstand="oppen")
    uppf = make_uppfoljning(omrade=make_omrade(), period=period, status="gron")
    make_publicering(uppf)
    make_publicering(
        uppf, status="rod", orsak="x", atgarder="y", publicerad_at=timezone.now() + dt.timedelta(1)
    )
    make_omrade(publik=False, kortnamn="Hemligt område")
    client.force_login(make_user(groups=("medarbetare",)))
    html = client.get("/uppfoljning/").content.decode()
    table = _table(html)
    assert "status-gron" in table and "status-rod" not in table
    assert "Hemligt område" not in html
