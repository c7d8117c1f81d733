"""Nothing a staff page shows reaches anonymous users: drafts, internal notes, editors' names.

Fetches every public URL pattern (all but /arbetsyta/, /konto/ and /admin/), in Swedish and
English, anonymously, from a world full of secrets (tests/world.py).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.portal.test_permission_matrix import KWARGS, url_names
from tests.world import SECRETS, World, make_world

STAFF_PREFIXES = ("/arbetsyta/", "/konto/", "/admin/", "/en/arbetsyta/", "/en/konto/")


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def public_urls(world: World) -> list[str]:
    urls = set()
    for name in url_names():
        kwargs = KWARGS[name](world) if name in KWARGS else None
        for lang in ("sv", "en"):
            with translation.override(lang):
                url = reverse(name, kwargs=kwargs)
            if not url.startswith(STAFF_PREFIXES):
                urls.add(url)
    return sorted(urls)


def test_no_staff_only_text_appears_on_any_public_page(world: World) -> None:
    client = Client()
    leaks = []
    urls = public_urls(world)
    for url in urls:
        response = client.get(url)
        if response.status_code == 302:
            # A staff page outside /arbetsyta/ (e.g. an activity's feedback form): login first.
            assert response["Location"].startswith(("/konto/logga-in/", "/en/konto/logga-in/")), url
            continue
        # 405: a POST-only endpoint (signing up); everything else is a readable page.
        assert response.status_code in (200, 405), url
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", errors="replace")
        leaks += [f"{url}: {key}" for key, secret in SECRETS.items() if secret in text]
    assert leaks == []
    # The test really looked: the public pages, the open data and the feeds were all fetched.
    assert "/" in urls and "/en/" in urls and "/oppna-data/omraden.csv" in urls
    assert len(urls) >= 25


def test_the_published_version_is_what_the_public_sees(world: World) -> None:
    html = Client().get(world.cast.omrade_a.get_absolute_url()).content.decode()
    assert "Första publicerade versionen" in html
    assert SECRETS["draft_summary"] not in html
