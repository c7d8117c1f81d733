#!/usr/bin/env python
"""Prototype for docs/multi-kommun.md: what keeping several municipalities apart costs.

Measures the two designs the document compares, on this machine's PostgreSQL, without
changing the portal's code (it imports the portal and drives it from the outside):

1. **Page cache** (`portal/page_cache.py`, unchanged): the real `PublicCacheMiddleware` in
   front of a stand-in view, N municipalities on N host names, P pages each. Once as the
   code is today (one generation for the installation), once with every cache key prefixed
   by the request's municipality (a cache `KEY_FUNCTION` reading a context variable, the way
   django-tenants prefixes keys with `connection.schema_name`). Checks that no municipality
   is ever served another's page, counts the pages rendered again after one publication, and
   shows that a write outside any municipality is refused rather than silently bumping a
   generation no page is keyed under.
2. **Migrations**: `migrate` from zero into one PostgreSQL schema per municipality (what
   django-tenants' `migrate_schemas` does), and the no-op `migrate` every deploy repeats per
   schema; each schema is then filled with `seed_bench --scale small --seed <n>`.
3. **Queries**: the search (`sok/search.py`'s candidate query, as a resident) and the
   open-data list of input (`oppna_data/datasets.py`, first JSON page and its count), as the
   ORM writes them, under EXPLAIN ANALYZE: per schema, and on one table set holding 1, 10 or
   50 municipalities with a `kommun_id` column, once with today's indexes plus an index on
   `kommun_id` ("plain") and once with `kommun_id` leading every index ("composite"; the GIN
   indexes through btree_gin). Then the portal's prepared statements (generic plans) on one
   connection that serves the municipalities in turn: `SET search_path` per request (schemas)
   against a `kommun_id` parameter (rows).

Everything lives in one database of its own, `kg_mk_bench` (`--db`), dropped at the end unless
`--keep`; `--reuse` keeps the schemas already built there. The cache is a per-process locmem
cache, never the project's file cache or Redis. Run it niced on a shared machine:

    nice -n 10 .venv/bin/python scripts/prototype_multi_kommun.py --kommuner 1,10,50

For 50 municipalities about 3 minutes on a quiet 2-core machine, 10 on a busy one (mostly
migrate and seed); prints progress lines, a table per measurement and one SUMMARY line;
`--json FILE` keeps every figure.
"""

from __future__ import annotations

import argparse
import contextvars
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The municipality of the request being served (the prototype's middleware sets it).
KOMMUN: contextvars.ContextVar[int | None] = contextvars.ContextVar("kommun", default=None)
# When set, a cache key made outside any municipality is refused (the prefixed design).
STRICT = {"on": False}
HOST_SUFFIX = ".kommun.test"
SEARCH_WORDS = ["återbruka", "kommunen"]


def kommun_key(key: str, key_prefix: str, version: int) -> str:
    """A cache KEY_FUNCTION: Django's key, prefixed by the current municipality."""
    kommun = KOMMUN.get()
    if kommun is None:
        if STRICT["on"]:
            raise RuntimeError(f"cache key {key!r} made outside any municipality")
        return f"{key_prefix}:{version}:{key}"
    return f"kommun-{kommun}:{key_prefix}:{version}:{key}"


def say(message: str) -> None:
    print(f"[mk {time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 50), 3),
        "p99": round(percentile(values, 99), 3),
        "mean": round(statistics.fmean(values), 3),
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    parser.add_argument(
        "--kommuner", default="1,10,50", help="numbers of municipalities (default 1,10,50)"
    )
    parser.add_argument("--runs", type=int, default=40, help="runs per query (default 40)")
    parser.add_argument("--pages", type=int, default=50, help="pages per municipality (cache)")
    parser.add_argument(
        "--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server"
    )
    parser.add_argument("--db", default="kg_mk_bench", help="database of its own (kg_mk_*)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="keep schemas already built")
    parser.add_argument("--json", help="write every figure to this file")
    args = parser.parse_args()
    if not args.db.startswith("kg_mk_"):
        parser.error("--db must start with kg_mk_ (never another database)")
    args.sizes = sorted({int(n) for n in args.kommuner.split(",")})
    if not args.sizes or args.sizes[0] < 1 or args.sizes[-1] > 63:
        parser.error("--kommuner: between 1 and 63 municipalities")
    return args


ARGS = parse_args()

# The portal's settings read the environment once: a database of our own, client-side
# binding (the rotation test prepares statements itself), a cache of this process only.
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"{ARGS.pg}/{ARGS.db}",
        "DB_PREPARED_STATEMENTS": "0",
        "CACHE_URL": "locmem://",
        "ALLOWED_HOSTS": HOST_SUFFIX,
        "PUBLIC_CACHE": "1",
        "DEBUG": "1",
    }
)

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402

settings.CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kg-mk-prototype",
        "KEY_FUNCTION": kommun_key,
        # Every page of every municipality stays (locmem culls at 300 entries by default).
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},
    }
}

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.db.models import QuerySet  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from oppna_data.datasets import inspel_rows  # noqa: E402
from portal import page_cache  # noqa: E402
from portal.viewer import Viewer  # noqa: E402
from sok.search import Search  # noqa: E402

