"""Plant hostile text into every free-text field and check that pages render it inert.

`plant(round_no)` writes a payload from xss_payloads.txt into every CharField and TextField
of every row of every model of the portal (found through `_meta`, so a new model or field is
covered without touching this file), rotating the payloads per round. `html_problems()`
then checks a response: no planted value appears unescaped, and nothing in the HTML can run
script (event-handler attributes, javascript: URLs, foreign or inline <script>, frames…).
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import DatabaseError, models, transaction
from django.http import HttpResponse

from granskning import audit
from granskning.models import Granskningslogg
from tests.conftest import make_publicering, make_uppfoljning

PAYLOADS = [
    line
    for line in (Path(__file__).with_name("xss_payloads.txt")).read_text().splitlines()
    if line and not line.startswith("# ")
]
APPS = ["omraden", "uppfoljning", "portal", "granskning"]
# Never free text: addresses, codes, identities that pages and URLs depend on.
SKIP_FIELDS = {"slug", "token", "password", "username", "kolada_kpi"}
SPECIAL = set("<>\"'")


def text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and not isinstance(f, models.SlugField | models.EmailField)
        and f.name not in SKIP_FIELDS
        and not f.primary_key
    ]


def planted_models() -> list[type[models.Model]]:
    user = get_user_model()
    return [user, *[m for label in APPS for m in apps.get_app_config(label).get_models()]]


def _value(payload: str, field: models.Field, pk: Any) -> str:
    if isinstance(field, models.URLField):
        # An address field gets a script address: it must never end up in an href.
        payload = "javascript:alert(1)//" + payload
    if field.unique:
        payload = f"{payload} #{pk}"
    if field.max_length:
        payload = payload[: field.max_length]
    return payload


def plant(round_no: int = 0) -> set[str]:
    """Overwrite every free-text field with payloads; returns the values written."""
    planted: set[str] = set()
    slot = round_no * 7
    for model in planted_models():
        fields = text_fields(model)
        if not fields:
            continue
        for pk in model._base_manager.values_list("pk", flat=True):
            values = {}
            for field in fields:
                values[field.attname] = _value(PAYLOADS[slot % len(PAYLOADS)], field, pk)
                slot += 1
            try:
                with transaction.atomic():
                    model._base_manager.filter(pk=pk).update(**values)
            except (PermissionError, DatabaseError):
                continue  # append-only rows (history, audit log): new rows are added below
            planted.update(values.values())
    planted |= _append_only_rows(round_no)
    return planted


def _append_only_rows(round_no: int) -> set[str]:
    """Publications and audit entries are never updated: add hostile ones instead."""
    from uppfoljning.models import Period

    a, b, c = (PAYLOADS[(round_no * 5 + i) % len(PAYLOADS)] for i in range(3))
    period = Period.objects.order_by("-ar", "-tertial").first()
    uppdrag_kwargs: dict[str, Any] = {"period": period} if period else {}
    uppfoljning = make_uppfoljning(
        status="gul", sammanfattning=a, orsak=b, atgarder=c, **uppdrag_kwargs
    )
    make_publicering(uppfoljning)
    audit(action=Granskningslogg.Handling.INLOGGNING_MISSLYCKAD, username=a[:150])
    return {a, b, c, a[:150]}


class _ActiveContent(HTMLParser):
    """Collects anything in the HTML that could run script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and any(
            k == "http-equiv" and (v or "").lower() == "refresh" for k, v in attrs
        ):
            self.problems.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in {"href", "src", "action", "formaction", "xlink:href", "data"}:
                v = "".join((value or "").split()).lower()
                if v.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.problems.append(f"<{tag} style=…> (CSP forbids inline style)")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            # Same-origin files only (ours under /static/, the admin's /admin/jsi18n/).
            if not src.startswith("/") or src.startswith("//"):
                self.problems.append(f"<script src={src!r}>")
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script {data.strip()[:40]!r}")


def html_problems(url: str, response: HttpResponse, planted: set[str]) -> list[str]:
    content_type = response.get("Content-Type", "")
    body = response.content.decode("utf-8", "replace")
    problems: list[str] = []
    if response.status_code >= 500:
        problems.append(f"{url}: status {response.status_code}")
    if not any(t in content_type for t in ("html", "xml")):
        # CSV, JSON and iCalendar are served with their own type and nosniff: never run.
        return problems
    # In XML text quotes are harmless; only markup characters matter there.
    special = SPECIAL if "html" in content_type else {"<"}
    for value in planted:
        if special & set(value) and value in body:
            problems.append(f"{url}: unescaped {value!r}")
    if "html" in content_type:
        parser = _ActiveContent()
        parser.feed(body)
        problems.extend(f"{url}: {p}" for p in parser.problems)
    return problems
