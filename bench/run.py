"""`make bench`: seed, serve the production way, load with wrk, print and save the figures.

For each scale (small, top): a PostgreSQL database of its own (kommungemensamt_bench_<scale>,
reused while its scale marker matches, else created and seeded with `seed_bench`). Then,
once with the public page cache on and once off, the portal under gunicorn for every scale
at the same time (DEBUG=0, a generated SECRET_KEY, Redis as the shared cache, static files
collected into a temporary folder). wrk drives each page for a bounded time at 16
connections from its own process, one server at a time: each page's runs are interleaved
(small, top, top, small; each half of BENCH_SECONDS), so the machine's drifting speed does
not favour one scale. The ceiling is a static file as large as the area page, served by the
same gunicorn and whitenoise: it runs for 0.3 of BENCH_SECONDS right before each run of
a page on the same server, and each page's ratio is to the ceiling of its own seconds.
Last, with the cache on, the burst after a publication: at each scale the most visited
public addresses (bench/prepare.py's `popular_paths`) are fetched once, a follow-up is
published for real (bench/publish.py), which makes every cached page stale, and wrk at 16
connections rotates over those addresses for BENCH_SECONDS (bench/many.lua).
The floors are issue 18's (the constants below); each verdict prints the floor it checks.

With the cache on, the public pages' Largest Contentful Paint on a slow phone is measured at
the largest scale (bench/lcp.py: Chromium, 4x CPU slowdown, Slow 4G; goal < 1.5 s).

Environment: BENCH_SECONDS (per page, default 10), BENCH_SCALES (default "small,top"),
BENCH_PG (server URL, default postgres://postgres@127.0.0.1:5432), BENCH_REDIS (default
redis://127.0.0.1:6379/13: this database number is the bench's own and is flushed before
each mode; the scales' keys have prefixes of their own).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import http.client
import json
import os
import re
import runpy
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lcp  # bench/lcp.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
# The ceiling's run before each run of a page (runs of 1 s measured 5 % under runs of 5 s,
# runs of 2 s 1 % under).
CEILING_SECONDS = max(2, round(SECONDS * 0.3))
SCALES = os.environ.get("BENCH_SCALES", "small,top").split(",")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
CONNECTIONS = 16
CORES = os.cpu_count() or 2
# The production settings (gunicorn.conf.py): as many workers as they give this machine.
WORKERS = int(runpy.run_path(str(ROOT / "gunicorn.conf.py"), run_name="gunicorn_conf")["workers"])

# Issue 18's floors.
CACHED_SHARE = 0.55  # a cached public page: share of the ceiling's req/s
CACHED_P99_MS = 50
UNCACHED_SHARE = 0.04  # an uncached public page: share of the ceiling's req/s
SEARCH_P99_MS = 100  # uncached search
STAFF_P99_MS = 150  # the workspace and the write flow
BURST_P99_MS = 150  # the most visited pages right after a publication emptied the cache
FLAT_SHARE = 0.80  # top scale's req/s as a share of small scale's
PAGE_BUDGET = 50 * 1024  # a public page's HTML (gzip) plus its CSS and JS, compressed
# Issue 23's floor: the publishing request with 10,000 confirmed subscribers (bench/digest.py).
DIGEST_REQUEST_P99_MS = 1000


def log(msg: str) -> None:
    print(msg, flush=True)


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    log("Installing wrk (Debian package) for the benchmark")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    return shutil.which("wrk") or "wrk"


def psql(sql: str, db: str = "postgres") -> str:
    out = subprocess.run(
        ["psql", f"{PG}/{db}", "-tAc", sql], check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def base_env(db: str, static_root: str, cache_prefix: str = "bench") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENCH_")}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            # Required with DEBUG=0 (portal/checks.py); only e-mail from commands uses it.
            "SITE_URL": "https://127.0.0.1",
            "DATABASE_URL": f"{PG}/{db}",
            "DB_CONN_MAX_AGE": "60",
            "CACHE_URL": f"{REDIS}?key_prefix={cache_prefix}",
            "STATIC_ROOT": static_root,
            # Plain HTTP on 127.0.0.1: no redirect to HTTPS (a proxy does TLS in production).
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare_database(scale: str, env: dict[str, str]) -> None:
    db = f"kommungemensamt_bench_{scale}"
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'") == "1"
    sys.path.insert(0, str(ROOT))
    from datasets.bench import marker

    current = ""
    if exists:
        current = psql(
            f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{db}'"
        )
    if exists and current == marker(scale):
        log(f"[{scale}] reusing {db} ({current})")
        manage(env, "migrate", "--no-input", "-v0")
    else:
        log(f"[{scale}] creating {db} and seeding it (scale {scale})")
        if exists:
            psql(f'DROP DATABASE "{db}" WITH (FORCE)')
        psql(f'CREATE DATABASE "{db}"')
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "seed_bench", "--scale", scale)
    # As autovacuum keeps a production database: without it (it may be off on a test
    # server) no visibility map exists and counts cannot use index-only scans. Quick when
    # nothing changed since the last run.
    psql("VACUUM (ANALYZE)", db=db)


class Server:
    def __init__(self, env: dict[str, str], cache_on: bool) -> None:
        self.port = free_port()
        self.env = {**env, "PUBLIC_CACHE": "1" if cache_on else "0"}
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            [
                GUNICORN,
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        for _ in range(100):
            try:
                status, _h, _b = self.get("/")
                if status < 500:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer")

    def __exit__(self, *exc: object) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def get(
        self, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        body = r.read()
        conn.close()
        return r.status, r.headers, body


def run_wrk(
    wrk: str,
    port: int,
    path: str,
    script: str,
    threads: int,
    extra_env: dict[str, str],
    seconds: float,
) -> dict[str, Any]:
    env = {**os.environ, "BENCH_DIR": str(BENCH), **extra_env}
    url = f"http://127.0.0.1:{port}{path}"
    cmd = [
        wrk,
        f"-t{threads}",
        f"-c{CONNECTIONS}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "5s",
        "-s",
        str(BENCH / script),
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    match = re.search(r"BENCH_JSON (\{.*\})", out)
    if not match:
        raise RuntimeError(f"wrk printed no figures:\n{out}")
    raw = json.loads(match.group(1))
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw["errors"].values())
    # A script may add figures of its own (many.lua: how many responses were rendered).
    extra = re.search(r"BENCH_EXTRA (\{.*\})", out)
    return {
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "errors": errors,
        "requests": raw["requests"],
        "seconds": seconds,
        "bytes": raw["bytes"],
        "bytes_per_request": round(raw["bytes"] / max(1, raw["requests"])),
        **(json.loads(extra.group(1)) if extra else {}),
    }


def transfer_size(server: Server, path: str, cookie: str = "") -> dict[str, Any]:
    """HTML (gzip, as a compressing proxy sends it) plus its CSS and JS as whitenoise sends them."""
    headers = {"Accept-Encoding": "gzip, br"}
    if cookie:
        headers["Cookie"] = cookie
    status, _h, html = server.get(path, headers)
    if status != 200:
        return {}
    html_gz = len(gzip.compress(html, 6))
    assets = re.findall(rb'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html) + re.findall(
        rb'<script[^>]+src="([^"]+)"', html
    )
    asset_bytes = 0
    caching = set()
    for asset in assets:
        a_status, a_headers, a_body = server.get(asset.decode(), {"Accept-Encoding": "gzip, br"})
        if a_status == 200:
            asset_bytes += len(a_body)
            caching.add(a_headers.get("Cache-Control", ""))
    total = html_gz + asset_bytes
    return {
        "html_bytes": len(html),
        "html_gzip_bytes": html_gz,
        "assets": len(assets),
        "assets_compressed_bytes": asset_bytes,
        "total_compressed_bytes": total,
        "within_budget": total <= PAGE_BUDGET,
        "asset_cache_control": sorted(caching),
    }


@dataclass
class Scale:
    """One scale's database, its environment and what prepare.py looked up in it."""

    name: str
    env: dict[str, str]
    info: dict[str, Any]
    seeded_s: float
    # Each public page's transfer, measured with the cache on.
    transfer: dict[str, Any] = field(default_factory=dict)
    # The burst after a publication (cache on).
    after_publication: dict[str, Any] = field(default_factory=dict)
    # Largest Contentful Paint of the public pages on a slow phone (cache on).
    lcp: dict[str, Any] = field(default_factory=dict)

    @property
    def cookie(self) -> str:
        return f"{self.info['session_cookie']}={self.info['session']}"

    def phone_pages(self) -> list[tuple[str, str]]:
        """The public pages (HTML) whose Largest Contentful Paint is measured."""
        return [(t, p) for t, p in self.public_pages() if p and not p.endswith(".json")] + [
            ("activities /aktiviteter/", "/aktiviteter/"),
            ("reports /rapporter/", "/rapporter/"),
            ("input /tyck-till/", "/tyck-till/"),
            ("open data /oppna-data/", "/oppna-data/"),
            ("glossary /ordlista/", "/ordlista/"),
            ("accessibility /tillganglighet/", "/tillganglighet/"),
            ("overview in English /en/", "/en/"),
        ]

    def public_pages(self) -> list[tuple[str, str]]:
        # The list of pages: the one place to edit when pages are added.
        return [
            ("overview /", "/"),
            ("area page", self.info["area"]),
            ("follow-up /uppfoljning/", "/uppfoljning/"),
            ("tertial report", self.info["report"]),
            ("indicators /indikatorer/", "/indikatorer/"),
            ("open data JSON", self.info["open_data_json"]),
            ("search /sok/", self.info["search"]),
        ]


