"""Browser tests: Playwright driving Debian's Chromium, accessibility checked with axe-core."""

from __future__ import annotations

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
    call_command("load_tyreso", verbosity=0)
    opened: list[Visit] = []

    def _open(*, javascript: bool = True) -> Visit:
        v = Visit(browser, live_server.url, javascript=javascript)
        opened.append(v)
        return v

    yield _open
    for v in opened:
        v.close()
