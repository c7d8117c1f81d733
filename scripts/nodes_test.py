#!/usr/bin/env python
"""Several nodes: two gunicorn processes on separate ports share PostgreSQL and Redis.

Proves, through real HTTP requests:
1. a login on node A is valid on node B (sessions live in the shared database);
2. a follow-up published through A is visible through B on the very next request, although
   B had the page in the public cache (the cache generation lives in the shared Redis);
3. the resident-input rate limit counts across both nodes (the count lives in Redis);
4. slow clients cannot stop the site: deploy/nginx.conf, run by a private nginx in front of
   both nodes, keeps 200 connections that trickle a header line every few seconds (slowloris)
   away from gunicorn's sync workers for 30 seconds, and 50 that trickle a form's body, while
   ordinary requests through it answer within a second. A short control first shows the same
   attack stops a node reached directly.

Uses its own PostgreSQL database, a Redis key prefix of its own and an nginx of its own (its
configuration, pid file, logs and temporary files in a temporary folder, HTTP and HTTPS on free
ports of 127.0.0.1, never the machine's nginx service); installs Debian's nginx-light when no
nginx is installed. Only talks to 127.0.0.1. Run: `make nodes-test`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import select
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (  # noqa: E402
    ROOT,
    Browser,
    drop_database,
    free_port,
    fresh_database,
    manage,
    production_env,
    say,
    start_gunicorn,
    stop,
)

DATABASE = "kommungemensamt_nodes"
NGINX_SITE = ROOT / "deploy" / "nginx.conf"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
# An ordinary request must answer within this many seconds while the slow clients are held.
LIMIT = 1.0
REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "nodes-test-" + uuid.uuid4().hex

SETUP = """
from django.contrib.auth.models import Group, User
from omraden.models import Omrade
from portal.viewer import Viewer
from uppfoljning import services
from uppfoljning.models import Period, Uppfoljning
user = User.objects.create_user("nodtest", password=%r)
user.groups.add(Group.objects.get(name="kommunledningsgruppen"))
omrade = Omrade.objects.visible_to(Viewer.resident()).order_by("nummer").first()
periods = [p for p in Period.objects.order_by("-ar", "-tertial") if not p.is_closed]
period = periods[0] if periods else Period.objects.create(ar=2099, tertial=1)
uppf, _ = services.uppfoljning_get_or_create(period=period, omrade=omrade, by=user)
# Written, marked ready and approved here: step 2 publishes it through node A.
uppf = services.uppfoljning_save(
    uppfoljning=uppf,
    version=uppf.version,
    changes={"status": "gron", "sammanfattning": %r},
    by=user,
)
uppf = services.uppfoljning_mark_ready(uppfoljning=uppf, version=uppf.version, by=user)
uppf = services.uppfoljning_approve(uppfoljning=uppf, version=uppf.version, by=user)
print(uppf.pk, uppf.version, omrade.slug)
"""


def login(client: Browser) -> int:
    token = client.csrf_from("/konto/logga-in/")
    r = client.request(
        "/konto/logga-in/",
        {"csrfmiddlewaretoken": token, "username": "nodtest", "password": PASSWORD},
    )
    return r.status


def ensure_nginx() -> str:
    """The nginx binary; installs Debian's package when there is none (as `make chromium`)."""
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    say("Installing nginx (Debian's nginx-light, else nginx) for the slow-client test")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], env=env, check=False)
    for package in ("nginx-light", "nginx"):
        installed = subprocess.run(
            [*sudo, "apt-get", "install", "-y", "-qq", package], env=env, capture_output=True
        )
        if installed.returncode == 0 and os.access("/usr/sbin/nginx", os.X_OK):
            return "/usr/sbin/nginx"
    raise SystemExit("nginx is missing and could not be installed: apt-get install nginx-light")


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def site_config(replacements: dict[str, str]) -> str:
    """deploy/nginx.conf with its example values replaced: the file itself is what runs."""
    text = NGINX_SITE.read_text()
    for example, value in replacements.items():
        if example not in text:
            raise SystemExit(f"deploy/nginx.conf no longer contains {example!r}: update this test")
        text = text.replace(example, value)
    return text


def start_nginx(nginx: str, folder: Path, site: str, port: int) -> subprocess.Popen[bytes]:
    """A private nginx: everything it writes is in `folder`; `daemon off` keeps it our child.

    The main context mirrors Debian's /etc/nginx/nginx.conf where it matters for the test
    (worker_processes auto, 768 connections per worker); the site is deploy/nginx.conf.
    """
    (folder / "site.conf").write_text(site)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        f"""daemon off;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
worker_processes auto;
events {{
    worker_connections 768;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {folder / "access.log"};
{temp_paths}
    include {folder / "site.conf"};
}}
"""
    )
    args = [
        nginx,
        "-e",
        str(folder / "error.log"),
        "-p",
        str(folder),
        "-c",
        str(folder / "nginx.conf"),
    ]
    checked = subprocess.run([*args, "-t", "-q"], capture_output=True, text=True)
    if checked.returncode != 0:
        raise SystemExit(f"nginx refused deploy/nginx.conf:\n{checked.stderr}")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"nginx did not start: {(folder / 'error.log').read_text()}")