def prepare_scale(scale: str, static_root: str) -> Scale:
    # Each scale's servers keep their cache entries apart in the shared Redis database.
    env = base_env(f"kommungemensamt_bench_{scale}", static_root, cache_prefix=f"bench-{scale}")
    started = time.monotonic()
    prepare_database(scale, env)
    seeded_s = time.monotonic() - started
    info = json.loads(
        subprocess.run(
            [PY, str(BENCH / "prepare.py"), scale],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return Scale(scale, env, info, seeded_s)


def segments(names: list[str]) -> list[str]:
    """The order of the scales' runs for one page: each scale once forwards, once backwards
    (small, top, top, small), so a speed drifting steadily through the page's runs costs both
    scales the same."""
    return names + names[::-1]


def combine(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One row from a page's runs at one scale: requests/s over their whole time, and the
    larger p50 and p99 of the runs (the merged runs' percentile is at most that)."""
    requests = sum(part["requests"] for part in parts)
    seconds = sum(part["seconds"] for part in parts)
    return {
        "rps": round(requests / seconds, 1) if seconds else 0.0,
        "p50_ms": max(part["p50_ms"] for part in parts),
        "p99_ms": max(part["p99_ms"] for part in parts),
        "errors": sum(part["errors"] for part in parts),
        "requests": requests,
        "bytes_per_request": round(sum(part["bytes"] for part in parts) / max(1, requests)),
        "runs_rps": [part["rps"] for part in parts],
    }


def run_mode(scales: list[Scale], wrk: str, cache_on: bool) -> dict[str, dict[str, Any]]:
    """Every page of one mode at every scale, the scales' runs of each page interleaved, each
    run right after a run of the ceiling on the same server."""
    mode = "cache_on" if cache_on else "cache_off"
    names = [scale.name for scale in scales]
    rows: dict[str, dict[str, Any]] = {name: {} for name in names}
    ceiling_runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    flush_redis()
    with contextlib.ExitStack() as stack:
        servers = {scale.name: stack.enter_context(Server(scale.env, cache_on)) for scale in scales}
        by_name = {scale.name: scale for scale in scales}
        for name, server in servers.items():
            log(f"[{name}] {mode}: gunicorn on port {server.port}, {WORKERS} workers")

        def page(title: str, run: Any) -> None:
            """`run(name)` measures the page once on that scale's server."""
            parts: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
            ceilings: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
            for name in segments(names):
                if parts[name] and parts[name][-1].get("status") != 200:
                    continue
                ceilings[name].append(ceiling_run(servers[name], wrk, by_name[name]))
                parts[name].append(run(name))
            for name in names:
                row = report(name, title, parts[name])
                if "rps" in row:
                    # The machine's speed drifts by a third within minutes: each page is
                    # measured against the ceiling of the seconds around it.
                    ceiling = combine(ceilings[name])
                    row["ceiling_rps"] = ceiling["rps"]
                    row["ratio_to_ceiling"] = (
                        round(row["rps"] / ceiling["rps"], 3) if ceiling["rps"] else None
                    )
                    ceiling_runs[name] += ceilings[name]
                rows[name][title] = row

        def get(paths: dict[str, str], cookie: bool = False) -> Any:
            """A GET of each scale's own address for the page (`paths` by scale)."""

            def run(name: str) -> dict[str, Any]:
                env = {"BENCH_COOKIE": by_name[name].cookie} if cookie else {}
                return measure(servers[name], wrk, paths[name], env)

            return run

        pages = {scale.name: dict(scale.public_pages()) for scale in scales}
        for title in pages[names[0]]:
            page(title, get({name: pages[name][title] for name in names}))
        if cache_on:
            page(
                "workspace /arbetsyta/ (logged in)", get(dict.fromkeys(names, "/arbetsyta/"), True)
            )
            page(
                "write flow: status change (htmx)",
                lambda name: write_flow(servers[name], wrk, by_name[name]),
            )
            for scale in scales:
                scale.transfer = {
                    title: transfer_size(servers[scale.name], path)
                    for title, path in scale.public_pages()
                    if path and rows[scale.name][title].get("status") == 200
                }
            for scale in scales:
                scale.after_publication = after_publication(servers[scale.name], wrk, scale)
            # On a slow phone, at the largest scale only (its pages are the largest).
            largest = scales[-1]
            log(f"  [{largest.name}] Largest Contentful Paint, 4x CPU slowdown, Slow 4G …")
            largest.lcp = lcp.measure(servers[largest.name].port, largest.phone_pages())
            for title, row in largest.lcp.items():
                log(f"  [{largest.name}] LCP {title}: {row.get('lcp_ms')} ms ({row.get('status')})")
    out = {}
    for name in names:
        # The ceiling's row: all its runs of this mode together (each page's ratio is to its
        # own runs, `ceiling_rps`).
        ceiling = combine(ceiling_runs[name]) if ceiling_runs[name] else {"rps": 0.0}
        log(f"  [{name}] ceiling over the mode: {ceiling['rps']} req/s")
        out[name] = {
            "ceiling (static file)": {
                "path": by_name[name].info["ceiling"],
                **ceiling,
                "ratio_to_ceiling": 1.0,
            },
            **rows[name],
        }
    return out


def report(scale: str, title: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
    """A page's row at one scale from its runs; the first run that was not measured stands for
    the page (missing, timed out)."""
    failed = next((part for part in parts if "requests" not in part), None)
    if failed:
        return failed
    row = {"path": parts[0]["path"], "status": parts[0]["status"], **combine(parts)}
    if "follow_ups" in parts[0]:
        row["follow_ups"] = parts[0]["follow_ups"]
    log(
        f"  [{scale}] {title}: {row['rps']} req/s (runs {row['runs_rps']}), "
        f"p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms, errors {row['errors']}"
    )
    return row


def ceiling_run(server: Server, wrk: str, scale: Scale) -> dict[str, Any]:
    """The static file as large as the scale's area page, through the same gunicorn and
    WhiteNoise, for CEILING_SECONDS."""
    path = scale.info["ceiling"]
    return {
        "path": path,
        "status": 200,
        **run_wrk(wrk, server.port, path, "get.lua", 2, {}, CEILING_SECONDS),
    }


def measure(server: Server, wrk: str, path: str, env: dict[str, str]) -> dict[str, Any]:
    """One run of one page (half of BENCH_SECONDS) after three warm-up requests."""
    if not path:
        return {"path": "", "status": 404, "missing": True}
    headers = {"Cookie": env["BENCH_COOKIE"]} if "BENCH_COOKIE" in env else {}
    try:
        status, _h, _b = server.get(path, headers)
        if status != 200:
            log(f"  {path} answers {status}; not measured")
            return {"path": path, "status": status, "missing": status == 404}
        for _ in range(3):  # warm the cache and the workers
            server.get(path, headers)
        run = run_wrk(wrk, server.port, path, "get.lua", 2, env, SECONDS / 2)
        return {"path": path, "status": status, **run}
    except (OSError, subprocess.CalledProcessError, RuntimeError) as e:
        # A page too slow to answer within the timeouts is a result, not a crash of the run.
        log(f"  {path} failed: {e!r}; not measured")
        return {"path": path, "status": "timeout", "missing": False}


def write_flow(server: Server, wrk: str, scale: Scale) -> dict[str, Any]:
    """One run (half of BENCH_SECONDS) of the write flow, from the follow-ups' current
    versions (an earlier run changed them)."""
    cells = scale.info["cells"]
    if not cells:
        log("  write flow: no open period or no status endpoint; not measured")
        return {"path": "", "status": 404, "missing": True}
    versions = dict(
        line.split("|")
        for line in psql(
            "SELECT id, version FROM uppfoljning_uppfoljning WHERE id IN ("
            + ",".join(str(int(cell["id"])) for cell in cells)
            + ")",
            db=f"kommungemensamt_bench_{scale.name}",
        ).splitlines()
    )
    # Fetch the CSRF token the way a browser does: the workspace page sets the cookie.
    try:
        status, headers, _b = server.get("/arbetsyta/", {"Cookie": scale.cookie})
    except OSError as e:
        log(f"  write flow: the workspace did not answer ({e!r}); not measured")
        return {"path": cells[0]["path"], "status": "timeout", "missing": False}
    set_cookies = headers.get_all("Set-Cookie") or []
    csrf = next(
        (c.split(";")[0].split("=", 1)[1] for c in set_cookies if c.startswith("csrftoken=")), ""
    )
    if status != 200 or not csrf:
        log(f"  write flow: workspace answered {status} without a CSRF cookie; not measured")
        return {"path": cells[0]["path"], "status": status, "missing": status == 404}
    cells_file = Path(tempfile.mkstemp(prefix="bench-cells-", suffix=".txt")[1])
    cells_file.write_text(
        "".join(f"{c['path']}|{c['key']}|{versions[str(c['id'])]}\n" for c in cells)
    )
    env = {
        "BENCH_COOKIE": f"{scale.cookie}; csrftoken={csrf}",
        "BENCH_CSRF": csrf,
        "BENCH_CELLS": str(cells_file),
    }
    # One thread per connection: each owns one follow-up and tracks its version.
    try:
        run = run_wrk(
            wrk, server.port, cells[0]["path"], "write.lua", CONNECTIONS, env, SECONDS / 2
        )
    finally:
        cells_file.unlink()
    return {"path": cells[0]["path"], "status": 200, "follow_ups": len(cells), **run}


def after_publication(server: Server, wrk: str, scale: Scale) -> dict[str, Any]:
    """The most visited public addresses, right after a publication made every cached page
    stale: each address is fetched once (as visitors had filled the cache), a follow-up is
    published for real, and at once wrk's 16 connections rotate over the addresses for
    BENCH_SECONDS, each connection from its own offset."""
    listed = scale.info["popular"]
    paths = []
    for path in listed:
        try:
            status, _h, _b = server.get(path)
        except OSError as e:
            log(f"  [{scale.name}] after a publication: {path} did not answer ({e!r}); left out")
            continue
        if status == 200:
            paths.append(path)
        else:
            log(f"  [{scale.name}] after a publication: {path} answers {status}; left out")
    if not paths:
        return {"status": 404, "missing": True, "urls": 0}
    out = subprocess.run(
        [PY, str(BENCH / "publish.py")],
        cwd=ROOT,
        env={**scale.env, "PUBLIC_CACHE": "1"},
        check=True,
        capture_output=True,
        text=True,
    )
    published = json.loads(out.stdout.strip().splitlines()[-1])
    if not published["published"]:
        log(f"  [{scale.name}] after a publication: {published['reason']}; not measured")
        return {"status": 404, "missing": True, "urls": len(paths), "publication": published}
    paths_file = Path(tempfile.mkstemp(prefix="bench-popular-", suffix=".txt")[1])
    paths_file.write_text("".join(f"{path}\n" for path in paths))
    env = {"BENCH_PATHS": str(paths_file), "BENCH_CONNECTIONS": str(CONNECTIONS)}
    try:
        # One thread per connection: each starts at its own offset in the list.
        run = run_wrk(wrk, server.port, paths[0], "many.lua", CONNECTIONS, env, SECONDS)
    except (subprocess.CalledProcessError, RuntimeError) as e:
        log(f"  [{scale.name}] after a publication: wrk failed ({e!r}); not measured")
        return {"status": "timeout", "missing": False, "urls": len(paths)}
    finally:
        paths_file.unlink()
    row = {
        "status": 200,
        "urls": len(paths),
        "urls_listed": len(listed),
        "paths": paths,
        "publication": published,
        **run,
    }
    log(
        f"  [{scale.name}] after a publication ({len(paths)} addresses): {row['rps']} req/s, "
        f"p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms, {row['requests']} requests "
        f"({row.get('rendered', '?')} rendered), errors {row['errors']}"
    )
    if row.get("rendered") == 0:
        # Every response a cache hit: the publication did not make the cached pages stale.
        log(f"  [{scale.name}] after a publication: nothing was rendered; was the cache emptied?")
    return row


def digest_publication(scale: Scale) -> dict[str, Any]:
    """Issue 23: KLG's publishing request with 10,000 confirmed subscribers, a few runs, and
    the task's work that queues their digests (bench/digest.py; no server, nothing sent)."""
    try:
        out = subprocess.run(
            [PY, str(BENCH / "digest.py")],
            cwd=ROOT,
            env={**scale.env, "SAMMANDRAG_TYST": "0"},
            check=True,
            capture_output=True,
            text=True,
            timeout=900,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        log(f"  [{scale.name}] publishing to 10,000 subscribers failed: {e!r}")
        return {"measured": False, "reason": repr(e)[:300]}
    row = json.loads(out.stdout.strip().splitlines()[-1])
    if row.get("measured"):
        log(
            f"  [{scale.name}] publishing with {row['subscribers']} subscribers: request p99 "
            f"{row['p99_ms']} ms ({row['request_ms']}), queueing the digests (task) "
            f"{row['fanout_ms']} ms, digests {row['digests_queued']}"
        )
    else:
        log(f"  [{scale.name}] publishing with subscribers: {row.get('reason')}; not measured")
    return row


def _mark(ok: bool) -> str:
    return "OK   " if ok else "MISS "


def _failed(row: dict[str, Any]) -> bool:
    """A page that answered with an error or timed out: it meets no floor. (A page this
    version of the portal does not have, a 404, is shown as missing in the table.)"""
    return bool(row) and "rps" not in row and row.get("status") != 404


def _verdict_scale(results: dict[str, Any]) -> str:
    """The scale the floors are checked at: top, else the last one measured."""
    return "top" if "top" in results["scales"] else list(results["scales"])[-1]


def verdicts(results: dict[str, Any]) -> list[str]:
    """Each floor of issue 18 against the top scale's figures (flat with size: top ÷ small),
    each line with the floor it checks."""
    out = []
    top = results["scales"].get(_verdict_scale(results))
    small = results["scales"].get("small")
    if not top:
        return out
    on = top["runs"]["cache_on"]
    off = top["runs"]["cache_off"]
    for name, row in on.items():
        if name.startswith("ceiling"):
            continue
        staff = name.startswith("workspace") or name.startswith("write")
        if _failed(row):
            out.append(_mark(False) + f"{name}{'' if staff else ' cached'}: not measured")
        elif staff and "rps" in row:
            ok = row["errors"] == 0 and row["p99_ms"] < STAFF_P99_MS
            out.append(
                _mark(ok) + f"{name}: p99 {row['p99_ms']} ms (< {STAFF_P99_MS}), "
                f"errors {row['errors']}"
            )
        elif "rps" in row:
            ok = (
                row["ratio_to_ceiling"] >= CACHED_SHARE
                and row["p99_ms"] < CACHED_P99_MS
                and row["errors"] == 0
            )
            out.append(
                _mark(ok) + f"{name} cached: {row['ratio_to_ceiling']:.0%} of ceiling "
                f"(≥ {CACHED_SHARE:.0%}), p99 {row['p99_ms']} ms (< {CACHED_P99_MS}), "
                f"errors {row['errors']}"
            )
        off_row = off.get(name, {})
        if _failed(off_row):
            out.append(_mark(False) + f"{name} uncached: not measured")
        elif "rps" in off_row:
            ok = off_row["ratio_to_ceiling"] >= UNCACHED_SHARE and off_row["errors"] == 0
            extra = ""
            if name.startswith("search"):
                ok = ok and off_row["p99_ms"] < SEARCH_P99_MS
                extra = f", p99 {off_row['p99_ms']} ms (< {SEARCH_P99_MS})"
            out.append(
                _mark(ok) + f"{name} uncached: {off_row['ratio_to_ceiling']:.1%} of ceiling "
                f"(≥ {UNCACHED_SHARE:.0%}){extra}, errors {off_row['errors']}"
            )
    for scale_name, r in results["scales"].items():
        burst = r.get("after_publication", {})
        if "rps" not in burst:
            if burst:
                out.append(_mark(False) + f"after a publication ({scale_name}): not measured")
            continue
        ok = burst["errors"] == 0 and burst["p99_ms"] < BURST_P99_MS
        out.append(
            _mark(ok) + f"after a publication ({scale_name}): p99 {burst['p99_ms']} ms "
            f"(< {BURST_P99_MS}), p50 {burst['p50_ms']} ms, {burst['urls']} of "
            f"{burst['urls_listed']} addresses, "
            f"{burst['requests']} requests ({burst.get('rendered', '?')} rendered), "
            f"errors {burst['errors']}"
        )
    for scale_name, r in results["scales"].items():
        digest = r.get("digest_publication", {})
        if not digest:
            continue
        if not digest.get("measured"):
            out.append(
                _mark(False) + f"publishing to 10,000 subscribers ({scale_name}): not measured"
            )
            continue
        ok = digest["p99_ms"] < DIGEST_REQUEST_P99_MS and all(
            n == digest["subscribers"] for n in digest["digests_queued"]
        )
        out.append(
            _mark(ok) + f"publishing to {digest['subscribers']} subscribers ({scale_name}): "
            f"request p99 {digest['p99_ms']} ms (< {DIGEST_REQUEST_P99_MS}) of "
            f"{digest['runs']} runs, one digest each queued by the task in "
            f"{digest['fanout_p99_ms']} ms (p99)"
        )
    # Only with two scales (BENCH_SCALES=small alone has nothing to compare).
    if small and small is not top:
        for mode in ("cache_on", "cache_off"):
            for name, row in top["runs"][mode].items():
                s_row = small["runs"][mode].get(name, {})
                if "rps" in row and "rps" in s_row and not name.startswith("ceiling"):
                    share = row["rps"] / s_row["rps"] if s_row["rps"] else 0
                    # The verdict compares req/s of interleaved runs; each scale's share of
                    # its own ceiling is shown beside.
                    top_r, small_r = row.get("ratio_to_ceiling"), s_row.get("ratio_to_ceiling")
                    drift = (
                        f"; {top_r / small_r:.0%} as shares of each scale's ceiling"
                        if top_r and small_r
                        else ""
                    )
                    out.append(
                        _mark(share >= FLAT_SHARE)
                        + f"flat with size, {name} ({mode}): top {share:.0%} of small "
                        f"(≥ {FLAT_SHARE:.0%})" + drift
                    )
    for name, row in top.get("lcp", {}).items():
        if row.get("lcp_ms") is None:
            out.append(_mark(False) + f"LCP {name}: not measured ({row.get('status')})")
            continue
        out.append(
            _mark(row["lcp_ms"] < lcp.GOAL_MS)
            + f"LCP {name} (4x CPU slowdown, Slow 4G): {row['lcp_ms']:.0f} ms "
            f"(goal < {lcp.GOAL_MS} ms)"
        )
    for name, t in top.get("transfer", {}).items():
        out.append(
            _mark(t["within_budget"])
            + f"transfer {name}: {t['total_compressed_bytes'] / 1024:.1f} KB compressed "
            f"(≤ {PAGE_BUDGET // 1024} KB)"
        )
    return out


def print_table(results: dict[str, Any]) -> None:
    for scale, r in results["scales"].items():
        for mode, rows in r["runs"].items():
            log(f"\n== scale {scale}, {mode.replace('_', ' ')} ==")
            log(
                f"{'page':38} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
                f"{'bytes':>8} {'ceiling':>8} {'of it':>7}"
            )
            for name, row in rows.items():
                if "rps" not in row:
                    log(f"{name:38} {'missing (' + str(row.get('status')) + ')':>9}")
                    continue
                log(
                    f"{name:38} {row['rps']:>9.1f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} "
                    f"{row['errors']:>7} {row['bytes_per_request']:>8} "
                    f"{row.get('ceiling_rps', row['rps']):>8.0f} {row['ratio_to_ceiling']:>7.1%}"
                )
    bursts = {
        scale: r["after_publication"]
        for scale, r in results["scales"].items()
        if r.get("after_publication")
    }
    if bursts:
        log("\n== after a publication empties the cache (cache on) ==")
        log(
            f"{'scale':8} {'addresses':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'requests':>9} {'rendered':>9} {'errors':>7}"
        )
        for scale, row in bursts.items():
            if "rps" not in row:
                log(f"{scale:8} {row.get('urls', 0):>9} {'not measured':>12}")
                continue
            log(
                f"{scale:8} {row['urls']:>9} {row['rps']:>9.1f} {row['p50_ms']:>8.2f} "
                f"{row['p99_ms']:>8.2f} {row['requests']:>9} {row.get('rendered', '?'):>9} "
                f"{row['errors']:>7}"
            )
    log(f"\n== floors (issue 18), scale {_verdict_scale(results)} ==")
    for line in results["verdicts"]:
        log(line)


def main() -> None:
    wrk = ensure_wrk()
    started = time.monotonic()
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    try:
        env = base_env("postgres", static_root)
        manage(env, "collectstatic", "--no-input", "-v0")
        results: dict[str, Any] = {
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": {"cores": CORES, "gunicorn_workers": WORKERS},
            "method": {
                "connections": CONNECTIONS,
                "seconds_per_page": SECONDS,
                "order": "each page's runs interleaved, "
                + ", ".join(segments(SCALES))
                + ", each half of seconds_per_page",
                "load_generator": "wrk",
                "cache": "Redis (shared by all workers), PUBLIC_CACHE on/off",
                "lcp": "cache on, largest scale: each public page once in a fresh Chromium "
                "context at 375 px, 4x CPU slowdown, Lighthouse's Slow 4G (bench/lcp.py)",
                "digest_publication": "no server: bench/digest.py times KLG's publishing "
                "POST (Django's test client, the whole stack, DEBUG=0, tasks to the database) "
                "with 10,000 confirmed subscribers, SAMMANDRAG_TYST=0, DIGEST_RUNS runs; then "
                "the task's work that queues the 10,000 digests",
                "after_publication": "cache on: the most visited addresses fetched once, a "
                "follow-up published (bench/publish.py), then wrk rotating over them for "
                "seconds_per_page",
            },
            "scales": {},
        }
        scales = [prepare_scale(scale, static_root) for scale in SCALES]
        for scale in scales:
            results["scales"][scale.name] = {
                "scale": scale.name,
                "seed_or_reuse_seconds": round(scale.seeded_s, 1),
                "area_bytes": scale.info["area_bytes"],
                "runs": {},
                "transfer": {},
                "after_publication": {},
                "lcp": {},
            }
        for cache_on in (True, False):
            mode = "cache_on" if cache_on else "cache_off"
            for name, rows in run_mode(scales, wrk, cache_on).items():
                results["scales"][name]["runs"][mode] = rows
            for scale in scales:
                results["scales"][scale.name]["transfer"] = scale.transfer
                results["scales"][scale.name]["after_publication"] = scale.after_publication
                results["scales"][scale.name]["lcp"] = scale.lcp
            # Keep what is measured so far, should a later mode fail.
            (BENCH / "results").mkdir(exist_ok=True)
            (BENCH / "results" / "partial.json").write_text(json.dumps(results, indent=2))
        # Issue 23: the publishing request with 10,000 subscribers, on a quiet machine.
        for scale in scales:
            results["scales"][scale.name]["digest_publication"] = digest_publication(scale)
        results["verdicts"] = verdicts(results)
        results["total_seconds"] = round(time.monotonic() - started)
        print_table(results)
        out = BENCH / "results" / "latest.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        (BENCH / "results" / "partial.json").unlink(missing_ok=True)
        log(f"\nwrote {out.relative_to(ROOT)} in {results['total_seconds']} s")
    finally:
        shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
