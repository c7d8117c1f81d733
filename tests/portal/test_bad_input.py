"""Bad input never gives a 5xx.

A character no database column can store (NUL; a lone surrogate) in the path, a query parameter
or a cookie gets the 400 page (portal.middleware.BadInputMiddleware) before any view puts it
into a query: PostgreSQL refuses NUL in text, so `/sok/?q=a%00b` was a 500 there. In a form
field it gets the form's own message, with the text kept (tests/omraden/test_tyck_till.py).
Every query parameter the portal reads is also sent, on every URL, the values that trip
conversions. tests/security/test_fuzz_forms.py fuzzes the same at random.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.middleware import BadInputMiddleware
from tests.portal.test_permission_matrix import KWARGS, url_names
from tests.security.test_fuzz_forms import percent_encode, query_parameters
from tests.world import World, make_world

# Values that trip conversions and lookups, for every query parameter at once: digits of other
# scripts, a number int() will not convert, text longer than any column, bytes that are not
# UTF-8 (as sent: raw), a date that does not exist.
HOSTILE: list[str | bytes] = [
    "²",
    "١٢",
    "9" * 5000,
    "-1",
    "1e309",
    "NaN",
    "ö" * 3000,
    b"\xed\xa0\x80",
    b"\xff",
    "2023-02-30",
    "' OR 1=1 --",
    " ",
]
ROLES = ("anonymous", "admin")


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def _client(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if world.cast.users[role] is not None:
        client.force_login(world.cast.users[role])
    return client


def _urls(world: World) -> list[str]:
    return [
        reverse(name, kwargs=KWARGS[name](world) if name in KWARGS else None)
        for name in url_names()
    ]


@pytest.mark.parametrize("role", ROLES)
def test_a_nul_anywhere_in_any_address_gets_400(world: World, role: str) -> None:
    client = _client(world, role)
    refused = {}
    for url in _urls(world):
        for address in (f"{url}%00", f"{url}?q=a%00b", f"{url}?a%00b=1", f"{url}?x=1&x=%00"):
            status = client.get(address).status_code
            if status != 400:
                refused[address] = status
    assert refused == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "heading"),
    [("", "Begäran kunde inte läsas"), ("/en", "The request could not be read")],
)
def test_the_search_with_a_nul_gets_the_400_page(prefix: str, heading: str) -> None:
    # The case that was a 500 on PostgreSQL; the page is in the address's language.
    r = Client().get(f"{prefix}/sok/?q=a%00b")
    assert r.status_code == 400
    html = r.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert 'class="site-header"' in html


@pytest.mark.django_db
def test_a_nul_in_a_cookie_gets_400(client: Client) -> None:
    # A quoted cookie may carry "\000", which Django reads as NUL: the session key is looked up.
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    assert client.get("/arbetsyta/").status_code == 400


@pytest.mark.django_db
def test_a_nul_in_a_form_field_is_left_to_the_form(client: Client) -> None:
    # The form says what is wrong and keeps the text; the middleware does not answer for it.
    r = client.post("/tyck-till/", {"typ": "ide", "text": "hej\x00då"})
    assert r.status_code == 200
    assert "Ta bort de osynliga styrtecknen" in r.content.decode()


def test_a_lone_surrogate_is_refused_too(rf: RequestFactory) -> None:
    # No HTTP request can carry one (Django decodes broken UTF-8 to U+FFFD, or keeps it
    # percent-encoded in the path), but a request built in Python can.
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    middleware = BadInputMiddleware(view)
    request = rf.get("/sok/", {"q": "ok"})
    request.path = "/sok/\ud800/"
    with pytest.raises(BadRequest):
        middleware(request)
    assert middleware(rf.get("/sok/", {"q": "ok"})).status_code == 200


@pytest.mark.django_db
def test_broken_utf8_is_read_as_replacement_characters(client: Client) -> None:
    # An encoded surrogate is not UTF-8: Django reads it as U+FFFD, which any column stores.
    assert client.get("/sok/?q=%ED%A0%80").status_code == 200
    assert client.get("/tyck-till/?omrade=%ED%A0%80").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_hostile_values_in_every_query_parameter_never_fail(world: World, role: str) -> None:
    client = _client(world, role)
    names = query_parameters()
    failed = {}
    for url in _urls(world):
        for value in HOSTILE:
            query = "&".join(f"{name}={percent_encode(value)}" for name in names)
            status = client.get(f"{url}?{query}").status_code
            if status >= 500:
                failed[f"{url}?…={value[:20]!r}"] = status
    assert failed == {}
