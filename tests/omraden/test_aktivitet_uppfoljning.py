from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from omraden.models import Inspel
from tests.cast import Cast
from tests.conftest import make_aktivitet, make_inspel


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _past(cast: Cast) -> Any:
    return make_aktivitet(
        omraden=[cast.omrade_a], datum=timezone.localdate() - dt.timedelta(days=3)
    )


def test_only_staff_of_one_of_its_areas_may_record_the_feedback(cast: Cast) -> None:
    aktivitet = _past(cast)
    url = f"/aktiviteter/{aktivitet.pk}/aterkoppling/"
    assert _client(None).get(url).status_code == 302
    for role in ("medarbetare", "ledartroja_b", "moderator"):
        assert _client(cast.users[role]).get(url).status_code == 403, role
    for role in ("ledartroja_a", "fadder_a", "klg"):
        assert _client(cast.users[role]).get(url).status_code == 200, role


def test_staff_record_minutes_participants_input_and_feedback_date_shown_publicly(
    cast: Cast, client: Client
) -> None:
    aktivitet = _past(cast)
    produced = make_inspel(omrade=cast.omrade_a, publicerad_text="Idé från workshoppen")
    other = make_inspel(omrade=cast.omrade_a, publicerad_text="Annat inspel")
    r = _client(cast.users["ledartroja_a"]).post(
        f"/aktiviteter/{aktivitet.pk}/aterkoppling/",
        {
            "protokoll": "Vi pratade om återbruk.",
            "antal_deltagare": "42",
            "aterkoppling_senast": "2031-01-31",
            "inspel": [produced.pk],
        },
    )
    assert r.status_code == 302
    aktivitet.refresh_from_db()
    assert (aktivitet.protokoll, aktivitet.antal_deltagare) == ("Vi pratade om återbruk.", 42)
    assert aktivitet.aterkoppling_senast == dt.date(2031, 1, 31)
    assert list(aktivitet.inspel.all()) == [produced]
    html = client.get(f"/aktiviteter/{aktivitet.pk}/").content.decode()
    assert "Vi pratade om återbruk." in html
    assert "42" in html and "31 januari 2031" in html
    assert "Idé från workshoppen" in html and "Annat inspel" not in html
    assert Inspel.objects.get(pk=other.pk).aktivitet is None


def test_invalid_feedback_is_refused_with_what_to_do(cast: Cast) -> None:
    aktivitet = _past(cast)
    r = _client(cast.users["ledartroja_a"]).post(
        f"/aktiviteter/{aktivitet.pk}/aterkoppling/",
        {"protokoll": "Anteckningar", "antal_deltagare": "många", "aterkoppling_senast": "snart"},
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "Skriv antalet deltagare med siffror." in html
    assert "Skriv datumet som ÅÅÅÅ-MM-DD." in html
    assert "Anteckningar" in html


def test_unpublished_or_rejected_input_is_not_shown_on_the_activity(
    cast: Cast, client: Client
) -> None:
    aktivitet = _past(cast)
    make_inspel(omrade=cast.omrade_a, status=Inspel.Status.NY, text="Ny", aktivitet=aktivitet)
    make_inspel(
        omrade=cast.omrade_a, status=Inspel.Status.AVVISAD, text="Avvisad", aktivitet=aktivitet
    )
    html = client.get(f"/aktiviteter/{aktivitet.pk}/").content.decode()
    assert "Vad det blev av det" in html
    assert ">Ny<" not in html and "Avvisad" not in html
