"""Querysets whose SQL is compiled once per database connection and then run with new values.

A public page runs the same few querysets on every request, and Django builds each one's SQL
afresh each time: cloning querysets, resolving lookups and joins, compiling expressions. On
the overview that was about half of the worker's time, against a few tenths of a millisecond
for PostgreSQL to run the query. `@compiled` keeps the model rules where they are (the
querysets in models.py) and does that work once:

    @compiled
    def _public_areas(*, now: datetime) -> QuerySet[Omrade]:
        return Omrade.objects.public().for_overview(now)

    omraden = _public_areas(now=timezone.now())  # a list, as list(queryset) gives

The first call on a connection builds the queryset with the given values, compiles it, and
compiles it again with each value changed in turn, to learn which of the query's parameters
carry which value. Later calls put the new values into those places and run the stored SQL
through Django's own iteration (models, select_related, annotations, values(), converters),
so the rows are exactly what the queryset gives; the query is logged and counted as any other.

The rule that makes this safe: the SQL may depend on the arguments only through parameters.
Compiling refuses a function whose text changes with a value (None, a list of varying
length, a value that picks a branch) and one that depends on anything not passed in (a
`timezone.now()` inside gives a different parameter on the second compilation). Values are
ints, strings, dates and datetimes. Only reads on the default database.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

_ATTR = "_portal_compiled"
# Plans kept per function with `shape` arguments and per connection: a list's first pages
# are compiled, and a crawler walking thousands of pages neither fills memory nor keeps the
# other functions from being compiled (it gets the later pages built as usual).
MAX_SHAPES = 64


@dataclass(frozen=True)
class _Plan:
    queryset: QuerySet[Any]  # the first call's, never evaluated: its iteration settings
    compiler: Any  # its compiler after as_sql(): select, klass_info, annotation_col_map …
    sql: str
    params: tuple[Any, ...]
    # (position in params, argument name, how that argument becomes the parameter)
    slots: tuple[tuple[int, str, Callable[[Any], Any]], ...]


def _changed(value: Any) -> list[Any]:
    """Other values of the same type, to see where a value lands among the parameters.

    Two of them: one may happen to equal another value of the query, which changes the text
    where Django drops a repeated value (an IN list); the other then shows the places.
    """
    if isinstance(value, bool) or not isinstance(value, int | str | dt.date):
        raise TypeError(
            f"@compiled takes ints, strings, dates and datetimes, not {type(value).__name__}"
        )
    if isinstance(value, str):
        return [value + "~", "~" + value]
    if isinstance(value, dt.datetime):
        return [value + dt.timedelta(seconds=1), value - dt.timedelta(days=400)]
    if isinstance(value, dt.date):
        return [value + dt.timedelta(days=1), value - dt.timedelta(days=400)]
    return [value + 1, value + 1_000_003]


def _preparer(value: Any, seen: Any, other: Any, other_seen: Any) -> Callable[[Any], Any]:
    """How the backend turned `value` into the parameter `seen` (as the ORM's lookups do)."""
    ops = connections[DEFAULT_DB_ALIAS].ops
    for prepare in (
        lambda v: v,
        ops.adapt_datetimefield_value,
        ops.adapt_datefield_value,
        str,
    ):
        try:
            if prepare(value) == seen and prepare(other) == other_seen:
                return prepare
        except (TypeError, ValueError, AttributeError):
            continue
    raise ImproperlyConfigured(
        f"@compiled: cannot tell how {value!r} became the parameter {seen!r}"
    )


def _sql(build: Callable[..., QuerySet[Any]], values: dict[str, Any]) -> tuple[Any, ...]:
    queryset = build(**values)
    if not isinstance(queryset, QuerySet):
        raise TypeError(f"@compiled {build.__qualname__} must return a QuerySet")
    compiler = queryset.query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    return queryset, compiler, sql, tuple(params)


def _compile(
    build: Callable[..., QuerySet[Any]], values: dict[str, Any], every: dict[str, Any]
) -> _Plan:
    """Compile `build(**every)`; `values` are the arguments that are parameters."""
    name = build.__qualname__
    queryset, compiler, sql, params = _sql(build, every)
    if queryset.db != "default":
        raise ImproperlyConfigured(f"@compiled {name}: only the default database")
    if _sql(build, every)[2:] != (sql, params):
        raise ImproperlyConfigured(
            f"@compiled {name}: its SQL changes between two calls with the same values; "
            "pass every value it depends on (such as now) as an argument"
        )
    slots = []
    for arg, value in values.items():
        for other in _changed(value):
            _qs, _c, other_sql, other_params = _sql(build, {**every, arg: other})
            if other_sql == sql:
                break
        else:
            raise ImproperlyConfigured(
                f"@compiled {name}: the SQL text depends on {arg}, not only its parameters"
            )
        places = [i for i, (a, b) in enumerate(zip(params, other_params, strict=True)) if a != b]
        if not places:
            raise ImproperlyConfigured(f"@compiled {name}: {arg} is not used in the query")
        first = places[0]
        prepare = _preparer(value, params[first], other, other_params[first])
        slots += [(i, arg, prepare) for i in places]
    return _Plan(queryset, compiler, sql, params, tuple(slots))


def _run(plan: _Plan, values: dict[str, Any]) -> list[Any]:
    params = list(plan.params)
    for i, arg, prepare in plan.slots:
        params[i] = prepare(values[arg])
    # Django's iteration asks the query for a compiler and the compiler for its SQL: both
    # answer with what was stored. Shallow copies, never handed out: nothing changes them.
    compiler = _copy(plan.compiler)
    compiler.as_sql = lambda *args, **kwargs: (plan.sql, params)
    query = _copy(plan.queryset.query)
    query.get_compiler = lambda *args, **kwargs: compiler
    queryset = _copy(plan.queryset)
    # Not `queryset.query = …`: its setter would turn a values_list() into a values().
    queryset._query = query
    return list(queryset)


def _copy(obj: Any) -> Any:
    # Not copy.copy(): a QuerySet's __getstate__ would evaluate it.
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


def plans_of(conn: Any) -> dict[Any, _Plan]:
    """The plans compiled on one DatabaseWrapper (tests clear them with .clear())."""
    return conn.__dict__.setdefault(_ATTR, {})


def compiled(
    build: Callable[..., QuerySet[Any]] | None = None, *, shape: tuple[str, ...] = ()
) -> Any:
    """Run the queryset `build(**values)` returns, compiling its SQL once per connection.

    `shape` names arguments that change the SQL text rather than a parameter (a slice's
    offset is written into the text; a flag picks a branch): each value of them is compiled
    on its own, for the
    first MAX_SHAPES values per connection; beyond that the queryset is built and run as
    usual.
    """
    if build is None:
        return functools.partial(compiled, shape=shape)

    @functools.wraps(build)
    def run(**values: Any) -> list[Any]:
        # On the thread's own DatabaseWrapper (django.db.connection is a proxy shared by all
        # threads): a plan's compiler holds the connection it was compiled on.
        plans = plans_of(connections[DEFAULT_DB_ALIAS])
        key = (build, tuple(values), tuple(values[arg] for arg in shape))
        plan = plans.get(key)
        if plan is None:
            if shape and sum(k[0] is build for k in plans) >= MAX_SHAPES:
                return list(build(**values))
            plan = plans[key] = _compile(
                build, {k: v for k, v in values.items() if k not in shape}, values
            )
        return _run(plan, values)

    return run
