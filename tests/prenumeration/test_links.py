"""The personal links: confirm, change, and cancel in one click (RFC 8058)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from prenumeration import links
from prenumeration.models import Prenumeration
from tests.conftest import make_omrade
from tests.prenumeration.conftest import make_prenumeration


@pytest.fixture
def unconfirmed(db: None) -> Prenumeration:
    return make_prenumeration("eva@example.net", omraden=[make_omrade()], confirmed=False)


def test_the_confirmation_link_shows_a_button_and_only_the_press_confirms(
    client: Client, unconfirmed: Prenumeration
) -> None:
    url = f"/folj/bekrafta/{links.confirm_token(unconfirmed)}/"
    r = client.get(url)
    assert r.status_code == 200 and f'action="{url}"' in r.content.decode()
    assert "eva@example.net" not in r.content.decode()
    unconfirmed.refresh_from_db()
    assert unconfirmed.bekraftad_at is None  # a mail scanner opening the link confirms nothing
    r = client.post(url)
    assert r.status_code == 302 and r["Location"] == f"/folj/andra/{links.token(unconfirmed)}/"
    unconfirmed.refresh_from_db()
    assert unconfirmed.is_active


def test_an_expired_or_forged_confirmation_link_does_nothing(
    client: Client, unconfirmed: Prenumeration, settings: Any
) -> None:
    token = links.confirm_token(unconfirmed)
    settings.PRENUMERATION_BEKRAFTA_DAGAR = 0
    assert client.post(f"/folj/bekrafta/{token}/").status_code == 404
    settings.PRENUMERATION_BEKRAFTA_DAGAR = 7
    assert client.post(f"/folj/bekrafta/{token[:-2]}xx/").status_code == 404
    # The change-link's token is not a confirmation token.
    assert client.post(f"/folj/bekrafta/{links.token(unconfirmed)}/").status_code == 404
    unconfirmed.refresh_from_db()
    assert unconfirmed.bekraftad_at is None


def test_the_change_page_changes_the_choices(client: Client, db: None) -> None:
    a, b = make_omrade(), make_omrade()
    p = make_prenumeration("eva@example.net", omraden=[a])
    url = f"/folj/andra/{links.token(p)}/"
    html = client.get(url).content.decode()
    assert "eva@example.net" not in html and f'value="{a.pk}" id="id_omraden_0" checked' in html
    r = client.post(url, {"omfattning": "valda", "omraden": [b.pk], "typer": ["rapporter"]})
    assert r.status_code == 302 and r["Location"] == f"{url}?sparat=1"
    assert 'role="status" tabindex="-1"' in client.get(r["Location"]).content.decode()
    p.refresh_from_db()
    assert list(p.omraden.all()) == [b] and p.kinds() == ["rapporter"]
    r = client.post(url, {"omfattning": "valda", "typer": []})
    assert r.status_code == 200 and 'role="alert"' in r.content.decode()
    assert list(p.omraden.all()) == [b]


def test_one_click_unsubscribe_works_without_csrf_or_login_and_is_idempotent(db: None) -> None:
    p = make_prenumeration(omraden=[make_omrade()])
    url = f"/folj/avsluta/{links.token(p)}/"
    client = Client(enforce_csrf_checks=True)
    # RFC 8058: the mail client's POST, body "List-Unsubscribe=One-Click", no cookies.
    for _ in range(2):
        r = client.post(
            url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert r.status_code == 302 and r["Location"] == "/folj/avslutad/"
    p.refresh_from_db()
    assert p.avslutad_at is not None and not p.is_active
    first = p.avslutad_at
    client.post(url)
    p.refresh_from_db()
    assert p.avslutad_at == first
    # Gone (gallra), the link still answers a POST calmly.
    Prenumeration.objects.all().delete()
    assert client.post(url).status_code == 302
    assert client.get("/folj/avslutad/").status_code == 200


def test_unsubscribe_get_only_asks(client: Client, db: None) -> None:
    p = make_prenumeration(omraden=[make_omrade()])
    url = f"/folj/avsluta/{links.token(p)}/"
    r = client.get(url)
    assert r.status_code == 200 and f'action="{url}"' in r.content.decode()
    p.refresh_from_db()
    assert p.is_active


def test_a_forged_link_is_refused(client: Client, db: None) -> None:
    p = make_prenumeration(omraden=[make_omrade()])
    forged = links.token(p).rsplit(".", 1)[0] + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    assert client.get(f"/folj/andra/{forged}/").status_code == 404
    assert client.get(f"/folj/avsluta/{forged}/").status_code == 404
    other = Prenumeration.objects.create(epost="x@example.net", nonce="annan")
    assert client.get(f"/folj/andra/{links.token_of(other.pk, p.nonce)}/").status_code == 404


def test_following_again_after_cancelling_kills_the_old_links(client: Client, db: None) -> None:
    p = make_prenumeration("eva@example.net", omraden=[make_omrade()])
    old = links.token(p)
    client.post(f"/folj/avsluta/{old}/")
    client.post("/folj/", {"epost": "eva@example.net", "omfattning": "alla", "typer": ["svar"]})
    p.refresh_from_db()
    assert p.bekraftad_at is None and p.avslutad_at is None
    assert client.get(f"/folj/andra/{old}/").status_code == 404


def test_gallra_removes_old_unconfirmed_and_every_cancelled_subscription(db: None) -> None:
    from io import StringIO

    from django.core.management import call_command

    old = make_prenumeration(confirmed=False)
    Prenumeration.objects.filter(pk=old.pk).update(
        bekraftelse_skickad_at=timezone.now() - dt.timedelta(days=8)
    )
    fresh = make_prenumeration(confirmed=False)
    cancelled = make_prenumeration(avslutad_at=timezone.now())
    active = make_prenumeration()
    out = StringIO()
    call_command("gallra", "--dry-run", stdout=out)
    assert "1 unconfirmed" in out.getvalue() and "1 cancelled" in out.getvalue()
    assert Prenumeration.objects.count() == 4
    call_command("gallra", stdout=StringIO())
    assert set(Prenumeration.objects.values_list("pk", flat=True)) == {fresh.pk, active.pk}
    assert not Prenumeration.objects.filter(pk__in=[old.pk, cancelled.pk]).exists()


@pytest.mark.parametrize("areas", [1, 7])
def test_the_change_page_takes_constant_queries(
    client: Client,
    django_assert_num_queries: DjangoAssertNumQueries,
    areas: int,
    db: None,
    kommun: object,
) -> None:
    # The municipality (header, footer) is read from the warm shared cache: no query.
    omraden = [make_omrade() for _ in range(areas)]
    p = make_prenumeration(omraden=omraden)
    url = f"/folj/andra/{links.token(p)}/"
    # The subscription, its areas (initial choices), the areas to choose from.
    with django_assert_num_queries(3):
        assert client.get(url).status_code == 200


def test_the_confirm_and_unsubscribe_pages_take_one_query(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, db: None, kommun: object
) -> None:
    # The municipality (header, footer) is read from the warm shared cache: no query.
    unconfirmed = make_prenumeration(confirmed=False)
    active = make_prenumeration()
    # The subscription the signed link names; nothing else.
    for url in (
        f"/folj/bekrafta/{links.confirm_token(unconfirmed)}/",
        f"/folj/avsluta/{links.token(active)}/",
    ):
        with django_assert_num_queries(1):
            assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/folj/tack/").status_code == 200
        assert client.get("/folj/avslutad/").status_code == 200
