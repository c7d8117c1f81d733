"""Minutes and participants only once an activity has taken place (Aktivitet.clean)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from omraden.models import Aktivitet
from tests.cast import Cast
from tests.conftest import make_aktivitet, make_inspel

pytestmark = pytest.mark.django_db

TODAY = dt.date(2027, 3, 14)


def _at(hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(TODAY, dt.time(hour, minute)))


@pytest.mark.parametrize(
    ("datum", "starttid", "held"),
    [
        (TODAY - dt.timedelta(days=1), dt.time(23, 0), True),
        (TODAY + dt.timedelta(days=1), None, False),
        (TODAY, None, True),  # today, no time given: the day has come
        (TODAY, dt.time(9, 59), True),
        (TODAY, dt.time(10, 0), True),  # it starts now
        (TODAY, dt.time(18, 0), False),
    ],
)
def test_it_has_taken_place_once_its_date_or_start_time_has_come(
    datum: dt.date, starttid: dt.time | None, held: bool
) -> None:
    aktivitet = Aktivitet(titel="Workshop", datum=datum, starttid=starttid)
    assert aktivitet.has_taken_place(_at(10)) is held


def test_the_local_time_counts_not_utc() -> None:
    # 23:30 UTC on 13 March is 00:30 on 14 March in Stockholm: a 14 March activity has begun.
    late = dt.datetime(2027, 3, 13, 23, 30, tzinfo=dt.UTC)
    assert Aktivitet(titel="x", datum=TODAY).has_taken_place(late)


def test_minutes_and_participants_of_a_coming_activity_are_refused() -> None:
    aktivitet = make_aktivitet(
        datum=timezone.localdate() + dt.timedelta(days=3), starttid=dt.time(18, 0)
    )
    aktivitet.protokoll = "Vi pratade om återbruk."
    aktivitet.antal_deltagare = 12
    with pytest.raises(ValidationError) as error:
        aktivitet.full_clean()
    when = aktivitet.starts_text()
    assert "kl. 18:00" in when
    assert error.value.message_dict == {
        "protokoll": [f"Protokoll kan skrivas när aktiviteten har ägt rum, från {when}."],
        "antal_deltagare": [
            f"Antalet deltagare kan anges när aktiviteten har ägt rum, från {when}."
        ],
    }


def test_a_coming_activity_without_minutes_is_valid() -> None:
    make_aktivitet(datum=timezone.localdate() + dt.timedelta(days=3)).full_clean()


def test_minutes_and_participants_of_a_past_activity_are_accepted() -> None:
    aktivitet = make_aktivitet(datum=timezone.localdate() - dt.timedelta(days=1))
    aktivitet.protokoll = "Vi pratade om återbruk."
    aktivitet.antal_deltagare = 12
    aktivitet.full_clean()


# The staff page (omraden.deltagande_views.aktivitet_uppfoljning)


def _ledartroja(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.users["ledartroja_a"])
    return client


def test_before_the_activity_the_page_explains_instead_of_showing_the_fields(
    cast: Cast,
) -> None:
    aktivitet = make_aktivitet(
        omraden=[cast.omrade_a],
        datum=timezone.localdate() + dt.timedelta(days=5),
        starttid=dt.time(18, 0),
    )
    make_inspel(omrade=cast.omrade_a)
    html = _ledartroja(cast).get(f"/aktiviteter/{aktivitet.pk}/aterkoppling/").content.decode()
    assert "Aktiviteten har inte ägt rum ännu." in html
    assert f"från {aktivitet.starts_text()}" in html
    assert 'name="protokoll"' not in html and 'name="antal_deltagare"' not in html
    assert 'name="inspel"' not in html
    assert 'name="aterkoppling_senast"' in html


def test_before_the_activity_only_the_feedback_date_is_saved(cast: Cast) -> None:
    aktivitet = make_aktivitet(
        omraden=[cast.omrade_a], datum=timezone.localdate() + dt.timedelta(days=5)
    )
    inspel = make_inspel(omrade=cast.omrade_a)
    r = _ledartroja(cast).post(
        f"/aktiviteter/{aktivitet.pk}/aterkoppling/",
        {
            "protokoll": "Skrivet i förväg",
            "antal_deltagare": "40",
            "aterkoppling_senast": "2031-01-31",
            "inspel": [inspel.pk],
        },
    )
    assert r.status_code == 302
    aktivitet.refresh_from_db()
    assert (aktivitet.protokoll, aktivitet.antal_deltagare) == ("", None)
    assert aktivitet.aterkoppling_senast == dt.date(2031, 1, 31)
    assert not aktivitet.inspel.exists()


def test_minutes_on_an_activity_moved_to_the_future_are_shown_to_be_corrected(
    cast: Cast,
) -> None:
    aktivitet = make_aktivitet(
        omraden=[cast.omrade_a], datum=timezone.localdate() + dt.timedelta(days=5)
    )
    # Written before the rule, or before the date was moved.
    Aktivitet.objects.filter(pk=aktivitet.pk).update(protokoll="Gammalt protokoll")
    client = _ledartroja(cast)
    url = f"/aktiviteter/{aktivitet.pk}/aterkoppling/"
    r = client.post(url, {"protokoll": "Gammalt protokoll", "aterkoppling_senast": ""})
    assert r.status_code == 200
    assert "Protokoll kan skrivas när aktiviteten har ägt rum" in r.content.decode()
    assert client.post(url, {"protokoll": "", "aterkoppling_senast": ""}).status_code == 302
    assert Aktivitet.objects.get(pk=aktivitet.pk).protokoll == ""


def test_after_the_activity_minutes_and_participants_are_recorded(cast: Cast) -> None:
    aktivitet = make_aktivitet(
        omraden=[cast.omrade_a], datum=timezone.localdate() - dt.timedelta(days=1)
    )
    client = _ledartroja(cast)
    url = f"/aktiviteter/{aktivitet.pk}/aterkoppling/"
    html = client.get(url).content.decode()
    assert "Aktiviteten har inte ägt rum ännu." not in html
    assert 'name="protokoll"' in html and 'name="antal_deltagare"' in html
    r = client.post(url, {"protokoll": "Anteckningar", "antal_deltagare": "9"})
    assert r.status_code == 302
    aktivitet.refresh_from_db()
    assert (aktivitet.protokoll, aktivitet.antal_deltagare) == ("Anteckningar", 9)


# The admin


def _admin_data(aktivitet: Aktivitet, **changes: Any) -> dict[str, Any]:
    data = {
        "titel": aktivitet.titel,
        "datum": aktivitet.datum.isoformat(),
        "teman": "[]",
        "publik": "on",
        "oppen_for_invanare": "on",
        "protokoll": "",
        "antal_deltagare": "",
    }
    data.update(changes)
    return data


def test_the_admin_refuses_minutes_before_the_activity(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.users["admin"])
    coming = make_aktivitet(datum=timezone.localdate() + dt.timedelta(days=2))
    url = f"/admin/omraden/aktivitet/{coming.pk}/change/"
    r = client.post(url, _admin_data(coming, protokoll="I förväg", antal_deltagare="3"))
    assert r.status_code == 200
    assert "Protokoll kan skrivas när aktiviteten har ägt rum" in r.content.decode()
    assert Aktivitet.objects.get(pk=coming.pk).protokoll == ""
    past = make_aktivitet(datum=timezone.localdate() - dt.timedelta(days=2))
    url = f"/admin/omraden/aktivitet/{past.pk}/change/"
    r = client.post(url, _admin_data(past, protokoll="Efteråt", antal_deltagare="3"))
    assert r.status_code == 302
    assert Aktivitet.objects.get(pk=past.pk).antal_deltagare == 3


def test_the_data_sets_still_load() -> None:
    call_command("load_dataset", "tyreso", "--demo", verbosity=0)
    for aktivitet in Aktivitet.objects.all():
        aktivitet.full_clean()