def get(
    port: int, path: str, context: ssl.SSLContext | None = None, timeout: float = 5
) -> tuple[int, float, dict[str, str]]:
    """One GET on a new connection: status, seconds until the whole body arrived, headers."""
    started = time.monotonic()
    if context is None:
        conn: http.client.HTTPConnection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=timeout
        )
    else:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=context)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started, dict(response.getheaders())
    finally:
        conn.close()


class SlowClients:
    """`count` connections that send a request header one line at a time, every `interval`
    seconds, and never finish it (slowloris); with `body`, a whole header announcing a form
    and then its body a few bytes at a time. A connection the server closes is opened again,
    so `count` are held all the time. Runs in one thread; stops by itself after `seconds`.
    """

    def __init__(
        self, port: int, count: int, context: ssl.SSLContext | None = None, body: bool = False
    ) -> None:
        self.port, self.count, self.context, self.body = port, count, context, body
        self.socks: list[socket.socket] = []
        self.opened = self.closed_by_server = self.answered = self.failed_to_open = 0
        self.fewest_held = count

    def _open(self) -> None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            if self.context is not None:
                sock = self.context.wrap_socket(sock, server_hostname="127.0.0.1")
            sock.sendall(
                # A well-formed CSRF cookie and a same-site Referer (the request is HTTPS), so
                # Django reads the body instead of refusing the form at once.
                b"POST /tyck-till/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Referer: https://127.0.0.1/tyck-till/\r\n"
                b"Cookie: csrftoken=" + secrets.token_hex(16).encode() + b"\r\n\r\ntext="
                if self.body
                else b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-client\r\n"
            )
        except OSError:
            self.failed_to_open += 1
            return
        sock.setblocking(False)
        self.socks.append(sock)
        self.opened += 1

    def _still_open(self, sock: socket.socket) -> bool:
        """Whether the server neither closed the connection nor answered the request."""
        try:
            # Nginx closes a connection whose header is late without a word: b"" or a reset.
            answer = sock.recv(4096)
        except (ssl.SSLWantReadError, BlockingIOError):
            return True
        except OSError:
            answer = b""
        if answer:
            # Only an application that gave up on the body answers (a 400 or 403): the request
            # reached gunicorn.
            self.answered += 1
        else:
            self.closed_by_server += 1
        return False

    def open(self) -> None:
        for _ in range(self.count - len(self.socks)):
            self._open()

    def run(self, seconds: float, interval: float = 5.0) -> None:
        deadline = time.monotonic() + seconds
        tick = 0
        while time.monotonic() < deadline:
            # poll, not select: select cannot watch descriptors above 1023.
            poller = select.poll()
            by_fd = {sock.fileno(): sock for sock in self.socks}
            for fd in by_fd:
                poller.register(fd, select.POLLIN)
            for fd, _ in poller.poll(1000):
                sock = by_fd[fd]
                if not self._still_open(sock):
                    self.socks.remove(sock)
                    sock.close()
            tick += 1
            # Each connection gets its next line every `interval` seconds, spread over the ticks.
            for i, sock in enumerate(list(self.socks)):
                if (i + tick) % int(interval) == 0:
                    try:
                        sock.send(b"slow+" if self.body else f"X-Slow-{tick}: {i}\r\n".encode())
                    except (ssl.SSLWantWriteError, BlockingIOError):
                        pass
                    except OSError:
                        self.socks.remove(sock)
                        sock.close()
                        self.closed_by_server += 1
            self.open()
            self.fewest_held = min(self.fewest_held, len(self.socks))

    def close(self) -> None:
        for sock in self.socks:
            sock.close()
        self.socks.clear()


