"""Hypothesis fuzzing of every URL: random POSTs never give a 5xx, and a rejected POST writes
nothing; random query strings and path arguments never give a 5xx and write nothing either.

The URLs come from the URLconf (the permission matrix's `url_names()`, with its KWARGS for
real rows), so no form can be missed: each URL is either a form in FORMS (fuzzed as anonymous,
as staff without the right and as a role that has it, with and without htmx), a page that only
shows something (every POST must answer 405), or in EXCLUDED with the reason why.

For a form the field names and their sensible values (choices, hidden values, button values
such as "publicera" or "approve") are read from the page that shows it, so a new field is
fuzzed without touching this file. Each example sends the form as the page would, or with one
field spoilt, or anything at all: fields left out, sent twice, unknown ones, unicode, control
characters and NUL, oversized text, numbers and dates where text is expected, a file where
text is expected, too many fields; as multipart, urlencoded, JSON or a broken multipart body.

Accepted means a redirect (POST/redirect/GET) or, for htmx, a 200 fragment without form
errors. Anything else is rejected and must leave every data table exactly as it was: the
number of rows and every row's content.

GET requests to every URL carry random query strings: the parameters the portal's code reads
(found in its source, so a new one is fuzzed without touching this file) and unknown ones,
with the values above, digits of other scripts, numbers too long to convert and raw bytes
that are not UTF-8. Each path argument (a slug, a number, a token) is spoilt the same way.
These run on PostgreSQL too (`make test-postgres` runs every test not marked `browser`),
which refuses NUL where SQLite stores it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import reprlib
import zlib
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_from_bytes, urlencode, urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.forms import BaseForm
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, note, seed, settings
from hypothesis import strategies as st

from backup.backup import exported_models
from tests.portal.test_permission_matrix import KWARGS, url_names
from tests.world import World, make_world

# Security logs are meant to record rejected attempts (failed logins, refused access) and
# sessions come and go: they are not data a rejected form may leave untouched.
NOT_DATA = {"sessions", "axes", "granskning"}


@dataclasses.dataclass(frozen=True)
class Form:
    page: str  # the URL name whose page shows the form (its fields are read from there)
    allowed: tuple[str, ...]  # roles that may post (tests/cast.py)
    refused: tuple[str, ...]  # roles that may not: whatever they send writes nothing
    examples: int = 30


# Every URL that takes a POST, with the roles from the permission matrix that may and may not.
FORMS: dict[str, Form] = {
    "login": Form("login", allowed=("anonymous",), refused=("medarbetare",), examples=20),
    # The matrix: status in place (htmx) and "write the follow-up".
    "arbetsyta:cell": Form(
        "arbetsyta:matris", allowed=("fadder_a", "klg"), refused=("anonymous", "medarbetare")
    ),
    "arbetsyta:ny": Form(
        "arbetsyta:matris", allowed=("klg",), refused=("anonymous", "medarbetare"), examples=10
    ),
    # The follow-up page: save draft, ready for sign-off, and the sign-off's steps (approve,
    # publish now or from a date, send back, withdraw), shown as the state allows. A
    # ledartröja may edit but not publish; KLG may publish.
    "arbetsyta:uppfoljning": Form(
        "arbetsyta:uppfoljning",
        allowed=("ledartroja_a", "klg"),
        refused=("anonymous", "medarbetare"),
        examples=40,
    ),
    "arbetsyta:validera": Form(
        "arbetsyta:uppfoljning", allowed=("fadder_a",), refused=("anonymous", "medarbetare")
    ),
    # Residents: sign-up, cancelling it, input. Staff may use the public forms too.
    "omraden:anmal": Form("omraden:aktivitet", allowed=("anonymous", "medarbetare"), refused=()),
    "omraden:anmalan": Form("omraden:anmalan", allowed=("anonymous",), refused=(), examples=10),
    "omraden:tyck_till": Form("omraden:tyck_till", allowed=("anonymous", "klg"), refused=()),
    # Following areas by e-mail: subscribe, confirm, change, one-click unsubscribe.
    "prenumeration:folj": Form("prenumeration:folj", allowed=("anonymous",), refused=()),
    "prenumeration:bekrafta": Form(
        "prenumeration:bekrafta", allowed=("anonymous",), refused=(), examples=10
    ),
    "prenumeration:andra": Form("prenumeration:andra", allowed=("anonymous",), refused=()),
    "prenumeration:avsluta": Form(
        "prenumeration:avsluta", allowed=("anonymous",), refused=(), examples=10
    ),
    # Staff: an activity's follow-up, moderation decisions, indicator values.
    "omraden:aktivitet_uppfoljning": Form(
        "omraden:aktivitet_uppfoljning",
        allowed=("ledartroja_a",),
        refused=("anonymous", "ledartroja_b"),
    ),
    "omraden:moderera": Form(
        "omraden:moderera",
        allowed=("moderator", "ledartroja_a"),
        refused=("anonymous", "ledartroja_b", "klg"),
        examples=40,
    ),
    "indikatorer:workspace_detail": Form(
        "indikatorer:workspace_detail",
        allowed=("klg", "admin"),
        refused=("anonymous", "medarbetare"),
    ),
}

# URLs not fuzzed, with why. The Django admin (namespace "admin") is not in url_names() at all:
# its forms are Django's own, behind is_staff and model permissions, and our admin
# customisations have their own tests. Static files are served by whitenoise, not the URLconf.
EXCLUDED = {
    # No fields; its only effect is ending the session, which every later example would need.
    "logout": "POST only, no fields, ends the session (tests/konto)",
    # 404 while SAML is not configured; their answers to bad SAML messages: tests/sso/saml.
    "saml2_acs": "the IdP's POST of its answer, 404 here (tests/sso/saml)",
    "saml2_ls": "the IdP's logout messages, 404 here (tests/sso/saml)",
}

# Roles that POST to the pages that only show something.
GET_ONLY_ROLES = ("anonymous", "admin")

TODAY = timezone.localdate()
VALUES = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.text(min_size=2001, max_size=2100),
    st.integers(min_value=-(2**63), max_value=2**64).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e309",
            "NaN",
            "true",
            "null",
            "[]",
            "{}",
            "9" * 40,
            "\x00",
            "a\x00b",
            "\ufeff",
            "\u202e",
            "ö" * 100_000,
            "2023-02-30",
            "0001-01-01",
            "9999-12-31",
            TODAY.isoformat(),
            (TODAY - dt.timedelta(days=1)).isoformat(),
            (TODAY + dt.timedelta(days=30)).isoformat(),
            "1,5",
            "12.345,67",
            "1 000",
        ]
    ),
)
HEADERS = st.sampled_from(
    [
        {},
        {"HX-Request": "true"},
        {"HX-Request": "true", "HX-History-Restore-Request": "true"},
        {"HX-Request": "true", "HX-Target": "inget-sadant-element", "HX-Trigger": "x"},
    ]
)
ENCODINGS = st.sampled_from(
    ["multipart", "multipart", "multipart", "urlencoded", "json", "multipart-file", "broken"]
)
# More fields than DATA_UPLOAD_MAX_NUMBER_FIELDS allows.
TOO_MANY = {f"f{i}": "x" for i in range(1200)}


# Reading a form from its page


class _FormParser(HTMLParser):
    """Every <form> with its action, hx-post and fields (name → the values the page offers)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {"action": a.get("action", ""), "hx_post": a.get("hx-post", ""), "fields": {}}
            )
            return
        if not self.forms:
            return
        fields: dict[str, list[str]] = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "option" and self._select is not None:
            fields[self._select].append(a.get("value", ""))
        if not name or name == "csrfmiddlewaretoken":
            return
        values = fields.setdefault(name, [])
        if tag == "textarea":
            self._textarea = name
            values.append("Ett vanligt svar.")
        elif tag == "select":
            self._select = name
        elif tag in ("input", "button"):
            # A checkbox without a value sends "on", as browsers do.
            default = "on" if a.get("type") == "checkbox" else ""
            values.append(a.get("value", default))
            values.extend(_typical(a.get("type", "text"), a.get("inputmode", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.forms[-1]["fields"][self._textarea].append(data)


def _typical(input_type: str, inputmode: str) -> list[str]:
    """Values a person would type into a field of this kind."""
    if input_type == "email":
        return ["ada@example.org"]
    if input_type == "date":
        return [TODAY.isoformat(), (TODAY + dt.timedelta(days=30)).isoformat()]
    if inputmode == "numeric" or input_type == "number":
        return [str(TODAY.year - k) for k in (1, 2, 3, 5, 10)]
    if inputmode == "decimal":
        return ["12,5", "40"]
    if input_type in ("text", "search", "password"):
        return ["Ett vanligt svar."]
    return []


def form_fields(html: str, page_url: str, target_url: str) -> dict[str, list[str]]:
    """The fields of the page's forms that post to target_url (by action or hx-post)."""
    parser = _FormParser()
    parser.feed(html)
    fields: dict[str, list[str]] = {}
    for form in parser.forms:
        addresses = {urlsplit(form["action"]).path or page_url, urlsplit(form["hx_post"]).path}
        if target_url in addresses:
            for name, values in form["fields"].items():
                known = fields.setdefault(name, [])
                known.extend(v for v in dict.fromkeys(values) if v not in known)
    return fields


# What a request may change


@functools.cache
def _data_queries() -> list[tuple[str, str]]:
    qn = connection.ops.quote_name
    return [
        (
            m._meta.label_lower,
            f"SELECT * FROM {qn(m._meta.db_table)} ORDER BY {qn(m._meta.pk.column)}",
        )
        for m in exported_models()
        if m._meta.app_label not in NOT_DATA
    ]


def data_snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every data table, in primary-key order (plain SQL: it runs twice a request)."""
    with connection.cursor() as cursor:
        snapshot = {}
        for label, sql in _data_queries():
            cursor.execute(sql)
            snapshot[label] = cursor.fetchall()
    return snapshot


def _forms_in(value: Any, depth: int = 0) -> list[BaseForm]:
    if isinstance(value, BaseForm):
        return [value]
    if depth >= 3:
        return []
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, list | tuple):
        items = list(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = [getattr(value, f.name) for f in dataclasses.fields(value)]
    else:
        return []
    return [form for item in items for form in _forms_in(item, depth + 1)]


def shows_form_errors(response: Any) -> bool:
    contexts = response.context or []
    if not isinstance(contexts, list):
        contexts = [contexts]
    for context in contexts:
        values = context.flatten() if hasattr(context, "flatten") else dict(context)
        if any(form.is_bound and form.errors for form in _forms_in(values)):
            return True
    return False


def accepted(response: Any, headers: dict[str, str]) -> bool:
    if 300 <= response.status_code < 400:
        return True
    return (
        response.status_code == 200
        and bool(headers.get("HX-Request"))
        and not shows_form_errors(response)
    )


# Building a request


@dataclasses.dataclass(frozen=True)
class Known:
    """The n-th value the page offers for a field, looked up when the request is sent.

    The page changes as examples are saved (the version number, a date), so the values are
    read just before each request; drawing an index instead of the value keeps hypothesis's
    data generation the same from run to run.
    """

    n: int


KNOWN = st.integers(0, 15).map(Known)


@st.composite
def post_data(draw: st.DrawFn, names: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    mode = draw(st.sampled_from(["as-page", "near", "wild", "wild"]))
    if mode != "wild" and names:
        # As the page would send it, with at most one field spoilt.
        for name in names:
            data[name] = draw(KNOWN)
        if mode == "near":
            spoilt = draw(st.sampled_from(names))
            data[spoilt] = draw(st.one_of(VALUES, st.lists(VALUES, min_size=2, max_size=3)))
            if draw(st.booleans()):
                del data[spoilt]
        return data
    for name in names:
        choice = draw(st.sampled_from(["known", "value", "missing", "twice"]))
        if choice == "known":
            data[name] = draw(KNOWN)
        elif choice == "value":
            data[name] = draw(VALUES)
        elif choice == "twice":
            data[name] = [draw(st.one_of(KNOWN, VALUES)), draw(VALUES)]
    extra = draw(st.dictionaries(st.text(min_size=1, max_size=10), VALUES, max_size=2))
    if draw(st.integers(0, 19)) == 0:
        extra |= TOO_MANY
    return {**extra, **data}


def fill_in(data: dict[str, Any], fields: dict[str, list[str]]) -> dict[str, Any]:
    """Replace each Known(n) with the page's value for that field now."""

    def value(name: str, v: Any) -> Any:
        if isinstance(v, list):
            return [value(name, x) for x in v]
        if isinstance(v, Known):
            offered = fields.get(name) or [""]
            return offered[v.n % len(offered)]
        return v

    return {name: value(name, v) for name, v in data.items()}


def send(
    client: Client, url: str, data: dict[str, Any], encoding: str, headers: dict[str, str]
) -> Any:
    if encoding == "multipart-file":
        # A file where the view expects text.
        name = min(data, default="fil")
        return client.post(
            url, {**data, name: SimpleUploadedFile("a.txt", b"\x00\xff")}, headers=headers
        )
    if encoding == "multipart":
        return client.post(url, data, headers=headers)
    if encoding == "urlencoded":
        body = urlencode(data, doseq=True)
        return client.post(
            url, body, content_type="application/x-www-form-urlencoded", headers=headers
        )
    if encoding == "json":
        return client.post(url, data, content_type="application/json", headers=headers)
    return client.post(
        url,
        b"--xyz\r\nContent-Disposition: form-data; name=\x00\r\n\r\n\xff\xfe",
        content_type="multipart/form-data; boundary=xyz",
        headers=headers,
    )


def fuzz(
    client: Client,
    url: str,
    names: list[str],
    fields: Callable[[], dict[str, list[str]]],
    *,
    role: str,
    examples: int,
    may_write: bool,
    expect: int | None = None,
) -> None:
    """POST `examples` random requests to the fields `names`; `fields()` reads the page now."""

    # Reproducible, and different for each URL and role.
    @seed(zlib.crc32(f"{url} {role}".encode()))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=post_data(names), encoding=ENCODINGS, headers=HEADERS)
    def run(data: dict[str, Any], encoding: str, headers: dict[str, str]) -> None:
        data = fill_in(data, fields())
        # What was sent, shortened, for the report of a failing example.
        note(reprlib.repr(data))
        before = data_snapshot()
        r = send(client, url, data, encoding, headers)
        assert r.status_code < 500, (url, r.status_code)
        if expect is not None:
            assert r.status_code == expect, (url, r.status_code)
        if not (may_write and accepted(r, headers)):
            assert data_snapshot() == before, (url, r.status_code, "wrote data")

    run()


# The tests


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def _client(world: World, role: str) -> Client:
    # One address per role, so that the rate limits of the public forms never mix roles.
    client = Client(REMOTE_ADDR=f"10.7.{sorted(world.cast.users).index(role)}.1")
    user = world.cast.users[role]
    if user is not None:
        client.force_login(user)
    return client


def _url(world: World, name: str) -> str:
    return reverse(name, kwargs=KWARGS[name](world) if name in KWARGS else None)


def _reader(
    client: Client, page: str, url: str, seen: dict[str, list[str]] | None = None
) -> Callable[[], dict[str, list[str]]]:
    """Reads the form's fields from the page as this client sees it now (over `seen`)."""
    return lambda: (seen or {}) | form_fields(client.get(page).content.decode(), page, url)


# Every URL name but the few listed, with their reasons, in EXCLUDED.
@pytest.mark.parametrize("name", [n for n in url_names() if n not in EXCLUDED])
@override_settings(INSPEL_RATE="1000000/m", ANMALAN_RATE="1000000/m", AXES_ENABLED=False)
def test_random_posts_never_fail_and_rejected_ones_write_nothing(name: str, world: World) -> None:
    url = _url(world, name)
    form = FORMS.get(name)
    if form is None:
        # A page that only shows something: every POST answers 405 and writes nothing.
        for role in GET_ONLY_ROLES:
            client = _client(world, role)
            fuzz(client, url, [], dict, role=role, examples=4, may_write=False, expect=405)
        return
    page = _url(world, form.page)
    # Every field any allowed role sees (a ledartröja posts "publicera" too, and is refused).
    seen: dict[str, list[str]] = {}
    for role in form.allowed:
        for field, values in _reader(_client(world, role), page, url)().items():
            seen.setdefault(field, []).extend(v for v in values if v not in seen[field])
    for role in form.allowed:
        # The page is read again before each example: it shows the current version number.
        client = _client(world, role)
        read = _reader(client, page, url, seen)
        fuzz(client, url, sorted(seen), read, role=role, examples=form.examples, may_write=True)
    for role in form.refused:
        fuzz(
            _client(world, role),
            url,
            sorted(seen),
            lambda: seen,
            role=role,
            examples=5,
            may_write=False,
        )


def test_the_forms_read_their_fields_from_the_page(world: World) -> None:
    """A form whose page shows no fields for it would be fuzzed with unknown fields only."""
    # A single button.
    no_fields = {
        "arbetsyta:ny",
        "omraden:anmalan",
        "prenumeration:bekrafta",
        "prenumeration:avsluta",
    }
    empty = [
        name
        for name, form in FORMS.items()
        if name not in no_fields
        and not _reader(
            _client(world, form.allowed[0]), _url(world, form.page), _url(world, name)
        )()
    ]
    assert empty == []


def test_the_tables_name_only_urls_that_exist() -> None:
    assert sorted((set(FORMS) | set(EXCLUDED)) - set(url_names())) == []


# GET: the query string and the path arguments of every URL

# Roles that send the GETs: what residents see, and the staff pages behind their checks.
GET_ROLES = ("anonymous", "admin")
# Text that trips what views do with a parameter: NUL (PostgreSQL refuses it in text), digits
# of other scripts (str.isdigit() but not int()), numbers longer than int() converts (4,300
# digits) or than a column holds, signs, spaces and forms int() and float() differ on. NUL comes
# first: hypothesis tries the simplest example, every known parameter with it, first of all.
TRICKY = st.sampled_from(
    [
        "a\x00b",
        "\x00",
        "²",
        "١٢",
        "𝟗",
        "½",
        "9" * 5000,
        "9" * 20,
        "-0",
        "+1",
        " 1",
        "0x10",
        "1e3",
        "1_000",
        "NaN",
        "2023-02-30",
        "ö" * 3000,
    ]
)
# Raw bytes, percent-encoded as they are: invalid UTF-8 (an encoded surrogate, a lone
# continuation byte), NUL and control characters.
RAW = st.one_of(
    st.binary(max_size=12),
    st.sampled_from([b"\xed\xa0\x80", b"\x80", b"\xff\xfe", b"\x00", b"a\x00b", b"%", b"%zz"]),
)
GET_VALUES = st.one_of(TRICKY, VALUES, RAW)
_ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def query_parameters() -> list[str]:
    """The query parameters the portal's own code reads (`GET.get("x")`, `GET["x"]`)."""
    names: set[str] = set()
    for app in apps.get_app_configs():
        folder = Path(app.path)
        if not folder.is_relative_to(_ROOT) or ".venv" in folder.parts:
            continue
        for source in folder.rglob("*.py"):
            names.update(
                re.findall(r"""GET(?:\.get\(|\[)\s*["']([^"']+)["']""", source.read_text())
            )
    return sorted(names)


def percent_encode(value: str | bytes) -> str:
    return quote_from_bytes(value, safe="") if isinstance(value, bytes) else quote(value, safe="")


@st.composite
def query_string(draw: st.DrawFn, names: list[str], sensible: list[str]) -> str:
    """Most of the parameters the code reads and perhaps unknown ones, each with a tricky, a
    sensible or a random value; a parameter sometimes twice."""
    value = st.one_of(TRICKY, st.sampled_from(sensible), VALUES, RAW)
    pairs = [(name, draw(value)) for name in names if draw(st.integers(0, 3)) != 3]
    other = st.one_of(st.sampled_from(names), st.text(max_size=8), RAW)
    pairs += draw(st.lists(st.tuples(other, value), max_size=2))
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in pairs)


def fuzz_get(
    client: Client,
    address: Callable[[str | bytes | None], str],
    *,
    role: str,
    examples: int,
    sensible: list[str],
) -> None:
    """GET `examples` random addresses: `address(value)` is the URL with one path argument
    spoilt by `value` (None keeps it), a random query string is added."""

    @seed(zlib.crc32(f"GET {address(None)} {role}".encode()))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        path_value=st.one_of(GET_VALUES, st.none()),
        query=query_string(query_parameters(), sensible),
        headers=HEADERS,
    )
    def run(path_value: str | bytes | None, query: str, headers: dict[str, str]) -> None:
        url = address(path_value) + (f"?{query}" if query else "")
        note(reprlib.repr(url))
        before = data_snapshot()
        r = client.get(url, headers=headers)
        assert r.status_code < 500, (url, r.status_code)
        assert data_snapshot() == before, (url, r.status_code, "a GET wrote data")

    run()


