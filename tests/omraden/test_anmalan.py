from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from omraden.models import Aktivitet, Anmalan
from tests.conftest import make_aktivitet


def _sign_up(client: Client, aktivitet: Aktivitet, **data: Any) -> Any:
    meta = {key: data.pop(key) for key in list(data) if key.isupper()}
    data.setdefault("namn", "Eva Ek")
    data.setdefault("epost", "eva@example.se")
    return client.post(f"/aktiviteter/{aktivitet.pk}/anmalan/", data, **meta)


@pytest.mark.django_db
def test_the_page_shows_seats_left_and_a_sign_up_form(client: Client) -> None:
    aktivitet = make_aktivitet(kapacitet=30)
    html = client.get(f"/aktiviteter/{aktivitet.pk}/").content.decode()
    assert "30 platser kvar av 30." in html
    assert f'action="/aktiviteter/{aktivitet.pk}/anmalan/"' in html
    assert "Behov av tillgänglighet (frivilligt)" in html


@pytest.mark.django_db
def test_an_activity_without_capacity_or_in_the_past_takes_no_sign_ups(client: Client) -> None:
    no_capacity = make_aktivitet()
    past = make_aktivitet(kapacitet=10, datum=timezone.localdate() - dt.timedelta(days=1))
    closed = make_aktivitet(kapacitet=10, oppen_for_invanare=False)
    for aktivitet in (no_capacity, past, closed):
        assert "anmalan/" not in client.get(f"/aktiviteter/{aktivitet.pk}/").content.decode()
        assert _sign_up(client, aktivitet).status_code == 404
    assert not Anmalan.objects.exists()


@pytest.mark.django_db
def test_it_confirms_until_full_then_puts_people_on_the_waiting_list(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    aktivitet = make_aktivitet(kapacitet=2, titel="Checkpoint")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            r = _sign_up(client, aktivitet, namn=f"Person {i}", epost=f"p{i}@example.se")
            assert r.status_code == 302
    statuses = list(Anmalan.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["bekraftad", "bekraftad", "vantelista"]
    assert [m.subject for m in mail.outbox] == [
        "Din plats är bekräftad: Checkpoint",
        "Din plats är bekräftad: Checkpoint",
        "Du står på väntelistan: Checkpoint",
    ]
    # Each mail carries the personal cancel link.
    last = Anmalan.objects.order_by("pk").last()
    assert f"/anmalan/{last.token}/" in mail.outbox[2].body
    html = client.get(f"/aktiviteter/{aktivitet.pk}/").content.decode()
    assert "0 platser kvar av 2." in html and "Ställ dig på väntelistan" in html


@pytest.mark.django_db
def test_after_sign_up_the_personal_page_shows_the_status(client: Client) -> None:
    aktivitet = make_aktivitet(kapacitet=1)
    r = _sign_up(client, aktivitet, behov="Hörslinga")
    anmalan = Anmalan.objects.get()
    assert r["Location"] == f"/anmalan/{anmalan.token}/"
    assert anmalan.behov == "Hörslinga"
    html = client.get(r["Location"]).content.decode()
    assert "Din plats är bekräftad." in html
    assert "eva@example.se" not in html


@pytest.mark.django_db
def test_cancel_get_shows_a_confirm_form_and_post_cancels_and_promotes_the_first_waiting(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    aktivitet = make_aktivitet(kapacitet=1, titel="Workshop")
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client, aktivitet, namn="Först", epost="forst@example.se")
        _sign_up(client, aktivitet, namn="Andra", epost="andra@example.se")
        _sign_up(client, aktivitet, namn="Tredje", epost="tredje@example.se")
    mail.outbox.clear()  # The sign-ups' own e-mails; this test is about the cancellation's.
    first = Anmalan.objects.get(namn="Först")
    url = f"/anmalan/{first.token}/"
    r = client.get(url)
    assert "Avboka min anmälan" in r.content.decode()
    assert Anmalan.objects.get(pk=first.pk).status == "bekraftad"  # GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    status = dict(Anmalan.objects.values_list("namn", "status"))
    assert status == {"Först": "avbokad", "Andra": "bekraftad", "Tredje": "vantelista"}
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["andra@example.se"], "Din plats är bekräftad: Workshop")
    ]
    assert "Din anmälan är avbokad." in client.get(url).content.decode()


@pytest.mark.django_db
def test_cancelling_twice_or_from_the_waiting_list_promotes_no_one(client: Client) -> None:
    aktivitet = make_aktivitet(kapacitet=1)
    for i in range(3):
        _sign_up(client, aktivitet, namn=f"P{i}")
    waiting = Anmalan.objects.get(namn="P1")
    client.post(f"/anmalan/{waiting.token}/")
    confirmed = Anmalan.objects.get(namn="P0")
    client.post(f"/anmalan/{confirmed.token}/")
    client.post(f"/anmalan/{confirmed.token}/")
    status = dict(Anmalan.objects.values_list("namn", "status"))
    assert status == {"P0": "avbokad", "P1": "avbokad", "P2": "bekraftad"}


@pytest.mark.django_db
def test_an_unknown_cancel_code_is_404(client: Client) -> None:
    assert client.get("/anmalan/finns-inte/").status_code == 404
    assert client.post("/anmalan/finns-inte/").status_code == 404


@pytest.mark.django_db
def test_an_invalid_sign_up_is_refused_with_what_to_do_and_keeps_the_input(client: Client) -> None:
    aktivitet = make_aktivitet(kapacitet=5)
    r = _sign_up(client, aktivitet, namn="", epost="fel", behov="Rullstol")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Skriv ditt namn, så att vi vet vem som kommer." in html
    assert "Skriv en e-postadress som namn@example.se." in html
    assert "Rullstol" in html
    assert not Anmalan.objects.exists()


@pytest.mark.django_db
def test_a_filled_honeypot_signs_no_one_up(client: Client) -> None:
    aktivitet = make_aktivitet(kapacitet=5)
    assert _sign_up(client, aktivitet, webbplats="x").status_code == 302
    assert not Anmalan.objects.exists()


@pytest.mark.django_db
def test_sign_ups_are_rate_limited_per_address_with_the_input_kept(
    client: Client, settings: Any
) -> None:
    settings.ANMALAN_RATE = "2/10m"
    aktivitet = make_aktivitet(kapacitet=50)
    assert _sign_up(client, aktivitet).status_code == 302
    assert _sign_up(client, aktivitet).status_code == 302
    r = _sign_up(client, aktivitet, namn="Kvarvarande Namn")
    assert r.status_code == 429
    assert "För många anmälningar" in r.content.decode()
    assert "Kvarvarande Namn" in r.content.decode()
    assert Anmalan.objects.count() == 2


@pytest.mark.django_db
def test_sign_up_needs_csrf() -> None:
    aktivitet = make_aktivitet(kapacitet=5)
    assert _sign_up(Client(enforce_csrf_checks=True), aktivitet).status_code == 403
    assert not Anmalan.objects.exists()
