"""/folj/ and the follow form on every area page: subscribe with double opt-in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from prenumeration.models import Prenumeration
from tests.conftest import make_omrade
from tests.prenumeration.conftest import make_prenumeration
from utskick.models import Utskick

URL = "/folj/"


def _post(client: Client, **data: Any) -> Any:
    meta = {key: data.pop(key) for key in list(data) if key.isupper()}
    data.setdefault("epost", "Ny.Foljare@Example.net")
    data.setdefault("omfattning", "valda")
    data.setdefault("typer", ["uppfoljningar", "aktiviteter", "svar", "rapporter"])
    return client.post(URL, data, **meta)


@pytest.mark.django_db
def test_it_shows_the_form_with_the_gdpr_art_13_notice(
    client: Client, settings: Any, kommun: object
) -> None:
    settings.PRENUMERATION_BEKRAFTA_DAGAR = 13
    make_omrade(kortnamn="Trygghet")
    html = client.get(URL).content.decode()
    assert '<form method="post" action="/folj/"' in html
    assert "Trygghet" in html
    for required in [
        "tyreso.kommun@tyreso.se",  # controller
        "dataskyddsombud@tyreso.se",  # data protection officer
        "6.1 a",  # legal basis: consent
        " 13 ",  # retention, from PRENUMERATION_BEKRAFTA_DAGAR
        "IMY",  # complaints
        "/om-personuppgifter/",
    ]:
        assert required in html, required


@pytest.mark.django_db
def test_it_asks_for_confirmation_and_sends_nothing_else(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    a, b = make_omrade(), make_omrade()
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(client, omraden=[a.pk, b.pk], typer=["uppfoljningar", "svar"])
    assert r.status_code == 302 and r["Location"] == "/folj/tack/"
    p = Prenumeration.objects.get()
    assert p.epost == "ny.foljare@example.net"
    assert p.bekraftad_at is None and not p.is_active
    assert set(p.omraden.all()) == {a, b} and p.kinds() == ["uppfoljningar", "svar"]
    [row] = Utskick.objects.all()
    assert row.nyckel.startswith(f"prenumeration-bekrafta:{p.pk}:")
    assert "http://127.0.0.1:8000/folj/bekrafta/" in row.text
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ny.foljare@example.net"]
    # The thank-you page does not show the address.
    assert "ny.foljare" not in client.get("/folj/tack/").content.decode().lower()


@pytest.mark.django_db
def test_all_areas(client: Client) -> None:
    make_omrade()
    _post(client, omfattning="alla")
    p = Prenumeration.objects.get()
    assert p.alla_omraden and list(p.omraden.all()) == []


@pytest.mark.django_db
def test_an_address_that_already_follows_is_not_changed_by_someone_else(client: Client) -> None:
    a, b = make_omrade(), make_omrade()
    p = make_prenumeration("eva@example.net", omraden=[a])
    r = _post(client, epost="EVA@example.net", omraden=[b.pk])
    # The same answer as for a new address: the form tells nobody who follows.
    assert r.status_code == 302 and r["Location"] == "/folj/tack/"
    p.refresh_from_db()
    assert list(p.omraden.all()) == [a] and p.is_active
    [row] = Utskick.objects.all()
    assert row.nyckel.startswith("prenumeration-finns:") and "/folj/andra/" in row.text


@pytest.mark.django_db
def test_errors_are_summarised_and_the_choices_kept(client: Client) -> None:
    a = make_omrade(kortnamn="Trygghet")
    r = _post(client, epost="inte-en-adress", omraden=[a.pk], typer=[])
    assert r.status_code == 200
    html = r.content.decode()
    assert 'role="alert"' in html and 'href="#id_epost"' in html and 'href="#id_typer"' in html
    assert 'value="inte-en-adress"' in html
    assert f'value="{a.pk}" id="id_omraden_0" checked' in html
    assert Prenumeration.objects.count() == 0 and Utskick.objects.count() == 0


@pytest.mark.django_db
def test_choosing_areas_needs_an_area(client: Client) -> None:
    make_omrade()
    r = _post(client, omfattning="valda")
    assert r.status_code == 200 and 'href="#id_omraden"' in r.content.decode()
    assert Prenumeration.objects.count() == 0


@pytest.mark.django_db
def test_the_honeypot_saves_nothing(client: Client) -> None:
    r = _post(client, omfattning="alla", webbplats="http://spam.example")
    assert r.status_code == 302 and Prenumeration.objects.count() == 0


@pytest.mark.django_db
def test_it_is_rate_limited_per_client_address(client: Client, settings: Any) -> None:
    settings.PRENUMERATION_RATE = "2/10m"
    for n in range(2):
        assert _post(client, epost=f"x{n}@example.net", omfattning="alla").status_code == 302
    r = _post(client, epost="kvar@example.net", omfattning="alla")
    assert r.status_code == 429 and 'value="kvar@example.net"' in r.content.decode()
    assert Prenumeration.objects.count() == 2
    # Another address is not affected.
    assert (
        _post(client, epost="y@example.net", omfattning="alla", REMOTE_ADDR="10.9.9.9").status_code
        == 302
    )


@pytest.mark.django_db
def test_every_area_page_has_a_follow_form_for_that_area(client: Client) -> None:
    omrade = make_omrade(kortnamn="Trygghet")
    html = client.get(omrade.get_absolute_url()).content.decode()
    assert 'id="folj-rubrik"' in html and 'action="/folj/"' in html
    assert f'<input type="hidden" name="omraden" value="{omrade.pk}"' in html
    # Beside the input form on the same page: no id twice.
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert [i for i in set(ids) if ids.count(i) > 1] == []
    assert "6.1 a" in html  # the notice is there too
    # The hidden fields post as they are: a subscription to that area.
    r = _post(client, omraden=[omrade.pk])
    assert r.status_code == 302
    assert list(Prenumeration.objects.get().omraden.all()) == [omrade]


@pytest.mark.django_db
def test_it_works_in_english(client: Client) -> None:
    r = client.get("/en/folj/")
    assert r.status_code == 200 and "Follow the joint areas" in r.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("areas", [1, 7])
def test_the_page_takes_one_query(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, areas: int, kommun: object
) -> None:
    # The municipality (header, footer) is read from the warm shared cache: no query.
    for _ in range(areas):
        make_omrade()
    with django_assert_num_queries(1):  # the areas to choose from
        assert client.get(URL).status_code == 200


@pytest.mark.django_db
def test_an_address_gets_at_most_one_confirmation_mail_per_ten_minutes(client: Client) -> None:
    for n in range(3):
        _post(client, epost="eva@example.net", omfattning="alla", REMOTE_ADDR=f"10.0.0.{n}")
    assert Utskick.objects.filter(nyckel__startswith="prenumeration-bekrafta:").count() == 1
    p = Prenumeration.objects.get()
    assert p.alla_omraden  # the choices are the latest
