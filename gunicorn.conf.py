"""gunicorn's settings for the portal (read from the working directory: `gunicorn portal.wsgi`).

Always behind nginx (deploy/nginx.conf, docs/deploy.md), never reachable from the internet.

Worker class: sync, one request at a time per process. The portal's requests are CPU-bound
(template rendering, the ORM; PostgreSQL answers in about a millisecond) and never stream or
wait on a slow client, because nginx reads each request whole before passing it on and takes
each response whole, whatever the client's speed. So a worker only ever talks to nginx, at
full speed, and a process per request is the simplest model that keeps both cores busy. The
catch, and the reason for nginx: a sync worker reading a request waits for all of it, so a
client trickling a header line every few seconds straight at gunicorn holds a worker as long
as it likes, and as many such clients as workers stop the site (`make nodes-test` shows it,
then shows nginx keeping 200 of them away). Threads (gthread) would only move that limit to
the thread count; gevent would add a dependency and patch the standard library's I/O, for no
gain on CPU-bound pages.

Workers: `WEB_CONCURRENCY`, by default one more than the machine's cores. More processes than
cores only take turns on the CPU: on the 2-core bench machine 3 sync workers served more than
the (2 x cores) + 1 = 5 often advised for I/O-bound apps, cached and uncached, at the same
ceiling (docs/performance.md). Raise it where the database is on another host and requests
wait on the network.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))
worker_class = "sync"
# A worker silent this long (a request stuck in a loop or on a lost connection) is killed and
# replaced. nginx's proxy_read_timeout is the same 30 s, so neither waits for the other.
timeout = 30
# On a restart (HUP, deploy) a worker may finish its request for as long as it may run.
graceful_timeout = 30
# No keepalive: sync workers close each connection after one response (nginx talks HTTP/1.0
# to its upstream by default), so gunicorn's `keepalive` setting does not apply.