TENANT_APPS = ("omraden", "uppfoljning")


# The database and its schemas


def admin(sql: str) -> None:
    with psycopg.connect(f"{ARGS.pg}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def raw(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    """Run one statement on a connection of its own (default search path)."""
    with psycopg.connect(f"{ARGS.pg}/{ARGS.db}", autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else []


def use_schema(schema: str) -> None:
    """Point Django's connection at one schema: the next connection sets its search_path."""
    connection.close()
    connection.settings_dict["OPTIONS"]["options"] = f"-c search_path={schema},public"
    # Content types are cached per process; each schema has its own table of them.
    ContentType.objects.clear_cache()


def built_schemas() -> set[str]:
    return {row[0] for row in raw("SELECT schema FROM public.mk_built")}


def prepare_database() -> None:
    exists = raw_exists()
    if exists and not ARGS.reuse:
        admin(f'DROP DATABASE "{ARGS.db}" WITH (FORCE)')
        exists = False
    if not exists:
        admin(f'CREATE DATABASE "{ARGS.db}"')
    raw("CREATE TABLE IF NOT EXISTS public.mk_built (schema text PRIMARY KEY, info jsonb)")
    raw("CREATE EXTENSION IF NOT EXISTS btree_gin SCHEMA public")


def raw_exists() -> bool:
    with psycopg.connect(f"{ARGS.pg}/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [ARGS.db]).fetchone()
    return row is not None


def build_schemas(count: int) -> dict[str, Any]:
    """One schema per municipality: migrate from zero, then seed. Returns the timings."""
    done = built_schemas()
    migrate_s: list[float] = []
    seed_s: list[float] = []
    for n in range(1, count + 1):
        schema = f"k_{n:02d}"
        if schema in done:
            info = raw("SELECT info FROM public.mk_built WHERE schema = %s", [schema])[0][0]
            migrate_s.append(info["migrate"])
            seed_s.append(info["seed"])
            continue
        raw(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        raw(f'CREATE SCHEMA "{schema}"')
        use_schema(schema)
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        migrated = time.perf_counter()
        call_command("seed_bench", scale="small", seed=n, verbosity=0)
        seeded = time.perf_counter()
        migrate_s.append(migrated - started)
        seed_s.append(seeded - migrated)
        info = {"migrate": migrated - started, "seed": seeded - migrated}
        raw("INSERT INTO public.mk_built VALUES (%s, %s)", [schema, json.dumps(info)])
        say(f"schema {schema}: migrate {info['migrate']:.1f} s, seed {info['seed']:.1f} s")
    # What every deploy repeats per schema: a migrate with nothing to apply.
    noop_s = []
    for n in range(1, count + 1):
        use_schema(f"k_{n:02d}")
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        noop_s.append(time.perf_counter() - started)
    say(f"no-op migrate over {count} schemas: {sum(noop_s):.1f} s")
    relations = raw("SELECT count(*) FROM pg_class")[0][0]
    return {
        "migrate_first_s": round(migrate_s[0], 2),
        "migrate_per_schema_s": summary(migrate_s[1:] or migrate_s),
        "migrate_total_s": round(sum(migrate_s), 1),
        "seed_per_schema_s": summary(seed_s),
        "noop_migrate_per_schema_s": summary(noop_s),
        "noop_migrate_total_s": round(sum(noop_s), 1),
        "pg_class_relations": relations,
        "tables_per_schema": raw("SELECT count(*) FROM pg_tables WHERE schemaname = 'k_01'")[0][0],
    }


def tenant_tables() -> dict[str, set[str]]:
    """Each tenant table and its columns holding an id of a tenant table (the pk, the FKs)."""
    tables: dict[str, set[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in TENANT_APPS:
            continue
        ids = {model._meta.pk.column}
        for field in model._meta.concrete_fields:
            related = field.related_model if field.is_relation else None
            if related is not None and related._meta.app_label in TENANT_APPS:
                ids.add(field.column)
        tables[model._meta.db_table] = ids
    return tables


def build_rows(count: int, variant: str) -> dict[str, Any]:
    """One table set holding `count` municipalities' rows, with a kommun_id column.

    Ids become id * 64 + municipality (foreign keys alike), rows are written in id order, so
    the municipalities interleave on disk as they would when they all write at once.
    `variant` "plain": today's indexes (unique ones as plain indexes) plus one on kommun_id;
    "composite": kommun_id first in every index but the primary key.
    """
    schema = f"r{count:02d}_{variant}"
    if schema in built_schemas():
        return raw("SELECT info FROM public.mk_built WHERE schema = %s", [schema])[0][0]
    started = time.perf_counter()
    raw(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    raw(f'CREATE SCHEMA "{schema}"')
    for table, ids in tenant_tables().items():
        columns = [
            row[0]
            for row in raw(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'k_01' AND table_name = %s ORDER BY ordinal_position",
                [table],
            )
        ]
        parts = []
        for n in range(1, count + 1):
            exprs = [_column(c, ids, table, n) for c in columns]
            parts.append(f'SELECT {n} AS kommun_id, {", ".join(exprs)} FROM k_{n:02d}."{table}"')
        raw(f'CREATE TABLE "{schema}"."{table}" AS {" UNION ALL ".join(parts)} ORDER BY id')
        for (definition,) in raw(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'k_01' AND tablename = %s",
            [table],
        ):
            raw(_index_for(definition, table, schema, variant))
        if variant == "plain":
            raw(f'CREATE INDEX ON "{schema}"."{table}" (kommun_id)')
        raw(f'VACUUM (ANALYZE) "{schema}"."{table}"')
    size = raw(
        "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
        [schema],
    )[0][0]
    size = int(size)
    info = {"build_s": round(time.perf_counter() - started, 1), "bytes": size}
    raw("INSERT INTO public.mk_built VALUES (%s, %s)", [schema, json.dumps(info)])
    say(f"rows {schema}: built in {info['build_s']} s, {size / 1e6:.1f} MB")
    return info


def _column(column: str, ids: set[str], table: str, n: int) -> str:
    """Municipality n's value of `column` in the shared table (see build_rows)."""
    if column in ids:
        return f'"{column}" * 64 + {n} AS "{column}"'
    if column == "skapad":
        # The schemas were seeded one after the other; in one installation the
        # municipalities write at the same time, so their rows interleave in time too.
        first = f'(SELECT min(skapad) FROM k_01."{table}")'
        return f'skapad - ((SELECT min(skapad) FROM k_{n:02d}."{table}") - {first}) AS skapad'
    return f'"{column}"'


def _index_for(definition: str, table: str, schema: str, variant: str) -> str:
    """An index of k_01's table, for the same table in `schema` (see build_rows)."""
    sql = definition.replace(f" ON k_01.{table} ", f' ON "{schema}"."{table}" ')
    name = sql.split(" INDEX ", 1)[1].split(" ", 1)[0]
    if name.endswith("_pkey"):
        return sql
    if variant == "plain":
        return sql.replace("CREATE UNIQUE INDEX", "CREATE INDEX")
    for method in ("btree", "gin"):
        sql = sql.replace(f"USING {method} (", f"USING {method} (kommun_id, ", 1)
    return sql


# Queries


def in_kommun[Q: QuerySet[Any]](qs: Q, kommun: int | None) -> Q:
    """The row design's filter: this table's rows of one municipality."""
    if kommun is None:
        return qs
    return qs.extra(where=[f'"{qs.model._meta.db_table}"."kommun_id" = %s'], params=[kommun])


class KommunSearch(Search):
    """The portal's search, each kind's rows narrowed to one municipality (row design)."""

    def __init__(self, q: str, viewer: Viewer, kommun: int | None) -> None:
        super().__init__(q, viewer, postgres=True)
        self.kommun = kommun

    def _kinds(self) -> list[tuple[str, QuerySet[Any], list[str], Any]]:
        return [
            (kind, in_kommun(qs, self.kommun), fields, vector)
            for kind, qs, fields, vector in super()._kinds()
        ]


def captured(run: Callable[[], Any]) -> list[str]:
    reset_queries()  # DEBUG's query log is capped; a full one captures nothing
    with CaptureQueriesContext(connection) as queries:
        run()
    return [q["sql"] for q in queries.captured_queries]


def query_texts(kommun: int | None) -> dict[str, str]:
    """The SQL the portal sends for each measured query, as a resident sees it."""
    viewer = Viewer.resident()
    texts = {}
    for word in SEARCH_WORDS:
        texts[f"search '{word}'"] = captured(
            lambda w=word: KommunSearch(w, viewer, kommun)._candidates()
        )[0]
    rows = in_kommun(inspel_rows(viewer), kommun)
    texts["input list, page 1"] = captured(lambda: list(rows.order_by("-skapad", "-pk")[:100]))[0]
    texts["input list, count"] = captured(lambda: rows.count())[0]
    return texts


def explain(sql: str, runs: int) -> dict[str, Any]:
    """EXPLAIN ANALYZE `runs` times: planning + execution ms, and the blocks it touched."""
    totals, blocks, rows = [], 0, 0
    with connection.cursor() as cursor:
        for _ in range(runs):
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
            totals.append(plan["Planning Time"] + plan["Execution Time"])
            top = plan["Plan"]
            blocks = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
            rows = top.get("Actual Rows", 0)
    return {**summary(totals), "blocks": blocks, "rows": rows}


def measure_queries(runs: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    # Schemas: the ORM's SQL as it is, in the first municipality's schema (every schema
    # holds one municipality, whatever their number).
    use_schema("k_01")
    for name, sql in query_texts(None).items():
        results.setdefault(name, {})["schema"] = explain(sql, runs)
    for count in ARGS.sizes:
        for variant in ("plain", "composite"):
            use_schema(f"r{count:02d}_{variant}")
            for name, sql in query_texts(1).items():
                results[name][f"rows {count} {variant}"] = explain(sql, runs)
        say(f"queries measured at {count} municipalities")
    return results


def measure_rotation(runs: int) -> dict[str, Any]:
    """The portal's prepared statements (generic plans) on one connection that serves the
    municipalities in turn, as a gunicorn worker's kept connection does."""
    results: dict[str, Any] = {}
    viewer = Viewer.resident()
    options = "-c plan_cache_mode=force_generic_plan"

    def timed(conn: psycopg.Connection[Any], sql: str, params: Any) -> float:
        started = time.perf_counter()
        conn.execute(sql, params, prepare=True).fetchall()
        return (time.perf_counter() - started) * 1000

    def memory(conn: psycopg.Connection[Any]) -> int:
        row = conn.execute("SELECT sum(used_bytes) FROM pg_backend_memory_contexts").fetchone()
        return int(row[0])

    use_schema("k_01")
    plain = inspel_rows(viewer).order_by("-skapad", "-pk")[:100]
    sql, params = plain.query.sql_with_params()
    for count in ARGS.sizes:
        row: dict[str, Any] = {}
        # Schemas: SET search_path before each request's query, a new municipality each time.
        with psycopg.connect(f"{ARGS.pg}/{ARGS.db}", autocommit=True, options=options) as c:
            set_ms, query_ms = [], []
            for i in range(runs * 3):
                started = time.perf_counter()
                c.execute(f"SET search_path TO k_{i % count + 1:02d}, public")
                set_ms.append((time.perf_counter() - started) * 1000)
                query_ms.append(timed(c, sql, params))
            row["schemas"] = {
                **summary(query_ms[runs:]),
                "set_search_path": summary(set_ms),
                "backend_bytes": memory(c),
            }
        # Rows: one search path, the municipality a parameter.
        use_schema(f"r{count:02d}_composite")
        rows_qs = in_kommun(inspel_rows(viewer), 1).order_by("-skapad", "-pk")[:100]
        rsql, rparams = rows_qs.query.sql_with_params()
        kommun_at = list(rparams).index(1)
        with psycopg.connect(f"{ARGS.pg}/{ARGS.db}", autocommit=True, options=options) as c:
            c.execute(f"SET search_path TO r{count:02d}_composite, public")
            query_ms = []
            for i in range(runs * 3):
                values = list(rparams)
                values[kommun_at] = i % count + 1
                query_ms.append(timed(c, rsql, values))
            row["rows"] = {**summary(query_ms[runs:]), "backend_bytes": memory(c)}
        results[str(count)] = row
        say(
            f"rotation over {count}: schemas p50 {row['schemas']['p50']} ms, "
            f"rows p50 {row['rows']['p50']} ms"
        )
    return results


# The page cache


@contextmanager
def kommun(n: int | None) -> Iterator[None]:
    token = KOMMUN.set(n)
    try:
        yield
    finally:
        KOMMUN.reset(token)


def measure_cache(count: int, pages: int) -> dict[str, Any]:
    """The real PublicCacheMiddleware for `count` municipalities on their own hosts."""
    use_schema("k_01")  # the middleware asks for the next scheduled publication once
    factory = RequestFactory()
    rendered: list[int] = []

    def view(request: HttpRequest) -> HttpResponse:
        """Stands in for the rest of the stack: a page naming its municipality."""
        n = int(request.get_host().split(".")[0][1:])
        rendered.append(n)
        response = HttpResponse(f"<p>kommun {n}: {request.path}</p>")
        response.public_cache_language = "sv"  # what @public_cache marks a page with
        return response

    cached = page_cache.PublicCacheMiddleware(view)

    def prefixed(request: HttpRequest) -> HttpResponse:
        """The prototype's first middleware: the host names the municipality."""
        with kommun(int(request.get_host().split(".")[0][1:])):
            return cached(request)

    def walk(serve: Callable[[HttpRequest], HttpResponse]) -> tuple[int, int, float]:
        """Every page of every municipality once: (rendered, wrong municipality, µs/request)."""
        rendered.clear()
        wrong = 0
        started = time.perf_counter()
        for n in range(1, count + 1):
            for p in range(pages):
                request = factory.get(f"/sida-{p}/", HTTP_HOST=f"k{n}{HOST_SUFFIX}")
                if f"kommun {n}:".encode() not in serve(request).content:
                    wrong += 1
        elapsed = (time.perf_counter() - started) / (count * pages) * 1e6
        return len(rendered), wrong, round(elapsed, 1)

    results = {}
    for design, serve in (("one generation (today)", cached), ("prefixed by kommun", prefixed)):
        STRICT["on"] = False
        page_cache.reset_for_empty_database()  # an empty cache, as each design starts
        STRICT["on"] = design != "one generation (today)"
        first = walk(serve)
        second = walk(serve)
        # All hits: the quickest of three walks, as the machine may be busy meanwhile.
        walks = [walk(serve) for _ in range(3)]
        hits = min(walks, key=lambda walked: walked[2])
        # A publication in municipality 1 (what Publicering's post_save does).
        with kommun(1 if STRICT["on"] else None):
            page_cache.invalidate(schedule_changed=False)
        after = walk(serve)
        refused = ""
        if STRICT["on"]:
            try:
                page_cache.invalidate(schedule_changed=False)  # a cron job, no municipality
            except RuntimeError as error:
                refused = str(error)
        results[design] = {
            "requests_per_walk": count * pages,
            "first_walk_rendered": first[0],
            "second_walk_rendered": second[0],
            "rendered_after_one_publication": after[0],
            "wrong_municipality": sum(w[1] for w in [first, second, *walks, after]),
            "hit_us": hits[2],
            "write_without_kommun": refused or "not refused",
        }
        say(
            f"cache, {design}: second walk rendered {second[0]}; "
            f"{after[0]} of {count * pages} pages rendered again after one "
            f"publication, {results[design]['wrong_municipality']} served to the wrong "
            f"municipality, {hits[2]} µs per hit"
        )
    STRICT["on"] = False
    return results


# Report


def print_tables(result: dict[str, Any]) -> None:
    m = result["migrate"]
    print("\n## Migrations, schema per municipality")
    print(f"migrate from zero: first {m['migrate_first_s']} s, then p50 ", end="")
    print(f"{m['migrate_per_schema_s']['p50']} s per schema, {m['migrate_total_s']} s in all")
    print(
        f"no-op migrate: p50 {m['noop_migrate_per_schema_s']['p50']} s per schema, "
        f"{m['noop_migrate_total_s']} s for {ARGS.sizes[-1]}; "
        f"{m['tables_per_schema']} tables per schema, {m['pg_class_relations']} relations"
    )
    print("\n## Queries: planning + execution, ms p50 / p99 (blocks touched)")
    for name, by_design in result["queries"].items():
        print(f"{name}:")
        for design, f in by_design.items():
            print(f"  {design:<22} {f['p50']:>8} / {f['p99']:<8} ({f['blocks']} blocks)")
    print("\n## One connection serving the municipalities in turn (prepared, generic plans)")
    for count, row in result["rotation"].items():
        s, r = row["schemas"], row["rows"]
        print(
            f"{count:>3}: schemas p50 {s['p50']} p99 {s['p99']} ms + SET search_path "
            f"p50 {s['set_search_path']['p50']} ms, backend {s['backend_bytes'] / 1e6:.1f} MB; "
            f"rows p50 {r['p50']} p99 {r['p99']} ms, backend {r['backend_bytes'] / 1e6:.1f} MB"
        )
    print("\n## Page cache")
    for design, c in result["cache"].items():
        print(f"{design}: {json.dumps(c, ensure_ascii=False)}")


def main() -> None:
    started = time.perf_counter()
    say(f"database {ARGS.db}; municipalities {ARGS.sizes}; {ARGS.runs} runs per query")
    prepare_database()
    result: dict[str, Any] = {"sizes": ARGS.sizes, "runs": ARGS.runs}
    try:
        result["migrate"] = build_schemas(ARGS.sizes[-1])
        result["rows"] = {
            f"{n} {variant}": build_rows(n, variant)
            for n in ARGS.sizes
            for variant in ("plain", "composite")
        }
        result["cache"] = measure_cache(ARGS.sizes[-1], ARGS.pages)
        result["queries"] = measure_queries(ARGS.runs)
        result["rotation"] = measure_rotation(ARGS.runs)
    finally:
        connection.close()
        if not ARGS.keep:
            admin(f'DROP DATABASE IF EXISTS "{ARGS.db}" WITH (FORCE)')
            say(f"dropped {ARGS.db}")
    print_tables(result)
    if ARGS.json:
        Path(ARGS.json).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    top = ARGS.sizes[-1]
    search = result["queries"][f"search '{SEARCH_WORDS[1]}'"]
    cache = result["cache"]
    print(
        f"SUMMARY: {top} municipalities; migrate {result['migrate']['migrate_total_s']} s "
        f"(no-op {result['migrate']['noop_migrate_total_s']} s); search '{SEARCH_WORDS[1]}' "
        f"p50 schema {search['schema']['p50']} ms, rows plain {search[f'rows {top} plain']['p50']}"
        f" ms, composite {search[f'rows {top} composite']['p50']} ms; pages rendered after one "
        f"publication {cache['one generation (today)']['rendered_after_one_publication']} vs "
        f"{cache['prefixed by kommun']['rendered_after_one_publication']}; wrong municipality "
        f"{sum(c['wrong_municipality'] for c in cache.values())}; "
        f"{time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
