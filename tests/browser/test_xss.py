"""In a real browser, hostile text planted in every field runs nothing and opens no dialog."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client

from tests.security.urlmap import admin_urls, build_world, concrete_urls
from tests.security.xss import plant


def _html_pages(client: Client, urls: list[str]) -> list[str]:
    """The addresses that answer a GET with an HTML page (not files, not POST-only)."""
    pages = []
    for url in urls:
        r = client.get(url)
        if r.status_code == 200 and "text/html" in r.get("Content-Type", ""):
            pages.append(url)
    return pages


def _watch(v: Any) -> tuple[list[str], list[str]]:
    dialogs: list[str] = []
    csp: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(f"{v.page.url}: {dialog.type} {dialog.message!r}")
        dialog.dismiss()

    v.page.on("dialog", on_dialog)
    v.page.on(
        "console",
        lambda m: (
            csp.append(f"{v.page.url}: {m.text}")
            if "Content Security Policy" in m.text or "evalDisallowed" in m.text
            else None
        ),
    )
    return dialogs, csp


def test_no_planted_payload_runs_on_public_or_staff_pages(visit: Any) -> None:
    world = build_world()
    plant(0)
    client = Client()
    public = _html_pages(client, list(concrete_urls(world, english=False)))
    client.force_login(world["staff"])
    staff = _html_pages(client, [*concrete_urls(world, english=False), *admin_urls()])
    assert len(public) > 20 and len(staff) > 40

    anonymous = visit()
    dialogs, csp = _watch(anonymous)
    for url in public:
        anonymous.page.goto(url)
        anonymous.page.wait_for_load_state("load")

    logged_in = visit()
    logged_in.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": logged_in.base_url,
            }
        ]
    )
    staff_dialogs, staff_csp = _watch(logged_in)
    for url in staff:
        logged_in.page.goto(url)
        logged_in.page.wait_for_load_state("load")
    assert "/konto/logga-in/" not in logged_in.page.url
    assert dialogs + staff_dialogs == []
    # No inline script, inline style or eval was even attempted (htmx needs none of them).
    assert csp + staff_csp == []
