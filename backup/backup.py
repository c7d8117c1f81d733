"""Export every row of the portal to one JSON file, and import it into an empty database.

The file holds every model of every installed app (auto-created many-to-many tables too),
rows ordered by primary key: history, resident input as received, sign-ups, the audit log,
users with their password hashes and groups. It is CONFIDENTIAL (personal data, hashes):
see docs/security.md. Sessions are left out: they are short-lived, and a restore logs
everyone out.

Import first reads the whole file (plain or gzip-compressed) and checks it: its shape, each
value's type, required values, single-column uniqueness and that every reference names a row
of the file. A fault stops it with one line naming the model, the row number and the field,
never a value of the file. It then inserts with bulk_create (no save(), no signals), so
append-only models (Historik, Publicering, the audit log) are reproduced as they were, with
the same primary keys, in one transaction; sequences are then reset (PostgreSQL). What only
the database checks (constraints over several columns) rolls the whole import back.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import django
from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction

from kommun.models import forget_current
from portal import page_cache as public_cache
from portal.lib.jsonfile import UnreadableFile, read_json

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


def read(path: Path) -> dict[str, Any]:
    """The export file at `path` (plain or gzip-compressed JSON), its header checked."""
    try:
        data = read_json(path)
    except UnreadableFile as e:
        raise ImportRefused(str(e)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused("This is not a Kommungemensamt export file.")
    version = data.get("version")
    if version != VERSION:
        shown = version if isinstance(version, int) and not isinstance(version, bool) else "?"
        raise ImportRefused(f"Export format version {shown} is not supported.")
    return data


Blocks = list[tuple[type[models.Model], list[models.Model]]]


def _value(field: models.Field[Any, Any], value: Any, where: str) -> Any:
    """The file's value as the field holds it; the message names the field, never the value."""
    if value is None:
        if not field.null:
            raise ImportRefused(f"{where}: {field.name} is empty, but the column requires a value.")
        return None
    wrong = f"{where}: {field.name} has a value of the wrong type."
    if isinstance(value, list | dict) and not isinstance(field, models.JSONField):
        raise ImportRefused(wrong)
    try:
        return (field.target_field if field.is_relation else field).to_python(value)
    except (ValidationError, TypeError, ValueError):
        raise ImportRefused(wrong) from None


def checked_blocks(data: dict[str, Any]) -> Blocks:
    """Every row of the file as an unsaved object, after checking the file's shape, each
    value's type, single-column uniqueness and that every reference names a row of the file.

    Only row numbers, models and field names appear in the messages, never a value.
    """
    known = {m._meta.label_lower: m for m in exported_models()}
    blocks = data.get("models")
    if not isinstance(blocks, list):
        raise ImportRefused("The file has no list of models.")
    result: Blocks = []
    # (model label, field name) -> the values the file holds, for references and uniqueness.
    held: dict[tuple[str, str], set[Any]] = {}
    references: list[tuple[models.Field[Any, Any], Any, str]] = []
    for i, block in enumerate(blocks, start=1):
        if not (
            isinstance(block, dict)
            and isinstance(block.get("model"), str)
            and isinstance(block.get("rows"), list)
        ):
            raise ImportRefused(f"Model block {i}: expected an object with 'model' and 'rows'.")
        label = block["model"]
        model = known.get(label)
        if model is None:
            shown = label if re.fullmatch(r"\w{1,50}\.\w{1,50}", label, re.ASCII) else "?"
            raise ImportRefused(f"The file has rows of an unknown model: {shown}.")
        if any(m is model for m, _ in result):
            raise ImportRefused(f"The file has two blocks of {label}.")
        pk = model._meta.pk
        fields = {f.name: f for f in model._meta.concrete_fields if not f.primary_key}
        unique = [name for name, f in fields.items() if f.unique and not f.is_relation]
        for name in [pk.name, *unique]:
            held[label, name] = set()
        objects = []
        for n, row in enumerate(block["rows"], start=1):
            where = f"{label}, row {n}"
            if not (isinstance(row, dict) and "pk" in row and isinstance(row.get("fields"), dict)):
                raise ImportRefused(f"{where}: expected an object with 'pk' and 'fields'.")
            values = {pk.attname: _value(pk, row["pk"], where)}
            for name, value in row["fields"].items():
                field = fields.get(name)
                if field is None:
                    shown = name if re.fullmatch(r"\w{1,50}", name) else "?"
                    raise ImportRefused(f"{where}: unknown field {shown}.")
                values[field.attname] = converted = _value(field, value, where)
                if field.is_relation and converted is not None:
                    references.append((field, converted, where))
            for name in [pk.name, *unique]:
                value = values.get(fields[name].attname if name in fields else pk.attname)
                if value is None:
                    continue
                if value in held[label, name]:
                    raise ImportRefused(f"{where}: {name} repeats the value of an earlier row.")
                held[label, name].add(value)
            objects.append(model(**values))
        result.append((model, objects))
    for field, value, where in references:
        target = field.related_model._meta.label_lower
        if value not in held.get((target, field.target_field.name), ()):
            raise ImportRefused(
                f"{where}: {field.name} refers to a row of {target} that is not in the file."
            )
    return result


def import_(blocks: Blocks, *, dry_run: bool = False) -> dict[str, int]:
    """Insert every checked row into this (empty) database, in one transaction.

    A dry run inserts too, so that the database's own rules are checked, and rolls back.
    """
    busy = non_empty_tables()
    if busy:
        listed = ", ".join(f"{k} ({v})" for k, v in sorted(busy.items()))
        raise ImportRefused(f"The database is not empty: {listed}. Import into a new one.")
    counts: dict[str, int] = {}
    label = ""
    try:
        with transaction.atomic():
            # Replace the rows migrations created, child tables first.
            for seeded in [
                "auth.group_permissions",
                "auth.permission",
                "auth.group",
                "contenttypes.contenttype",
            ]:
                apps.get_model(seeded)._base_manager.all()._raw_delete(using=connection.alias)
            for model, objects in blocks:
                label = model._meta.label_lower
                with _keeping_timestamps(model):
                    model._base_manager.bulk_create(objects, batch_size=BATCH)
                counts[label] = len(objects)
            label = ""
            if dry_run:
                transaction.set_rollback(True)
                return counts
            sql = connection.ops.sequence_reset_sql(no_style(), exported_models())
            if sql:
                with connection.cursor() as cursor:
                    for statement in sql:
                        cursor.execute(statement)
            # bulk_create sends no signals: pages cached from the empty database must go, and
            # so must the municipality record cached from it (the placeholder).
            public_cache.invalidate()
            forget_current()
    except DatabaseError:
        # The database's own message can quote a row (PostgreSQL's DETAIL): not shown.
        rows = f"the rows of {label}" if label else "the file's rows"
        raise ImportRefused(
            f"The database refused {rows}: a repeated, missing or too long value, or a broken rule."
        ) from None
    return counts
