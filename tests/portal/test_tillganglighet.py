from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from kommun.models import Kommun
from portal.models import KandBrist, Tillganglighetsredogorelse
from tests.conftest import make_kommun


def make_redogorelse(**kwargs: object) -> Tillganglighetsredogorelse:
    kwargs.setdefault("organisation", "Tyresö kommun")
    kwargs.setdefault("tjanst", f"Tjänst {Tillganglighetsredogorelse.objects.count() + 1}")
    kwargs.setdefault("efterlevnad", "delvis")
    kwargs.setdefault("bedomd", dt.date(2026, 11, 1))
    kwargs.setdefault("senast_uppdaterad", dt.date(2026, 11, 2))
    kwargs.setdefault("utvarderingsmetod", "Egen granskning")
    kwargs.setdefault("rapportera_text", "Skriv till oss.")
    kwargs.setdefault("kontakt_epost", "tillganglighet@example.se")
    return Tillganglighetsredogorelse.objects.create(**kwargs)


@pytest.mark.django_db
def test_it_shows_the_statement_loaded_with_the_real_data(client: Client, tyreso: None) -> None:
    html = client.get("/tillganglighet/").content.decode()
    assert "<h1>Tillgänglighetsredogörelse</h1>" in html
    assert "Tyresö kommun står bakom tjänsten" in html
    assert "<strong>delvis förenlig</strong>" in html
    # The known issues, reporting text and method: formatted text (Markdown) in a <div>.
    assert html.count('<div lang="sv"><p>') >= 3
    assert "Oskäligt betungande anpassning" in html
    assert 'href="https://www.digg.se/tdosanmalan"' in html
    assert 'href="mailto:tyreso.kommun@tyreso.se"' in html
    assert "Bedömd den" in html and "22 november 2026" in html
    assert "Senast uppdaterad" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("efterlevnad", "ord"),
    [("helt", "helt förenlig"), ("delvis", "delvis förenlig"), ("inte", "inte förenlig")],
)
def test_compliance_is_worded_exactly_as_the_law_says(
    client: Client, efterlevnad: str, ord: str
) -> None:
    make_redogorelse(efterlevnad=efterlevnad)
    assert f"<strong>{ord}</strong>" in client.get("/tillganglighet/").content.decode()


@pytest.mark.django_db
def test_without_a_statement_it_still_says_how_to_report(client: Client) -> None:
    html = client.get("/tillganglighet/").content.decode()
    assert "Tillgänglighetsredogörelsen håller på att skrivas." in html
    assert 'href="https://www.digg.se/tdosanmalan"' in html


@pytest.mark.django_db
def test_without_a_statement_the_municipalitys_accessibility_contact_is_given(
    client: Client,
) -> None:
    make_kommun(namn="Provkommun", tillganglighet_epost="tillganglighet@prov.example", telefon="")
    html = client.get("/tillganglighet/").content.decode()
    assert "rapportera brister i tillgängligheten till Provkommun." in html
    assert 'href="mailto:tillganglighet@prov.example"' in html
    assert "Telefon" not in html.split("<main", 1)[1]  # none given, none shown


@pytest.mark.django_db
def test_it_shows_the_most_recently_updated_statement(client: Client) -> None:
    make_redogorelse(tjanst="Gammal", senast_uppdaterad=dt.date(2026, 11, 2))
    make_redogorelse(tjanst="Ny", senast_uppdaterad=dt.date(2026, 11, 20))
    html = client.get("/tillganglighet/").content.decode()
    assert "tjänsten ”Ny”" in html


@pytest.mark.django_db
def test_it_is_in_english_under_en(client: Client, tyreso: None) -> None:
    html = client.get("/en/tillganglighet/").content.decode()
    assert "<strong>partially compliant</strong>" in html
    assert "22 November 2026" in html


@pytest.mark.django_db
def test_the_database_rejects_an_unknown_compliance_wording() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make_redogorelse(efterlevnad="nastan")


@pytest.mark.django_db
def test_the_database_rejects_an_update_before_the_assessment() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make_redogorelse(bedomd=dt.date(2026, 11, 5), senast_uppdaterad=dt.date(2026, 11, 1))


@pytest.mark.django_db
def test_the_database_rejects_an_unknown_reason_for_a_known_issue() -> None:
    r = make_redogorelse()
    with pytest.raises(IntegrityError), transaction.atomic():
        KandBrist.objects.create(redogorelse=r, beskrivning="PDF", skal="lat")


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 25])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int, kommun: Kommun
) -> None:
    # The municipality (header, footer) comes from the warm shared cache: no query.
    r = make_redogorelse()
    for i in range(size):
        KandBrist.objects.create(
            redogorelse=r, beskrivning=f"Brist {i}", skal="betungande", ordning=i
        )
    # 1: the statement in force
    # 2: its known issues (prefetched)
    with django_assert_num_queries(2):
        assert client.get("/tillganglighet/").status_code == 200
