"""Browser tests: Playwright driving Debian's Chromium, accessibility checked with axe-core."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Browser tests run Django's live server in a thread; let sync code run beside Playwright's loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make chromium` (apt-get install chromium)."
        )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class Visit:
    """A page in a fresh browser context that records every request it makes."""

    def __init__(self, browser: Any, base_url: str, *, javascript: bool = True) -> None:
        self.base_url = base_url
        self.context = browser.new_context(
            base_url=base_url, java_script_enabled=javascript, locale="sv-SE"
        )
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda req: self.requests.append(req.url))

    def foreign_requests(self) -> list[str]:
        own = urlsplit(self.base_url).netloc
        return [
            u
            for u in self.requests
            if urlsplit(u).scheme in {"http", "https"} and urlsplit(u).netloc != own
        ]

    def transferred_bytes(self) -> int:
        """HTML, CSS and JS transferred for the current page, from the Resource Timing API."""
        return int(
            self.page.evaluate(
                """() => {
                    const nav = performance.getEntriesByType('navigation')[0];
                    const res = performance.getEntriesByType('resource');
                    return (nav ? nav.encodedBodySize : 0)
                        + res.reduce((sum, r) => sum + r.encodedBodySize, 0);
                }"""
            )
        )

    def axe_violations(self) -> list[dict[str, Any]]:
        results = Axe().run(
            self.page,
            options={"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]},
        )
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in results.response["violations"]
        ]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    call_command("load_dataset", "tyreso", verbosity=0)
    opened: list[Visit] = []

    def _open(*, javascript: bool = True) -> Visit:
        v = Visit(browser, live_server.url, javascript=javascript)
        opened.append(v)
        return v

    yield _open
    for v in opened:
        v.close()


# Every page of the site (issue 20's reflow, text-spacing and zoom tests) ------------------------

# A real Swedish compound longer than any phone is wide, and an address to match: put where
# residents and staff write, so the pages must break them.
LONG_WORD = "Kommunfullmäktigesammanträdesprotokollsjusteringsförfarandet"
LONG_EMAIL = "eva.exempelsson.langadress@kommunfullmaktigesammantradesprotokoll.example.se"


class Pages:
    """Every HTML page of the site, one per URL pattern (the admin excluded), in tests/world.py's
    world: `public` as anonymous visitors open them, `staff` (the pages that send an anonymous
    visitor to the login page) logged in as an administrator, who may open them all."""

    def __init__(self, browser: Any, base_url: str) -> None:
        from django.conf import settings
        from django.test import Client
        from django.urls import reverse

        from tests.conftest import make_aktivitet, make_inspel, make_matvarde
        from tests.portal.test_permission_matrix import KWARGS, url_names
        from tests.world import make_world

        world = make_world()
        world.cast.omrade_a.fraga = f"Hur förenklar vi {LONG_WORD}?"
        world.cast.omrade_a.save()
        make_inspel(omrade=world.cast.omrade_a, text=f"Snabbare {LONG_WORD}, tack! {LONG_EMAIL}")
        make_inspel(omrade=world.cast.omrade_a, status="ny", text=LONG_WORD, epost=LONG_EMAIL)
        for ar, tyreso in ((2021, 52), (2022, 55), (2023, 58)):
            make_matvarde(world.indikator, ar=ar, kommun=tyreso, riket=50)

        anonymous, staff = Client(), Client()
        staff.force_login(world.cast.users["admin"])
        self.public: list[str] = []
        self.staff: list[str] = []
        for name in url_names():
            url = reverse(name, kwargs=KWARGS[name](world) if name in KWARGS else None)
            response = anonymous.get(url)
            if response.status_code == 302 and response["Location"].startswith("/konto/"):
                response, pages = staff.get(url), self.staff
            else:
                pages = self.public
            # Files (CSV, JSON, feeds) and POST-only addresses (405) are no pages to lay out.
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                pages.append(url)
        # The search page with hits, as well as empty.
        self.public.append(reverse("sok") + "?q=förenklar")
        # Minutes and participants are recorded only once an activity has taken place: the
        # world's activity lies ahead, so the form with those fields is that of a past one.
        past = make_aktivitet(
            omraden=[world.cast.omrade_a],
            titel="Dialogmöte som har ägt rum",
            datum=dt.date.today() - dt.timedelta(days=7),
        )
        self.staff.append(reverse("omraden:aktivitet_uppfoljning", kwargs={"pk": past.pk}))
        self.browser = browser
        self.base_url = base_url
        self.session = {
            "name": settings.SESSION_COOKIE_NAME,
            "value": staff.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": base_url,
        }

    def open(self, *, staff: bool, **options: Any) -> Any:
        """A new page in its own context (`options` as for browser.new_context)."""
        options.setdefault("locale", "sv-SE")
        context = self.browser.new_context(base_url=self.base_url, **options)
        if staff:
            context.add_cookies([self.session])
        return context.new_page()

    def walk(self, check: Any, *, setup: Any = None, **options: Any) -> list[str]:
        """Open every page, public ones anonymously and staff ones logged in, and return what
        `check(page, url)` says is wrong, each line naming its URL. `setup(page)` runs once per
        context, before the first page."""
        problems: list[str] = []
        for staff, urls in ((False, self.public), (True, self.staff)):
            page = self.open(staff=staff, **options)
            if setup is not None:
                setup(page)
            for url in urls:
                response = page.goto(url)
                assert response is not None and response.status == 200, url
                problems += [f"{url}: {problem}" for problem in check(page, url)]
            page.context.close()
        return problems


@pytest.fixture
def pages(browser: Any, live_server: Any, transactional_db: None) -> Pages:
    return Pages(browser, live_server.url)
