"""The public page cache on the real pages: what a hit answers, what it costs, what empties it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client, override_settings
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from omraden import services
from omraden.models import Anmalan, Inspel, InspelQuerySet
from portal import page_cache as public_cache
from tests.conftest import (
    make_aktivitet,
    make_inspel,
    make_omrade,
    make_person,
    make_publicering,
    make_uppfoljning,
)
from tests.security.test_headers import PRODUCTION, header_problems

pytestmark = pytest.mark.django_db


def _hit(response: HttpResponse) -> bool:
    return response.headers.get("X-Public-Cache") == "hit"


def _as_the_browser_sees_it(response: HttpResponse) -> tuple[dict[str, str], dict[str, Any]]:
    # Everything but what differs between two answers by design: the date and the hit marker.
    headers = {k: v for k, v in response.items() if k not in {"Date", "X-Public-Cache"}}
    cookies = {
        name: {a: c[a] for a in ("path", "domain", "secure", "httponly", "samesite", "max-age")}
        for name, c in response.cookies.items()
    }
    return headers, cookies


@override_settings(**PRODUCTION)
def test_a_hit_answers_with_exactly_the_headers_and_cookies_of_a_miss(tyreso: None) -> None:
    aktivitet = make_aktivitet(kapacitet=20, omraden=[make_omrade()])
    # Pages with and without a form (a CSRF token and cookie), in both languages.
    urls = ["/", "/en/", "/omraden/unga/", "/en/omraden/unga/", f"/aktiviteter/{aktivitet.pk}/"]
    for url in urls:
        miss = Client().get(url, secure=True)
        hit = Client().get(url, secure=True)
        assert (miss.status_code, _hit(miss), _hit(hit)) == (200, False, True), url
        assert _as_the_browser_sees_it(hit) == _as_the_browser_sees_it(miss), url
        assert header_problems(url, hit) == []


def test_each_language_has_its_own_entry(client: Client, tyreso: None) -> None:
    client.get("/")
    client.get("/en/")
    swedish, english = client.get("/"), client.get("/en/")
    assert _hit(swedish) and _hit(english)
    assert (swedish["Content-Language"], english["Content-Language"]) == ("sv", "en")
    assert b'<html lang="sv"' in swedish.content and b'<html lang="en"' in english.content


def test_a_hit_costs_one_cache_call_and_no_query(
    client: Client,
    tyreso: None,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    client.get("/omraden/unga/")
    calls: list[str] = []
    real = public_cache.cache

    class Counting:
        def __getattr__(self, name: str) -> Any:
            calls.append(name)
            return getattr(real, name)

    monkeypatch.setattr(public_cache, "cache", Counting())
    with django_assert_num_queries(0):
        response = Client().get("/omraden/unga/")
    assert _hit(response)
    assert calls == ["get_many"]


def test_a_hit_refuses_a_host_that_is_not_allowed(client: Client, tyreso: None) -> None:
    assert client.get("/").status_code == 200
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400


def test_a_logged_in_visitor_gets_the_full_page_not_the_cached_one(tyreso: None) -> None:
    Client().get("/")
    assert _hit(Client().get("/"))
    staff = Client()
    staff.force_login(User.objects.create_user("alice"))
    response = staff.get("/")
    assert not _hit(response)
    assert b"logout-form" in response.content


def test_new_input_awaiting_moderation_leaves_the_cache_alone_and_approval_empties_it(
    client: Client,
) -> None:
    omrade = make_omrade()
    url = omrade.get_absolute_url()
    client.get(url)
    inspel = services.inspel_create(
        data={"typ": Inspel.Typ.IDE, "omrade": omrade, "text": "Belysning i tunneln"}
    )
    response = client.get(url)
    assert _hit(response) and b"Belysning i tunneln" not in response.content
    inspel.approve(publicerad_text="Bättre belysning i tunneln", by=None)
    response = client.get(url)
    assert not _hit(response)
    assert "Bättre belysning i tunneln" in response.content.decode()


def test_deleting_input_empties_the_cache_only_if_it_was_shown(client: Client) -> None:
    omrade = make_omrade()
    url = omrade.get_absolute_url()
    waiting = make_inspel(omrade=omrade, status=Inspel.Status.NY, text="Väntar")
    shown = make_inspel(omrade=omrade, text="Syns på sidan")
    assert b"Syns p\xc3\xa5 sidan" in client.get(url).content
    waiting.delete()
    assert _hit(client.get(url))
    shown.delete()
    response = client.get(url)
    assert not _hit(response) and b"Syns p\xc3\xa5 sidan" not in response.content


def test_only_sign_ups_that_change_the_seats_left_empty_the_cache(client: Client) -> None:
    aktivitet = make_aktivitet(kapacitet=1)
    url = f"/aktiviteter/{aktivitet.pk}/"
    assert "1 plats kvar av 1." in client.get(url).content.decode()

    def sign_up(name: str) -> Anmalan:
        return services.anmalan_create(
            aktivitet_id=aktivitet.pk, namn=name, epost="eva@example.se", behov=""
        )

    confirmed = sign_up("Eva")
    response = client.get(url)
    assert not _hit(response) and "0 platser kvar av 1." in response.content.decode()
    assert sign_up("Bo").status == Anmalan.Status.VANTELISTA
    assert _hit(client.get(url))
    # Cancelling is an update: it empties the cache (here Bo moves up, still no seat left).
    services.anmalan_cancel(token=confirmed.token)
    assert not _hit(client.get(url))


def test_a_new_area_empties_the_cache_only_if_residents_can_see_it(
    client: Client, kommun: object
) -> None:
    # With the municipality entered, the front page is the overview of the areas.
    fadder = make_person()
    client.get("/")
    make_omrade(fadder=fadder, kortnamn="Dolt område", publik=False)
    assert _hit(client.get("/"))
    make_omrade(fadder=fadder, kortnamn="Synligt område")
    response = client.get("/")
    assert not _hit(response) and "Synligt område" in response.content.decode()


def test_a_publication_due_later_shows_at_its_time_without_emptying_the_cache_now(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    uppf = make_uppfoljning(sammanfattning="Gäller nu")
    make_publicering(uppf)
    url = uppf.omrade.get_absolute_url()
    assert "Gäller nu" in client.get(url).content.decode()
    at = timezone.now() + dt.timedelta(hours=2)
    make_publicering(uppf, sammanfattning="Gäller sedan", publicerad_at=at)
    assert _hit(client.get(url))
    later = at + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get(url)
    assert not _hit(response) and "Gäller sedan" in response.content.decode()


def test_the_cache_asks_the_models_own_rule(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    omrade = make_omrade()
    url = omrade.get_absolute_url()
    client.get(url)
    make_inspel(omrade=omrade, status=Inspel.Status.NY)
    assert _hit(client.get(url))
    # Were input shown as soon as it arrives, a new input would change the page.
    monkeypatch.setattr(InspelQuerySet, "visible_to", lambda self, viewer: self)
    make_inspel(omrade=omrade, status=Inspel.Status.NY)
    assert not _hit(client.get(url))
