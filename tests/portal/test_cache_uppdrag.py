"""The page cache drops cached pages when an assignment's areas change (m2m_changed)."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client

from tests.cast import Cast
from tests.conftest import make_omrade, make_uppdrag

pytestmark = pytest.mark.django_db


def _hit(response: HttpResponse) -> bool:
    return response.headers.get("X-Public-Cache") == "hit"


def _cached(client: Client, url: str) -> None:
    client.get(url)
    assert _hit(client.get(url)), url


def test_cached_pages_show_a_new_link_at_once() -> None:
    client = Client()
    omrade = make_omrade(slug="unga")
    uppdrag = make_uppdrag(namn="Ett socialt hållbart Tyresö", slug="socialt")
    pages = ["/uppdrag/", "/uppdrag/socialt/", "/omraden/unga/"]
    for url in pages:
        _cached(client, url)
    uppdrag.omraden.add(omrade)
    for url in pages:
        r = client.get(url)
        assert not _hit(r), url
    assert 'href="/omraden/unga/"' in client.get("/uppdrag/socialt/").content.decode()
    assert 'href="/uppdrag/socialt/"' in client.get("/omraden/unga/").content.decode()
    assert 'href="/omraden/unga/"' in client.get("/uppdrag/").content.decode()


def test_a_link_removed_from_the_areas_side_goes_too() -> None:
    client = Client()
    omrade = make_omrade(slug="unga")
    make_uppdrag(slug="socialt").omraden.add(omrade)
    for url in ("/uppdrag/", "/omraden/unga/"):
        _cached(client, url)
    omrade.uppdrag.clear()
    assert 'href="/uppdrag/socialt/"' not in client.get("/omraden/unga/").content.decode()
    assert 'href="/omraden/unga/"' not in client.get("/uppdrag/").content.decode()


@pytest.mark.usefixtures("fast_hashing")
def test_linking_in_the_admin_reaches_the_cached_pages(admin_client: Client, cast: Cast) -> None:
    visitor = Client()
    area = cast.omrade_a.get_absolute_url()
    for url in ("/uppdrag/", area):
        _cached(visitor, url)
    r = admin_client.post(
        f"/admin/uppfoljning/uppdrag/{cast.uppdrag.pk}/change/",
        {
            "namn": cast.uppdrag.namn,
            "slug": cast.uppdrag.slug,
            "kommunplan_ar": cast.uppdrag.kommunplan_ar,
            "overgripande": "on",
            "ordning": "0",
            "omraden": [cast.omrade_a.pk],
        },
    )
    assert r.status_code == 302
    assert list(cast.uppdrag.omraden.all()) == [cast.omrade_a]
    assert f'href="/uppdrag/{cast.uppdrag.slug}/"' in visitor.get(area).content.decode()
    assert f'href="{area}"' in visitor.get("/uppdrag/").content.decode()
