"""gunicorn's settings for the portal (read from the working directory: `gunicorn portal.wsgi`).

Workers: `WEB_CONCURRENCY`, by default one more than the machine's cores. The portal's
requests are CPU-bound (template rendering, the ORM; PostgreSQL answers in about a
millisecond), so more processes than cores only take turns on them: on the 2-core bench
machine 3 sync workers served more than the (2 x cores) + 1 = 5 often advised for I/O-bound
apps, cached and uncached, at the same ceiling (docs/performance.md). Raise it where the
database is on another host and requests wait on the network.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))
worker_class = "sync"
timeout = 30
