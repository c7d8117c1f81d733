"""Largest Contentful Paint of public pages on a slow phone, in Chromium (`make bench`).

Each page is loaded once in a fresh browser context (nothing cached in the browser) with the
CPU slowed four times and the network shaped like Lighthouse's "Slow 4G" (DevTools
throttling: 562.5 ms round trip, 1,474.6 kbit/s down, 675 kbit/s up), the profile
PageSpeed Insights uses for mobile. The LCP is what Chromium's own PerformanceObserver
reports once the page has loaded. The server is the bench's gunicorn with the page cache on:
what a resident gets.
"""

from __future__ import annotations

import os
from typing import Any

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CPU_SLOWDOWN = 4
# Lighthouse's mobile "Slow 4G" with DevTools throttling (its docs: throttling.md).
LATENCY_MS = 562.5
DOWNLOAD_BYTES_PER_S = 1474.6 * 1024 / 8
UPLOAD_BYTES_PER_S = 675 * 1024 / 8
GOAL_MS = 1500

_LCP = """
() => new Promise((resolve) => {
  let last = null;
  new PerformanceObserver((list) => {
    const entries = list.getEntries();
    last = entries[entries.length - 1];
  }).observe({type: "largest-contentful-paint", buffered: true});
  // The observer reports buffered entries asynchronously: read them on the next frames.
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => resolve(
    last ? {ms: last.startTime, element: last.element ? last.element.tagName : null,
            size: last.size} : null), 50)));
})
"""


def measure(port: int, paths: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """LCP of each (title, path) on 127.0.0.1:port; a page that fails says why."""
    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, Any]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for title, path in paths:
                results[title] = _one(browser, f"http://127.0.0.1:{port}{path}", path)
        finally:
            browser.close()
    return results


def _one(browser: Any, url: str, path: str) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": LATENCY_MS,
                "downloadThroughput": DOWNLOAD_BYTES_PER_S,
                "uploadThroughput": UPLOAD_BYTES_PER_S,
            },
        )
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        response = page.goto(url, wait_until="load", timeout=60_000)
        status = response.status if response else None
        lcp = page.evaluate(_LCP)
        if status != 200 or lcp is None:
            return {"path": path, "status": status, "lcp_ms": None}
        return {
            "path": path,
            "status": status,
            "lcp_ms": round(lcp["ms"], 1),
            "element": lcp["element"],
            "under_goal": lcp["ms"] < GOAL_MS,
        }
    except Exception as e:  # noqa: BLE001 - a page that fails is a result of the run
        return {"path": path, "status": "error", "error": repr(e)[:200], "lcp_ms": None}
    finally:
        context.close()
