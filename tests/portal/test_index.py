from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from kommun.models import Kommun
from omraden.models import Omrade
from tests.conftest import make_aktivitet, make_period, make_publicering, make_uppfoljning
from tests.datasets.test_dataset_tyreso import FADDRAR, QUESTIONS
from uppfoljning.models import Rapport


@pytest.mark.django_db
def test_it_shows_the_seven_questions_and_faddrar(client: Client, tyreso: None) -> None:
    r = client.get("/")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="sv">' in html
    for question in QUESTIONS:
        assert question in html
    for namn, titel in FADDRAR:
        assert f"{namn}, {titel}" in html
    assert "Förstå behovet" in html


@pytest.mark.django_db
def test_it_says_when_an_area_has_no_published_status(client: Client, tyreso: None) -> None:
    html = client.get("/").content.decode()
    assert html.count("Ingen publicerad status ännu") == 7


@pytest.mark.django_db
def test_it_shows_the_latest_published_status_with_text_and_symbol(
    client: Client, tyreso: None
) -> None:
    omrade = Omrade.objects.get(nummer=3)
    old = make_uppfoljning(omrade=omrade, period=make_period(ar=2024, tertial=1), status="gron")
    make_publicering(old)
    new = make_uppfoljning(
        omrade=omrade,
        period=make_period(ar=2024, tertial=2),
        status="rod",
        orsak="Inte startat",
        atgarder="Rekrytering",
    )
    make_publicering(new)
    html = client.get("/").content.decode()
    symbol = '<span class="status-symbol" aria-hidden="true">■</span>'
    assert f'<span class="status status-rod">{symbol} Röd</span>' in html
    assert "(T2 2024)" in html


@pytest.mark.django_db
def test_it_never_shows_a_draft_or_a_future_publication(client: Client, tyreso: None) -> None:
    import datetime as dt

    from django.utils import timezone

    omrade = Omrade.objects.get(nummer=1)
    make_uppfoljning(omrade=omrade, period=make_period(), status="gron")  # draft only
    planned = make_uppfoljning(omrade=omrade, period=make_period(ar=2024, tertial=2), status="gron")
    make_publicering(planned, publicerad_at=timezone.now() + dt.timedelta(days=3))
    html = client.get("/").content.decode()
    # The only green on the page is the overarching assignment's real T2 2023 follow-up.
    assert html.count("status-gron") == 1
    assert html.count("Ingen publicerad status ännu") == 7


@pytest.mark.django_db
@pytest.mark.parametrize("periods", [1, 12])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, tyreso: None, django_assert_num_queries: DjangoAssertNumQueries, periods: int
) -> None:
    for i in range(periods):
        period = make_period(ar=2024 + i // 3, tertial=i % 3 + 1)
        for omrade in Omrade.objects.all():
            uppf = make_uppfoljning(omrade=omrade, period=period, status="gron")
            make_publicering(uppf)
            make_publicering(uppf, version=2)
    for i in range(periods):
        make_aktivitet(titel=f"Workshop {i}")
        Rapport.objects.create(
            slug=f"rapport-{i}", titel=f"Rapport {i}", datum=dt.date(2024, 1, 1), sammanfattning="…"
        )
    # The municipality record comes from the shared cache after the first request anywhere.
    Kommun.objects.current()
    # 1: the areas with fadder and phase, and the latest publication's id as a subquery
    # 2: those publications with their follow-up and period
    # 3: the next public activities (at most three)
    # 4: the overarching assignment's latest public publication with period and assignment
    # 5: the latest public report
    with django_assert_num_queries(5):
        assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_it_is_in_english_under_en(client: Client, tyreso: None) -> None:
    html = client.get("/en/").content.decode()
    assert '<html lang="en">' in html
    assert "The joint areas" in html
    assert 'href="/" lang="sv"' in html


@pytest.mark.django_db
def test_it_is_in_swedish_whatever_the_browser_asks(client: Client, tyreso: None) -> None:
    html = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert '<html lang="sv">' in html
    assert 'href="/en/" lang="en"' in html


@pytest.mark.django_db
def test_it_shows_the_overarching_assignment_and_the_latest_report(
    client: Client, tyreso: None
) -> None:
    html = client.get("/").content.decode()
    assert "Det övergripande uppdraget" in html
    assert "Övergripande – att arbeta kommungemensamt" in html
    assert 'href="/uppdrag/overgripande-att-arbeta-kommungemensamt/"' in html
    assert 'href="/rapporter/kommundirektorens-rapport-november-2023/"' in html
    assert "Inga aktiviteter är planerade just nu." in html


@pytest.mark.django_db
def test_it_shows_the_next_three_coming_activities(client: Client, tyreso: None) -> None:
    today = dt.date.today()
    for i in range(5):
        make_aktivitet(titel=f"Workshop nr {i}", datum=today + dt.timedelta(days=10 - i))
    make_aktivitet(titel="Intern workshop", publik=False)
    html = client.get("/").content.decode()
    assert "Workshop nr 4" in html and "Workshop nr 2" in html
    assert "Workshop nr 1" not in html and "Intern workshop" not in html
    assert 'href="/aktiviteter/"' in html
