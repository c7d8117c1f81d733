from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tests.conftest import (
    make_omrade,
    make_period,
    make_publicering,
    make_uppdrag,
    make_uppfoljning,
    make_user,
)

OVERGRIPANDE = "/uppdrag/overgripande-att-arbeta-kommungemensamt/"


@pytest.mark.django_db
def test_it_shows_the_real_t2_2023_follow_up_of_the_overarching_assignment(
    client: Client, tyreso: None
) -> None:
    r = client.get(OVERGRIPANDE)
    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1>Övergripande – att arbeta kommungemensamt</h1>" in html
    assert "Senaste uppföljningen (T2 2023):" in html
    assert "status-gron" in html and "●" in html
    assert "IOP" in html
    assert "Publicerad 31 augusti 2023." in html
    assert 'href="/uppfoljning/2023-t2/"' in html


@pytest.mark.django_db
def test_it_shows_status_over_time_oldest_first(client: Client) -> None:
    uppdrag = make_uppdrag(slug="skola")
    for tertial, status in ((1, "rod"), (2, "gron")):
        uppf = make_uppfoljning(
            uppdrag=uppdrag,
            period=make_period(ar=2024, tertial=tertial),
            status=status,
            orsak="x",
            atgarder="y",
        )
        make_publicering(uppf)
    html = client.get("/uppdrag/skola/").content.decode()
    timeline = html[html.index('<ol class="timeline"') :]
    assert timeline.index("T1 2024") < timeline.index("T2 2024")
    assert "Uppdraget är inte påbörjat." in timeline


@pytest.mark.django_db
def test_an_assignment_without_a_published_follow_up_says_so(client: Client) -> None:
    uppdrag = make_uppdrag(slug="utkast")
    make_uppfoljning(uppdrag=uppdrag, status="gron", sammanfattning="Hemligt utkast")
    html = client.get("/uppdrag/utkast/").content.decode()
    assert "Uppdraget har ingen publicerad uppföljning ännu." in html
    assert "Hemligt utkast" not in html


@pytest.mark.django_db
def test_it_returns_404_for_an_unknown_assignment(client: Client) -> None:
    assert client.get("/uppdrag/finns-inte/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 15])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    uppdrag = make_uppdrag(slug="skola")
    for i in range(size):
        period = make_period(ar=2024 + i // 3, tertial=i % 3 + 1)
        uppf = make_uppfoljning(uppdrag=uppdrag, period=period, status="gron")
        make_publicering(uppf)
        make_publicering(uppf)
    for _ in range(size):
        uppdrag.omraden.add(make_omrade())
    # 1: the assignment
    # 2: its areas residents see
    # 3: its public publications with follow-up and period
    # 4: its public indicators with their values (the indicators section)
    with django_assert_num_queries(4):
        assert client.get("/uppdrag/skola/").status_code == 200


@pytest.mark.django_db
def test_staff_see_the_follow_up_residents_see(client: Client) -> None:
    uppdrag = make_uppdrag(slug="skola")
    uppf = make_uppfoljning(uppdrag=uppdrag, period=make_period(ar=2024, tertial=1))
    make_publicering(uppf, sammanfattning="Gäller nu")
    make_publicering(
        uppf, sammanfattning="Planerad", publicerad_at=timezone.now() + dt.timedelta(days=2)
    )
    client.force_login(make_user(groups=("medarbetare",)))
    html = client.get("/uppdrag/skola/").content.decode()
    assert "Gäller nu" in html and "Planerad" not in html


@pytest.mark.django_db
def test_it_lists_the_areas_that_carry_out_the_assignment(client: Client) -> None:
    uppdrag = make_uppdrag(slug="skola")
    uppdrag.omraden.add(
        make_omrade(nummer=3, slug="unga", kortnamn="Unga"),
        make_omrade(nummer=5, slug="dold", kortnamn="Dold", publik=False),
    )
    html = client.get("/uppdrag/skola/").content.decode()
    assert '<a href="/omraden/unga/">3. Unga</a>' in html
    # An area residents do not see is not named.
    assert "Dold" not in html
    assert 'href="/uppdrag/"' in html  # the breadcrumb to all assignments


@pytest.mark.django_db
def test_an_assignment_without_areas_says_so(client: Client) -> None:
    make_uppdrag(slug="skola")
    html = client.get("/uppdrag/skola/").content.decode()
    assert "Uppdraget är inte kopplat till något av de kommungemensamma områdena." in html
