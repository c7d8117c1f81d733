"""Only public data ever leaves the portal: every dataset, feed and the catalogue at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from omraden.models import Inspel
from tests.conftest import (
    make_aktivitet,
    make_indikator,
    make_inspel,
    make_matvarde,
    make_omrade,
    make_period,
    make_publicering,
    make_rapport,
    make_uppfoljning,
    make_user,
)

EVERY_OPEN_DATA_URL = [
    "/oppna-data/omraden.csv",
    "/oppna-data/omraden.json",
    "/oppna-data/uppfoljningar.csv",
    "/oppna-data/uppfoljningar.json",
    "/oppna-data/aktiviteter.csv",
    "/oppna-data/aktiviteter.json",
    "/oppna-data/indikatorer.csv",
    "/oppna-data/indikatorer.json",
    "/oppna-data/inspel.csv",
    "/oppna-data/inspel.json",
    "/oppna-data/uppfoljningar.atom",
    "/oppna-data/aktiviteter.ics",
    "/oppna-data/omraden/oppet/uppfoljningar.atom",
    "/oppna-data/omraden/oppet/aktiviteter.ics",
    "/datasets/dcat",
    "/oppna-data/",
    "/en/oppna-data/",
]

# Markers planted in everything that must stay hidden.
SECRETS = [
    "hemligt-omrade",
    "Hemligt område",
    "UTKASTTEXT",
    "FRAMTIDSTEXT",
    "INTERN-ANTECKNING",
    "DOLD-AKTIVITET",
    "DOLD-INDIKATOR",
    "DOLD-RAPPORT",
    "OMODERERAT",
    "AVVISAT",
    "RÅTEXT",
    "Anna Anonym",
    "@example.org",
    "avvisningsorsak-hemlig",
]


@pytest.fixture
def secrets_everywhere(db: None) -> None:
    """Public data beside everything that must never appear anonymously."""
    open_area = make_omrade(slug="oppet")
    hidden_area = make_omrade(slug="hemligt-omrade", kortnamn="Hemligt område", publik=False)
    period = make_period(ar=2024, tertial=1)

    # Follow-ups: one public, a draft, a future publication and one of a non-public area.
    public = make_uppfoljning(omrade=open_area, period=period, status="gron")
    make_publicering(public, sammanfattning="Allt går enligt plan.")
    make_uppfoljning(
        omrade=make_omrade(),
        period=period,
        status="gron",
        sammanfattning="UTKASTTEXT",
        intern_anteckning="INTERN-ANTECKNING",
    )
    later = make_uppfoljning(omrade=make_omrade(), period=period, status="gron")
    make_publicering(
        later,
        sammanfattning="FRAMTIDSTEXT",
        publicerad_at=timezone.now() + dt.timedelta(days=2),
    )
    hidden = make_uppfoljning(omrade=hidden_area, period=period, status="gron")
    make_publicering(hidden, sammanfattning="Hemligt område")

    # Activities: a hidden one, and a public one naming a hidden area.
    make_aktivitet(titel="DOLD-AKTIVITET", publik=False, omraden=[open_area])
    make_aktivitet(titel="Öppen workshop", omraden=[open_area, hidden_area])

    # Indicators: one of the whole municipality, one of a hidden area.
    ok = make_indikator(namn="Delaktighetsindex")
    make_matvarde(ok, ar=2023, kommun=58)
    hidden_indikator = make_indikator(namn="DOLD-INDIKATOR", omrade=hidden_area)
    make_matvarde(hidden_indikator, ar=2023, kommun=1)

    # Reports: a public and a hidden one.
    make_rapport(titel="Rapport februari")
    make_rapport(titel="DOLD-RAPPORT", publik=False)

    # Input: approved without showing the name, new, rejected and in a hidden area.
    make_inspel(
        text="RÅTEXT med telefonnummer",
        publicerad_text="Fler bänkar vid sjön.",
        namn="Anna Anonym",
        epost="anna@example.org",
        visa_namn=False,
        omrade=open_area,
    )
    make_inspel(text="OMODERERAT", epost="ny@example.org", status=Inspel.Status.NY)
    make_inspel(
        text="AVVISAT",
        epost="avvisad@example.org",
        status=Inspel.Status.AVVISAD,
        avvisningsorsak="avvisningsorsak-hemlig",
    )
    make_inspel(text="Hemligt område", omrade=hidden_area, epost="dold@example.org")


@pytest.mark.django_db
@pytest.mark.parametrize("logged_in", [False, True], ids=["resident", "staff"])
@pytest.mark.parametrize("url", EVERY_OPEN_DATA_URL)
def test_no_hidden_data_and_no_e_mail_address_appears_anywhere(
    client: Client, secrets_everywhere: None, url: str, logged_in: bool
) -> None:
    # Staff may see hidden rows on their own pages, but a file is the same for everyone:
    # they download what residents download.
    if logged_in:
        client.force_login(make_user("medarbetare"))
    r = client.get(url)
    assert r.status_code == 200
    content = r.content.decode()
    for secret in SECRETS:
        assert secret not in content, f"{secret!r} leaked in {url}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [u for u in EVERY_OPEN_DATA_URL if u.endswith((".csv", ".json", ".atom", ".ics"))],
)
def test_every_file_still_carries_the_public_data(
    client: Client, secrets_everywhere: None, url: str
) -> None:
    # The check above would pass for an empty file: each file must hold its public rows.
    content = client.get(url).content.decode()
    expected = {
        "omraden": "oppet",
        "uppfoljningar": "Allt går enligt plan.",
        "aktiviteter": "Öppen workshop",
        "indikatorer": "Delaktighetsindex",
        "inspel": "Fler bänkar vid sjön.",
    }
    dataset = url.rsplit("/", 1)[1].split(".")[0]
    assert expected[dataset] in content


@pytest.mark.django_db
def test_a_resident_who_chose_to_show_the_name_is_named_but_never_their_e_mail(
    client: Client,
) -> None:
    make_inspel(namn="Bo Synlig", epost="bo@example.org", visa_namn=True)
    for url in ("/oppna-data/inspel.csv", "/oppna-data/inspel.json"):
        content = client.get(url).content.decode()
        assert "Bo Synlig" in content
        assert "bo@example.org" not in content
        assert "@" not in content.replace("@context", "")