def _addresses(world: World, name: str) -> Callable[[str | bytes | None], str]:
    """The URL of `name`, with one of its path arguments (chosen by the value) replaced."""
    kwargs = KWARGS[name](world) if name in KWARGS else {}
    plain = reverse(name, kwargs=kwargs or None)

    def address(value: str | bytes | None) -> str:
        if value is None or not kwargs:
            return plain
        # A marker every converter accepts stands for the spoilt argument in the reversed URL.
        spoilt = sorted(kwargs)[zlib.crc32(percent_encode(value).encode()) % len(kwargs)]
        marker = "7355608"
        return reverse(name, kwargs={**kwargs, spoilt: marker}).replace(
            marker, percent_encode(value)
        )

    return address


@pytest.mark.parametrize("name", url_names())
@override_settings(AXES_ENABLED=False)
def test_random_query_strings_and_path_arguments_never_fail(name: str, world: World) -> None:
    # Values the pages themselves put in their addresses: years, page numbers, slugs.
    sensible = ["", "1", "2", str(TODAY.year), str(world.cast.period.ar), world.cast.omrade_a.slug]
    for role in GET_ROLES:
        fuzz_get(
            _client(world, role), _addresses(world, name), role=role, examples=12, sensible=sensible
        )


def test_the_query_parameters_are_found_in_the_source() -> None:
    # The search box, the pagers, the year selector, the open-data pages, the input form's area.
    assert {"q", "sida", "ar", "page", "omrade"} <= set(query_parameters())