def ordinary_traffic(
    port: int, paths: list[str], context: ssl.SSLContext, seconds: float, clients: int = 2
) -> tuple[list[float], Counter[str]]:
    """`clients` visitors requesting `paths` one after another for `seconds`: the latencies of
    the requests that answered 200, and what went wrong with the others."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    deadline = time.monotonic() + seconds

    def visitor(n: int) -> None:
        i = n
        while time.monotonic() < deadline:
            path = paths[i % len(paths)]
            i += 1
            try:
                status, took, _ = get(port, path, context, timeout=5)
            except (OSError, http.client.HTTPException) as e:
                errors[f"{path}: {type(e).__name__}"] += 1
                continue
            if status != 200:
                errors[f"{path}: {status}"] += 1
            else:
                latencies.append(took)
            time.sleep(0.05)

    threads = [threading.Thread(target=visitor, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def figures(latencies: list[float]) -> str:
    if not latencies:
        return "no request answered"
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"{len(ordered)} requests, median {ordered[len(ordered) // 2] * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"
    )


def slow_clients_test(
    nginx: str, port_a: int, port_b: int, slug: str, slow: int, seconds: float
) -> list[str]:
    """Step 4: nginx (deploy/nginx.conf) in front of nodes A and B under a slowloris attack."""
    failures: list[str] = []
    example = NGINX_SITE.read_text()
    if example not in DEPLOY_DOC.read_text():
        failures.append("docs/deploy.md does not show deploy/nginx.conf as it is")

    # Control: the attack, aimed at node A itself, stops it (one sync worker per node here).
    control = SlowClients(port_a, 5)
    control.open()
    try:
        get(port_a, "/", timeout=3)
        blocked = False
    except OSError as e:
        blocked = isinstance(e, TimeoutError)
    finally:
        control.close()
    status, took, _ = get(port_a, "/", timeout=10)
    say(
        f"4. control: 5 slow clients straight at node A's gunicorn; an ordinary request "
        f"{'got no answer in 3 s' if blocked else 'was answered'}; once they left: "
        f"{status} in {took * 1000:.0f} ms"
    )
    if not blocked:
        failures.append("the slow clients did not even stop a bare gunicorn: the attack is broken")

    folder = Path(tempfile.mkdtemp(prefix="nodes-nginx-"))
    folder.chmod(0o755)  # nginx's workers run as nobody when started by root
    proxy: subprocess.Popen[bytes] | None = None
    attacks: list[SlowClients] = []
    # Where fresh_database's collectstatic wrote (portal/settings.py's STATIC_ROOT).
    static_root = Path(os.environ.get("STATIC_ROOT", ROOT / "staticfiles"))
    try:
        http_port, https_port = free_port(), free_port()
        cert, key = self_signed_certificate(folder)
        site = site_config(
            {
                "10.0.0.11:8000": f"127.0.0.1:{port_a}",
                "10.0.0.12:8000": f"127.0.0.1:{port_b}",
                "listen 80;": f"listen 127.0.0.1:{http_port};",
                "listen 443 ssl": f"listen 127.0.0.1:{https_port} ssl",
                "kommungemensamt.example.se": "127.0.0.1",
                "/etc/ssl/kommungemensamt/fullchain.pem": str(cert),
                "/etc/ssl/kommungemensamt/privkey.pem": str(key),
                "/srv/kommungemensamt/staticfiles/": f"{static_root}/",
            }
        )
        proxy = start_nginx(nginx, folder, site, https_port)
        context = ssl.create_default_context(cafile=str(cert))
        manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
        stylesheet = "/static/" + manifest["css/portal.css"]
        paths = ["/", f"/omraden/{slug}/", "/tyck-till/", stylesheet]

        redirect, _, headers = get(http_port, "/")
        css, _, css_headers = get(https_port, stylesheet, context)
        say(
            f"   nginx {nginx_version(nginx)} with deploy/nginx.conf on 127.0.0.1: http "
            f"answers {redirect} to {headers.get('Location')}; {stylesheet} {css} "
            f"({css_headers.get('Cache-Control')}, {css_headers.get('Content-Encoding')})"
        )
        if redirect != 301 or css != 200 or "immutable" not in css_headers.get("Cache-Control", ""):
            failures.append("nginx did not redirect to HTTPS or serve the static files")

        latencies, errors = ordinary_traffic(https_port, paths, context, 5)
        say(f"   before the attack, through nginx: {figures(latencies)}; errors {dict(errors)}")

        # The headers are the attack the issue names; the bodies (a quarter as many) check that
        # nginx also keeps a form that arrives slowly to itself (proxy_request_buffering).
        headers_attack = SlowClients(https_port, slow, context)
        bodies_attack = SlowClients(https_port, max(1, slow // 4), context, body=True)
        attacks += [headers_attack, bodies_attack]
        threads = [threading.Thread(target=a.run, args=(seconds,), daemon=True) for a in attacks]
        for attack, thread in zip(attacks, threads, strict=True):
            attack.open()
            thread.start()
        latencies, errors = ordinary_traffic(https_port, paths, context, seconds)
        for thread in threads:
            thread.join()
        late = sum(t > LIMIT for t in latencies)
        say(
            f"   during {seconds:.0f} s: {slow} slow headers held (fewest at once "
            f"{headers_attack.fewest_held}; {headers_attack.opened} opened, "
            f"{headers_attack.closed_by_server} cut off by nginx's client_header_timeout, "
            f"{headers_attack.failed_to_open} refused) and {bodies_attack.count} slow form bodies "
            f"(fewest at once {bodies_attack.fewest_held}, {bodies_attack.opened} opened, "
            f"{bodies_attack.answered} answered)"
        )
        say(
            f"   ordinary requests through nginx meanwhile: {figures(latencies)}; "
            f"over {LIMIT:.0f} s: {late}; errors {dict(errors)}"
        )
        if errors or late or not latencies:
            failures.append(
                f"ordinary requests through nginx failed or took over {LIMIT:.0f} s "
                f"during the attack ({late} late, errors {dict(errors)})"
            )
        for attack in attacks:
            if attack.fewest_held < attack.count * 0.9:
                failures.append(
                    f"the attack held only {attack.fewest_held} of {attack.count} connections"
                )
    finally:
        for attack in attacks:
            attack.close()
        if proxy is not None:
            stop(proxy)
        shutil.rmtree(folder, ignore_errors=True)
    return failures


def nginx_version(nginx: str) -> str:
    out = subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr
    return out.strip().rpartition("/")[2]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--slow-clients", type=int, default=200, help="default: 200")
    parser.add_argument("--seconds", type=float, default=30, help="attack length (default: 30)")
    options = parser.parse_args()
    if options.slow_clients < 1 or options.seconds <= 0:
        parser.error("--slow-clients and --seconds must be above 0")
    nginx = ensure_nginx()
    run = uuid.uuid4().hex[:8]
    env = production_env(
        DATABASE,
        CACHE_URL=f"{REDIS}?key_prefix=nodes-{run}",
        INSPEL_RATE="5/10m",
        # The public address is nginx's (step 4); DEBUG=0 requires an https SITE_URL.
        SITE_URL="https://127.0.0.1",
    )
    say(f"Preparing database {DATABASE}; shared cache {REDIS} (prefix nodes-{run})")
    fresh_database(DATABASE, env)
    summary = f"Publicerat via nod A ({run})"
    setup = SETUP % (PASSWORD, summary)
    pk, version, slug = manage(env, "shell", "-c", setup).split()[-3:]
    port_a, port_b = free_port(), free_port()
    a = start_gunicorn(env, port_a, workers=1)
    b = start_gunicorn(env, port_b, workers=1)
    base_a, base_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    failures: list[str] = []
    try:
        # 1. Log in on A, use the same session cookie on B.
        staff_a = Browser(base_a)
        status = login(staff_a)
        staff_b = Browser(base_b)
        staff_b.set_cookie_from(staff_a, "sessionid")
        on_b = staff_b.request("/arbetsyta/")
        say(f"1. login on A: {status}; the workspace on B with A's session: {on_b.status}")
        if status != 302 or on_b.status != 200:
            failures.append("a login on A is not valid on B")

        # 2. B caches the public area page; A publishes; B's next request shows it.
        public_b = Browser(base_b)
        first = public_b.request(f"/omraden/{slug}/")
        again = public_b.request(f"/omraden/{slug}/")
        token = staff_a.csrf_from(f"/arbetsyta/uppfoljning/{pk}/")
        published = staff_a.request(
            f"/arbetsyta/uppfoljning/{pk}/",
            {
                "csrfmiddlewaretoken": token,
                "handling": "publicera",
                "version": version,
                "kommentar": "",
                "publicera_fran": "",
            },
        )
        after = public_b.request(f"/omraden/{slug}/")
        seen = summary in after.body
        say(
            f"2. B served the page ({first.status}, {again.status}, not showing it: "
            f"{summary not in again.body}); A published ({published.status}); "
            f"B's next request shows it: {seen}"
        )
        if published.status != 302 or not seen or summary in again.body:
            failures.append("a publication through A was not visible through B at once")

        # 3. Five inputs are allowed per address and ten minutes: alternate the nodes.
        statuses = []
        for i in range(7):
            client = Browser(base_a if i % 2 == 0 else base_b)
            token = client.csrf_from("/tyck-till/")
            r = client.request(
                "/tyck-till/",
                {"csrfmiddlewaretoken": token, "typ": "ide", "text": f"nodtest {run} {i}"},
            )
            statuses.append(r.status)
        say(f"3. seven inputs alternating A, B, A, …: {statuses}")
        if statuses != [302] * 5 + [429] * 2:
            failures.append(f"the rate limit did not count across nodes: {statuses}")

        failures += slow_clients_test(
            nginx, port_a, port_b, slug, options.slow_clients, options.seconds
        )
    finally:
        stop(a)
        stop(b)
        drop_database(DATABASE)
    if failures:
        say("FAILED: " + "; ".join(failures))
        return 1
    say(
        "OK: sessions, public-cache invalidation and rate limits are shared by both nodes; "
        "behind nginx, slow clients do not stop them."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
