from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from portal.roles import ADMINISTRATOR, KOMMUNLEDNINGSGRUPPEN, MEDARBETARE
from tests.conftest import make_indikator, make_matvarde, make_user
from uppfoljning.models import Indikator, Matvarde

URL = "/arbetsyta/indikatorer/samarbeten/"


@pytest.fixture
def indikator(kommun: None) -> Indikator:
    return make_indikator(slug="samarbeten", enhet=Indikator.Enhet.PROCENT)


@pytest.fixture
def klg(client: Client, db: None) -> Client:
    client.force_login(make_user("klg", groups=(KOMMUNLEDNINGSGRUPPEN,)))
    return client


def post(client: Client, **data: Any) -> Any:
    data.setdefault("ar", "2023")
    data.setdefault("kommun", "61")
    data.setdefault("riket", "")
    return client.post(URL, data)


def stored() -> list[tuple[int, Decimal | None, Decimal | None, str]]:
    return list(Matvarde.objects.order_by("ar").values_list("ar", "kommun", "riket", "kalla"))


def test_it_saves_a_manual_value_and_redirects(klg: Client, indikator: Indikator) -> None:
    r = post(klg, kommun="61,5", riket="58")
    assert r.status_code == 302 and r["Location"] == URL
    assert stored() == [(2023, Decimal("61.5"), Decimal(58), "manuell")]
    page = klg.get(URL).content.decode()
    assert "Värdet för 2023 är sparat." in page
    assert "Källa: SCB:s medborgarundersökning, inmatat av kommunen" in page


def test_the_national_value_is_optional(klg: Client, indikator: Indikator) -> None:
    post(klg, riket="")
    assert stored() == [(2023, Decimal(61), None, "manuell")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kommun": "101"}, "En procentsats ligger mellan 0 och 100."),
        ({"riket": "-1"}, "En procentsats ligger mellan 0 och 100."),
        ({"ar": str(dt.date.today().year + 1)}, "Året kan inte ligga i framtiden."),
        ({"kommun": ""}, "Detta fält måste fyllas i."),
        ({"ar": "tjugo"}, "Fyll i ett heltal."),
    ],
)
def test_invalid_values_are_shown_again_with_errors_tied_to_the_field(
    klg: Client, indikator: Indikator, data: dict[str, str], message: str
) -> None:
    r = post(klg, **data)
    assert r.status_code == 200
    html = r.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_' in html
    assert stored() == []


def test_a_second_value_for_the_same_year_gets_a_friendly_error(
    klg: Client, indikator: Indikator
) -> None:
    make_matvarde(indikator, ar=2023, kommun=50)
    r = post(klg, kommun="70")
    assert r.status_code == 200
    assert "Det finns redan ett värde för 2023." in r.content.decode()
    assert stored() == [(2023, Decimal(50), None, "manuell")]


def test_editing_an_existing_year_updates_it(klg: Client, indikator: Indikator) -> None:
    make_matvarde(indikator, ar=2023, kommun=50)
    form = klg.get(URL + "?ar=2023").content.decode()
    assert 'name="original_ar" value="2023"' in form
    r = post(klg, kommun="52", riket="40", original_ar="2023")
    assert r.status_code == 302
    assert stored() == [(2023, Decimal(52), Decimal(40), "manuell")]
    assert "Värdet för 2023 är uppdaterat." in klg.get(URL).content.decode()


def test_editing_cannot_move_a_value_to_another_year(klg: Client, indikator: Indikator) -> None:
    make_matvarde(indikator, ar=2022, kommun=50)
    r = post(klg, ar="2023", original_ar="2022")
    assert r.status_code == 200
    assert "Året för ett sparat värde kan inte ändras." in r.content.decode()
    assert stored() == [(2022, Decimal(50), None, "manuell")]


def test_administrators_may_enter_values(client: Client, indikator: Indikator) -> None:
    client.force_login(make_user("admin", groups=(ADMINISTRATOR,)))
    assert post(client).status_code == 302


def test_other_staff_see_the_values_but_may_not_enter_any(
    client: Client, indikator: Indikator
) -> None:
    client.force_login(make_user("medarbetare", groups=(MEDARBETARE,)))
    page = client.get(URL)
    assert page.status_code == 200
    assert "<form" not in page.content.decode().split("<main", 1)[1]
    assert post(client).status_code == 403
    assert stored() == []


def test_values_of_a_kolada_indicator_are_never_typed_in(klg: Client, db: None) -> None:
    make_indikator(slug="samarbeten", kolada_kpi="U00000", kolada_titel="Något")
    page = klg.get(URL).content.decode()
    assert "kommer från Kolada (nyckeltal U00000)" in page
    assert post(klg).status_code == 403
    assert stored() == []


def test_an_assessed_indicator_takes_no_values(klg: Client, db: None) -> None:
    make_indikator(slug="samarbeten", enhet=Indikator.Enhet.BEDOMNING)
    assert "inga siffror att mata in" in klg.get(URL).content.decode()
    assert post(klg).status_code == 403


def test_residents_are_sent_to_the_login(client: Client, indikator: Indikator) -> None:
    r = client.get(URL)
    assert r.status_code == 302 and "/konto/logga-in/" in r["Location"]
    assert post(client).status_code == 302
    assert stored() == []


def test_it_needs_csrf(indikator: Indikator) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("klg", groups=(KOMMUNLEDNINGSGRUPPEN,)))
    assert post(client).status_code == 403
    assert stored() == []


@pytest.mark.parametrize("size", [1, 25])
def test_the_number_of_queries_does_not_grow_with_the_data(
    klg: Client, indikator: Indikator, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    for ar in range(1990, 1990 + size):
        make_matvarde(indikator, ar=ar, kommun=50)
    # 1: the session  2: the user  3: the indicator  4: its values
    # 5: the user's roles (groups, ledartröja areas, fadder areas in one query)
    with django_assert_num_queries(5):
        assert klg.get(URL).status_code == 200
