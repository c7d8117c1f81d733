"""Export every row of the portal to one JSON file, and import it into an empty database.

The file holds every model of every installed app (auto-created many-to-many tables too),
rows ordered by primary key: history, resident input as received, sign-ups, the audit log,
users with their password hashes and groups. It is CONFIDENTIAL (personal data, hashes):
see docs/security.md. Sessions are left out: they are short-lived, and a restore logs
everyone out.

Import inserts with bulk_create (no save(), no signals), so append-only models (Historik,
Publicering, the audit log) are reproduced as they were, with the same primary keys, in one
transaction; sequences are then reset (PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

import django
from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from portal import page_cache as public_cache

FORMAT = "kommungemensamt-export"
VERSION = 1
BATCH = 500
# Never exported: sessions (short-lived, and restored ones would log people back in).
EXCLUDED = {"sessions.session"}
# Rows a migrated database starts with (contenttypes, permissions, the role groups). An
# import replaces them with the exported ones so that every primary key is the same.
SEEDED = {"contenttypes.contenttype", "auth.permission", "auth.group", "auth.group_permissions"}


class ImportRefused(Exception):
    pass


class _Encoder(DjangoJSONEncoder):
    """Like Django's, but keeps microseconds (Django's rounds times to milliseconds)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def exported_models() -> list[type[models.Model]]:
    """Every concrete model, parents before children (FK order), auto-created m2m included."""
    candidates = [
        m
        for m in apps.get_models(include_auto_created=True)
        if not m._meta.proxy and m._meta.managed and m._meta.label_lower not in EXCLUDED
    ]
    ordered: list[type[models.Model]] = []
    seen: set[type[models.Model]] = set()

    def visit(model: type[models.Model], stack: tuple[type[models.Model], ...] = ()) -> None:
        if model in seen or model in stack:
            return
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target is not None and target is not model and target in candidates:
                visit(target, (*stack, model))
        seen.add(model)
        ordered.append(model)

    for model in candidates:
        visit(model)
    return ordered


def _rows(model: type[models.Model]) -> Iterator[dict[str, Any]]:
    fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
    qs = model._base_manager.order_by("pk")
    for obj in serializers.serialize("python", qs.iterator(chunk_size=2000), fields=fields):
        yield {"pk": obj["pk"], "fields": obj["fields"]}


def export(out: IO[str], progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Write the export to `out`; returns the number of rows per model."""
    counts: dict[str, int] = {}
    out.write("{\n")
    header = {
        "format": FORMAT,
        "version": VERSION,
        "created": dt.datetime.now(dt.UTC).isoformat(),
        "django": django.get_version(),
        "database": connection.vendor,
    }
    for key, value in header.items():
        out.write(f"{json.dumps(key)}: {json.dumps(value)},\n")
    out.write('"models": [\n')
    for i, model in enumerate(exported_models()):
        label = model._meta.label_lower
        out.write(("," if i else "") + f'{{"model": {json.dumps(label)}, "rows": [\n')
        n = 0
        for row in _rows(model):
            out.write(("," if n else "") + json.dumps(row, cls=_Encoder, ensure_ascii=False))
            out.write("\n")
            n += 1
        out.write("]}\n")
        counts[label] = n
        if progress:
            progress(label, n)
    out.write("]\n}\n")
    return counts


@contextmanager
def _keeping_timestamps(model: type[models.Model]) -> Iterator[None]:
    """bulk_create would stamp auto_now(_add) fields with the time of the import."""
    stamped = [
        (f, f.auto_now, f.auto_now_add)
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for f, _now, _add in stamped:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in stamped:
            f.auto_now, f.auto_now_add = now, add


def non_empty_tables() -> dict[str, int]:
    """Models (other than the migration-seeded ones) that already hold rows."""
    found = {}
    for model in exported_models():
        label = model._meta.label_lower
        if label in SEEDED:
            continue
        n = model._base_manager.count()
        if n:
            found[label] = n
    return found


def load(data: dict[str, Any]) -> None:
    if data.get("format") != FORMAT:
        raise ImportRefused("This is not a Kommungemensamt export file.")
    if data.get("version") != VERSION:
        raise ImportRefused(f"Export format version {data.get('version')} is not supported.")


def import_(
    data: dict[str, Any], progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Insert every exported row into this (empty) database, in one transaction."""
    load(data)
    busy = non_empty_tables()
    if busy:
        listed = ", ".join(f"{k} ({v})" for k, v in sorted(busy.items()))
        raise ImportRefused(f"The database is not empty: {listed}. Import into a new one.")
    known = {m._meta.label_lower: m for m in exported_models()}
    counts: dict[str, int] = {}
    with transaction.atomic():
        # Replace the rows migrations created, child tables first.
        for label in [
            "auth.group_permissions",
            "auth.permission",
            "auth.group",
            "contenttypes.contenttype",
        ]:
            known[label]._base_manager.all()._raw_delete(using=connection.alias)
        for block in data["models"]:
            label = block["model"]
            if label not in known:
                raise ImportRefused(f"The file has rows of an unknown model: {label}.")
            model = known[label]
            rows = [{"model": label, "pk": r["pk"], "fields": r["fields"]} for r in block["rows"]]
            objects = [d.object for d in serializers.deserialize("python", rows)]
            with _keeping_timestamps(model):
                model._base_manager.bulk_create(objects, batch_size=BATCH)
            counts[label] = len(objects)
            if progress:
                progress(label, len(objects))
        sql = connection.ops.sequence_reset_sql(no_style(), list(known.values()))
        if sql:
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)
        # bulk_create sends no signals: pages cached from the empty database must go.
        public_cache.invalidate()
    return counts
