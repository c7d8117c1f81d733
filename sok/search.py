"""Search across areas, follow-ups, reports and resident input (`/sok/`).

On PostgreSQL: full-text search with the Swedish configuration (so "återbruka" finds
"återbruk"), ranked with ts_rank. The large tables carry a stored, generated tsvector column
with a GIN index (portal/migrations/0003_search_vectors.py), so a search reads the index and
ranks stored vectors instead of parsing every row's text.
On SQLite: a plain case-insensitive substring match, newest first.

Excerpts: about 300 characters of each hit's text from shortly before its first match, with
every match in them marked. On PostgreSQL the matches are the words PostgreSQL's Swedish
stemmer reduces to one of the query's words (for "återbruka", 'återbruk': "Återbruk" and
"återbruka" are marked, "återbrukscentralen" is not); on SQLite, the query as typed.

A common word matches tens of thousands of rows, and ranking or even counting all of them
costs a heap visit per row (about 100 ms at 100,000 inputs, far more under load). So on
PostgreSQL each kind contributes at most its newest `CAP` matches (PostgreSQL walks the primary
key backwards and stops after `CAP`, or reads the GIN index when the word is rare); only those
are ranked and paged, and the page says "more than N results" when any kind had more.

Visibility: anonymous visitors search only what is public (published versions of follow-ups,
public areas and reports, approved input with its moderated text); staff also search drafts
(the follow-ups' working copies), non-public areas and reports, and every input as received.

Queries per search, whatever the data size: one for the (kind, id, rank) of every candidate
over all kinds at once (a UNION; at most `CAP` + 1 of each kind on PostgreSQL), from which the
page is cut, and one for the page's hits with their excerpts (a UNION of the kinds present;
on SQLite one query per kind present).
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from omraden.models import Inspel, Omrade
from portal import roles
from portal.lib.choices import labels
from portal.lib.db import planned_for_values
from portal.lib.markup import autoescape
from portal.lib.urls import address_for
from uppfoljning.models import Period, Publicering, Rapport, Status, Uppfoljning

CONFIG = "swedish"
PER_PAGE = 20
MAX_QUERY = 200
# The newest matches of each kind that are ranked and paged (PostgreSQL only).
CAP = 100
# An excerpt: about EXCERPT_CHARS characters of a hit's text, starting at most EXCERPT_BEFORE
# characters before its first match, cut between words.
EXCERPT_CHARS = 300
EXCERPT_BEFORE = 120
# Private-use characters put around each match in the excerpt's text, so that the text can be
# escaped as a whole and then only they become <mark> tags.
_START, _STOP = "\ue000", "\ue001"

# The stored tsvector columns added by portal/migrations/0003_search_vectors.py (PostgreSQL
# only), as (table, column) -> the text fields they are computed from, in order.
SEARCH_COLUMNS: dict[tuple[str, str], list[str]] = {
    ("uppfoljning_publicering", "sok"): ["sammanfattning", "orsak", "atgarder"],
    ("uppfoljning_uppfoljning", "sok"): ["sammanfattning", "orsak", "atgarder"],
    ("uppfoljning_rapport", "sok"): ["titel", "sammanfattning"],
    ("omraden_inspel", "sok_publik"): ["publicerad_text", "svar"],
    ("omraden_inspel", "sok_intern"): ["text", "publicerad_text", "svar"],
}

KIND_LABELS = {
    "omrade": _("Area"),
    "uppfoljning": _("Follow-up"),
    "rapport": _("Report"),
    "inspel": _("Input"),
}


@dataclass
class Hit:
    kind: str
    label: str
    title: str
    url: str
    excerpt: SafeString
    meta: str = ""

    @property
    def html(self) -> SafeString:
        """The hit's list item, as templates/sok/sok.html shows it.

        Written out here because the template's variables, `if` and escaping for each of a
        page's twenty hits cost more than the rest of the page's rendering.
        """
        meta = (
            f"{autoescape(self.label)} · {autoescape(self.meta)}"
            if self.meta
            else autoescape(self.label)
        )
        return mark_safe(  # noqa: S308 – every value is escaped, the excerpt already is
            '\n        <li class="search-hit">\n'
            f'          <h3 class="search-hit-title"><a href="{autoescape(self.url)}">'
            f"{autoescape(self.title)}</a></h3>\n"
            f'          <p class="search-hit-meta">{meta}</p>\n'
            f'          <p class="search-hit-excerpt">{autoescape(self.excerpt)}</p>\n'
            "        </li>\n      "
        )


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _excerpt(text: str, pattern: re.Pattern[str] | None, *, whole_words: bool) -> SafeString:
    """About EXCERPT_CHARS characters of `text` from shortly before the first match of
    `pattern` (from the start when nothing matches), cut between words, every match in it
    inside <mark> and everything escaped. With `whole_words`, a match inside a longer word
    does not count."""
    if _START in text or _STOP in text:
        # Only our own markers become tags.
        text = text.replace(_START, "").replace(_STOP, "")
    matches = [
        match
        for match in (pattern.finditer(text) if pattern else ())
        if not whole_words or _whole_word(text, match.start(), match.end())
    ]
    first = matches[0] if matches else None
    start = 0
    if first and first.start() > EXCERPT_BEFORE:
        # From the first word that begins at most EXCERPT_BEFORE characters before the match.
        space = text.find(" ", first.start() - EXCERPT_BEFORE, first.start())
        start = space + 1 if space >= 0 else first.start()
    end = len(text)
    limit = max(start + EXCERPT_CHARS, first.end() if first else 0)
    if end > limit:
        space = text.rfind(" ", first.end() if first else start, limit)
        end = space if space > start else limit
    pieces: list[str] = []
    at = start
    for match in matches:
        if match.end() > end:
            break
        pieces += (text[at : match.start()], _START, match[0], _STOP)
        at = match.end()
    pieces.append(text[at:end])
    marked = html.escape("".join(pieces)).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(  # noqa: S308 – the text is escaped, the tags are our own
        f"{'… ' if start else ''}{marked}{' …' if end < len(text) else ''}"
    )


def _whole_word(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is not part of a longer word."""
    return not (start and _word_char(text[start - 1])) and not (
        end < len(text) and _word_char(text[end])
    )


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


@functools.lru_cache(maxsize=256)
def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Any of `words`, longest first. Plain alternatives: Python finds them several times
    faster than with look-arounds for word boundaries, which _excerpt() checks instead."""
    if not words:
        return None
    return re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)))


# The candidates of all four kinds as one SQL statement (PostgreSQL), one for residents and
# one for staff. Building the same UNION from four ORM querysets cost more CPU than
# PostgreSQL spent running it, so it is written out, with the query, the moment and the
# limit always passed as parameters. Each part takes at most %(limit)s of its newest matches
# (walking the primary key backwards, or reading the GIN index when the word is rare).
# Residents' visibility repeats Omrade.objects.public(), Publicering.objects.current() of
# public areas,
# Rapport.objects.public() and Inspel.objects.public(); tests/portal/test_sok.py holds both
# to it.
_TSQUERY = f"websearch_to_tsquery('{CONFIG}', %(q)s)"
_OMRADE_VECTOR = (
    f"to_tsvector('{CONFIG}', concat_ws(' ', o.kortnamn, o.fraga, o.beskrivning, o.paverkan_text))"
)
_ORDER = "ORDER BY rank DESC, kind, pk DESC"
# "No area, or a public one" (the `omrade` foreign key always names an existing area): the
# public areas' ids are read once per statement (an InitPlan) instead of a join in each part,
# which PostgreSQL plans in less time (0.50 -> 0.35 ms) and runs with less work.
_PUBLIC_AREAS = "ARRAY(SELECT id FROM omraden_omrade WHERE publik)"
_PUBLIC_AREA = f"({{t}}.omrade_id IS NULL OR {{t}}.omrade_id = ANY({_PUBLIC_AREAS}))"
# The follow-ups of the areas that are not public, read once per statement: usually none,
# so the check costs nothing per match, where a join read every follow-up.
_HIDDEN_FOLLOW_UPS = (
    "ARRAY(SELECT u.id FROM uppfoljning_uppfoljning u"
    " JOIN omraden_omrade o ON o.id = u.omrade_id WHERE NOT o.publik)"
)


def _text(table: str, fields: list[str]) -> str:
    """The fields of `table` joined by spaces, each '' when NULL, for the excerpt."""
    return " || ' ' || ".join(f"COALESCE({table}.{field}, '')" for field in fields)


# The words of a hit's text that match the search, for its excerpt to mark: the words that
# begin with one of the query's lexemes (a regular expression: Swedish stems are beginnings of
# their words) and that the Swedish configuration reduces to one of them, so for "återbruka"
# "återbruk" counts and "återbrukscentralen" does not. The lexemes are the query's words
# through to_tsvector(), so websearch's "or" counts as a word here: at worst an "or" in a hit
# is marked. ts_headline() did this by parsing every word of every hit's text: 1.47 against
# 0.92 ms for a top-scale page's hits, and a page of long texts (follow-ups, reports) far
# dearer than one of short input. `sok_q` is the query's lexemes and that expression,
# computed once per statement.
_QUERY_WORDS = rf"""WITH sok_q AS (
  SELECT l.lexemes,
         '\m((?:' || (SELECT string_agg(regexp_replace(x, '(\W)', '\\\1', 'g'), '|')
                        FROM unnest(l.lexemes) AS x) || ')\w*)' AS pattern
    FROM (SELECT tsvector_to_array(to_tsvector('{CONFIG}', %(q)s)) AS lexemes) AS l)"""
_WORDS = (
    "ARRAY(SELECT DISTINCT m[1] FROM sok_q, regexp_matches({text}, sok_q.pattern, 'gi') m"
    f" WHERE tsvector_to_array(to_tsvector('{CONFIG}', m[1])) && sok_q.lexemes)"
)


def _text_and_words(text: str) -> str:
    """The columns a hit's excerpt is made of: its text and the words in it to mark."""
    return f"{text}, {_WORDS.format(text=text)}"


# The hits on a page, every kind in one statement (PostgreSQL): each kind present adds a part
# reading its rows by id (`= ANY(...)`, one text for any page) with the text of its excerpt
# and the words in it to mark, in one shape: (kind, id, text, words, four texts, three
# numbers); _fetch_pg() reads each kind's columns back. An area's and a report's hit reads
# its own row; a follow-up's, the published version (residents) or the working copy (staff)
# with the period, area and assignment its title names; an input's, its area. Residents'
# input excerpts come from the moderated text only, staff's from the text as received too.
_HIT_PARTS = {
    "omrade": f"""
SELECT 'omrade'::text, o.id,
       {_text_and_words(_text("o", ["fraga", "beskrivning", "paverkan_text"]))},
       o.fraga::text, o.slug::text, NULL::text, NULL::text, NULL::int, NULL::int, NULL::bigint
  FROM omraden_omrade o
 WHERE o.id = ANY(%(omrade)s)""",
    "rapport": f"""
SELECT 'rapport'::text, r.id, {_text_and_words(_text("r", ["sammanfattning"]))},
       r.titel::text, r.slug::text, to_char(r.datum, 'YYYY-MM-DD'), NULL::text,
       NULL::int, NULL::int, NULL::bigint
  FROM uppfoljning_rapport r
 WHERE r.id = ANY(%(rapport)s)""",
    "uppfoljning": f"""
SELECT 'uppfoljning'::text, v.id,
       {_text_and_words(_text("v", ["sammanfattning", "orsak", "atgarder"]))},
       v.status::text, o.kortnamn::text, ud.namn::text, {{tillstand}},
       per.ar::int, per.tertial::int, {{u}}.omrade_id
  FROM {{versions}}
  JOIN uppfoljning_period per ON per.id = {{u}}.period_id
  LEFT JOIN omraden_omrade o ON o.id = {{u}}.omrade_id
  LEFT JOIN uppfoljning_uppdrag ud ON ud.id = {{u}}.uppdrag_id
 WHERE v.id = ANY(%(uppfoljning)s)""",
    "inspel": f"""
SELECT 'inspel'::text, i.id, {_text_and_words("{text}")},
       i.typ::text, i.status::text, o.slug::text, o.kortnamn::text, NULL::int, NULL::int,
       i.omrade_id
  FROM omraden_inspel i
  LEFT JOIN omraden_omrade o ON o.id = i.omrade_id
 WHERE i.id = ANY(%(inspel)s)""",
}
# `v` is what was found, `u` the follow-up: the same row for staff (the working copy).
_HIT_PARTS_PUBLIC = {
    **_HIT_PARTS,
    "uppfoljning": _HIT_PARTS["uppfoljning"].format(
        u="u",
        tillstand="NULL::text",
        versions="uppfoljning_publicering v"
        " JOIN uppfoljning_uppfoljning u ON u.id = v.uppfoljning_id",
    ),
    "inspel": _HIT_PARTS["inspel"].format(text=_text("i", ["publicerad_text", "svar"])),
}
_HIT_PARTS_STAFF = {
    **_HIT_PARTS,
    "uppfoljning": _HIT_PARTS["uppfoljning"].format(
        u="v", tillstand="v.tillstand::text", versions="uppfoljning_uppfoljning v"
    ),
    "inspel": _HIT_PARTS["inspel"].format(text=_text("i", ["text", "publicerad_text", "svar"])),
}
_KINDS = ("omrade", "uppfoljning", "rapport", "inspel")

_CANDIDATES_PUBLIC = f"""
(SELECT 'omrade' AS kind, o.id AS pk, ts_rank({_OMRADE_VECTOR}, {_TSQUERY}) AS rank
   FROM omraden_omrade o
  WHERE o.publik AND {_OMRADE_VECTOR} @@ {_TSQUERY}
  ORDER BY o.id DESC LIMIT %(limit)s)
UNION ALL
(SELECT 'uppfoljning', p.id, ts_rank(p.sok, {_TSQUERY})
   FROM uppfoljning_publicering p
   -- Each follow-up's version visible now (see current()): the matches come from the GIN
   -- index over the versions no later one supersedes, plus the few superseded only later.
  WHERE p.publicerad_at <= %(now)s AND (p.ersatt_at IS NULL OR p.ersatt_at > %(now)s)
    AND p.uppfoljning_id <> ALL({_HIDDEN_FOLLOW_UPS})
    AND p.sok @@ {_TSQUERY}
  ORDER BY p.id DESC LIMIT %(limit)s)
UNION ALL
(SELECT 'rapport', r.id, ts_rank(r.sok, {_TSQUERY})
   FROM uppfoljning_rapport r
  WHERE r.publik AND r.sok @@ {_TSQUERY}
  ORDER BY r.id DESC LIMIT %(limit)s)
UNION ALL
(SELECT 'inspel', i.id, ts_rank(i.sok_publik, {_TSQUERY})
   FROM omraden_inspel i
  WHERE i.status = %(approved)s AND {_PUBLIC_AREA.format(t="i")}
    AND i.sok_publik @@ {_TSQUERY}
  ORDER BY i.id DESC LIMIT %(limit)s)
{_ORDER}
"""

# Staff search everything: drafts (the follow-ups' working copies), non-public areas and
# reports, and every input as received.
_CANDIDATES_STAFF = f"""
(SELECT 'omrade' AS kind, o.id AS pk, ts_rank({_OMRADE_VECTOR}, {_TSQUERY}) AS rank
   FROM omraden_omrade o
  WHERE {_OMRADE_VECTOR} @@ {_TSQUERY}
  ORDER BY o.id DESC LIMIT %(limit)s)
UNION ALL
(SELECT 'uppfoljning', u.id, ts_rank(u.sok, {_TSQUERY})
   FROM uppfoljning_uppfoljning u
  WHERE u.sok @@ {_TSQUERY}
  ORDER BY u.id DESC LIMIT %(limit)s)
UNION ALL
(SELECT 'rapport', r.id, ts_rank(r.sok, {_TSQUERY})
   FROM uppfoljning_rapport r
  WHERE r.sok @@ {_TSQUERY}
  ORDER BY r.id DESC LIMIT %(limit)s)
UNION ALL
(SELECT 'inspel', i.id, ts_rank(i.sok_intern, {_TSQUERY})
   FROM omraden_inspel i
  WHERE i.sok_intern @@ {_TSQUERY}
  ORDER BY i.id DESC LIMIT %(limit)s)
{_ORDER}
"""


class Search:
    """One search for one user: builds the querysets, counts, pages and excerpts."""

    def __init__(self, q: str, user: Any, *, postgres: bool | None = None) -> None:
        self.q = q
        self.staff = roles.can_view_staff_pages(user)
        # `postgres=False` forces the plain fallback (its tests run on either database).
        self.pg = _postgres() if postgres is None else postgres
        # SQLite cannot slice the parts of a UNION; its fallback serves small development data.
        self.cap = CAP if self.pg else None
        self.capped = False

    # The SQLite fallback's matching rows per kind, each with a constant rank, so they can be
    # UNIONed (PostgreSQL runs the written-out queries above instead).

    def _matching(self, qs: QuerySet[Any], text_fields: list[str]) -> Any:
        match = Q()
        for field in text_fields:
            match |= Q(**{f"{field}__icontains": self.q})
        return qs.filter(match).annotate(rank=Value(1.0, output_field=FloatField()))

    def _omraden(self) -> QuerySet[Any]:
        qs = Omrade.objects.all() if self.staff else Omrade.objects.public()
        return self._matching(qs, ["kortnamn", "fraga", "beskrivning", "paverkan_text"])

    def _uppfoljningar(self) -> QuerySet[Any]:
        fields = ["sammanfattning", "orsak", "atgarder"]
        if self.staff:
            # Staff search the working copies: drafts included.
            return self._matching(Uppfoljning.objects.all(), fields)
        # Residents search the latest public version of each follow-up only (old revisions are
        # not hits of their own), as the rest of the site picks it.
        return self._matching(Publicering.objects.latest_public(), fields)

    def _rapporter(self) -> QuerySet[Any]:
        qs = Rapport.objects.all() if self.staff else Rapport.objects.public()
        return self._matching(qs, ["titel", "sammanfattning"])

    def _inspel(self) -> QuerySet[Any]:
        if self.staff:
            return self._matching(Inspel.objects.all(), ["text", "publicerad_text", "svar"])
        return self._matching(Inspel.objects.public(), ["publicerad_text", "svar"])

    def _parts(self) -> list[tuple[str, QuerySet[Any]]]:
        return [
            ("omrade", self._omraden()),
            ("uppfoljning", self._uppfoljningar()),
            ("rapport", self._rapporter()),
            ("inspel", self._inspel()),
        ]

    def _capped(self, qs: QuerySet[Any], limit: int) -> QuerySet[Any]:
        # Newest first, so PostgreSQL can walk the primary key backwards and stop early.
        return qs.order_by("-pk")[:limit] if self.cap else qs.order_by()

    def _candidates(self) -> list[tuple[str, int, float]]:
        """(kind, id, rank) best first, of all kinds in one UNION: up to CAP + 1 of each.

        One more than CAP tells that a kind had more matches than are ranked. The rows are
        small, so the page is cut out in Python: a count and a page of their own would each
        read the same matches again.
        """
        if self.pg:
            sql = _CANDIDATES_STAFF if self.staff else _CANDIDATES_PUBLIC
            params = {
                "q": self.q,
                "limit": (self.cap or 0) + 1,
                "now": timezone.now(),
                "approved": Inspel.Status.GODKAND.value,
            }
            # A rare word reads the GIN index, a common one walks the newest rows: the plan
            # must see the words, so this query is never run from a generic plan.
            with planned_for_values(), connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        # The SQLite fallback (small development data) keeps the ORM.
        limit = (self.cap or 0) + 1
        rows = [
            self._capped(qs.annotate(kind=Value(kind)).values_list("kind", "pk", "rank"), limit)
            for kind, qs in self._parts()
        ]
        first, *rest = rows
        # Best match first; ties newest id first so the order is stable between pages.
        return list(first.union(*rest, all=True).order_by("-rank", "kind", "-pk"))

    def page(self, number: str | int | None) -> Page[Any]:
        rows = self._candidates()
        if self.cap:
            # A kind with CAP + 1 rows loses its oldest one: each kind ranks its newest CAP.
            pks: dict[str, list[int]] = {}
            for kind, pk, _rank in rows:
                pks.setdefault(kind, []).append(pk)
            oldest = {kind: min(ids) for kind, ids in pks.items() if len(ids) > self.cap}
            self.capped = bool(oldest)
            if oldest:
                rows = [row for row in rows if oldest.get(row[0]) != row[1]]
        page = Paginator(rows, PER_PAGE).get_page(number)
        page.object_list = self._hits(list(page.object_list))
        return page

    # Excerpts and titles for the rows on the page. On PostgreSQL one written-out statement
    # for every kind present (_HIT_PARTS above): building the ORM's querysets cost more CPU
    # than PostgreSQL spent running them, and each
    # further statement cost ~0.15 ms more. The SQLite fallback reads the same columns per
    # kind through the ORM. Each kind's rows come in the shape its builder below reads.

    def _excerpt(self, value: Any) -> SafeString:
        """On PostgreSQL `value` is (text, the words in it to mark); on SQLite the text,
        marked where the query occurs as typed."""
        if self.pg:
            text, words = value
            return _excerpt(text.strip(), _words_pattern(tuple(words)), whole_words=True)
        return _excerpt(value.strip(), self._typed, whole_words=False)

    @functools.cached_property
    def _typed(self) -> re.Pattern[str]:
        """The query as typed, in any case (the SQLite fallback's match)."""
        return re.compile(re.escape(self.q), re.IGNORECASE)

    def _hits(self, rows: list[tuple[str, int, float]]) -> list[Hit]:
        ids: dict[str, list[int]] = {}
        for kind, pk, _rank in rows:
            ids.setdefault(kind, []).append(pk)
        fetched = self._fetch_pg(ids) if self.pg else self._fetch_orm(ids)
        found: dict[tuple[str, int], Hit] = {}
        for kind in _KINDS:
            if kind in fetched:
                found.update(getattr(self, f"_{kind}_hits")(fetched[kind]))
        return [found[kind, pk] for kind, pk, _rank in rows if (kind, pk) in found]

    def _fetch_pg(self, ids: dict[str, list[int]]) -> dict[str, list[Any]]:
        parts = _HIT_PARTS_STAFF if self.staff else _HIT_PARTS_PUBLIC
        kinds = [kind for kind in _KINDS if kind in ids]
        if not kinds:
            return {}
        sql = _QUERY_WORDS + "\nUNION ALL".join(parts[kind] for kind in kinds)
        with connection.cursor() as cursor:
            cursor.execute(sql, {"q": self.q, **ids})
            found = cursor.fetchall()
        out: dict[str, list[Any]] = {kind: [] for kind in kinds}
        # (kind, id, text, words, a, b, c, d, n1, n2, n3) -> each builder's own order, with
        # (text, words) where the builder takes its excerpt.
        for kind, pk, text, words, a, b, c, d, n1, n2, n3 in found:
            excerpt = (text, words)
            if kind == "omrade":
                out[kind].append((pk, a, b, excerpt))
            elif kind == "rapport":
                out[kind].append((pk, a, b, c, excerpt))
            elif kind == "uppfoljning":
                out[kind].append((pk, a, excerpt, n1, n2, n3, b, c, *([d] if self.staff else [])))
            else:
                out[kind].append((pk, a, b, n3, c, d, excerpt))
        return out

    def _fetch_orm(self, ids: dict[str, list[int]]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        if "omrade" in ids:
            out["omrade"] = list(
                Omrade.objects.filter(pk__in=ids["omrade"])
                .annotate(excerpt=_concat(["fraga", "beskrivning", "paverkan_text"]))
                .values_list("pk", "fraga", "slug", "excerpt")
            )
        if "rapport" in ids:
            out["rapport"] = list(
                Rapport.objects.filter(pk__in=ids["rapport"])
                .annotate(excerpt=_concat(["sammanfattning"]))
                .values_list("pk", "titel", "slug", "datum", "excerpt")
            )
        if "uppfoljning" in ids:
            model = Uppfoljning if self.staff else Publicering
            prefix = "" if self.staff else "uppfoljning__"
            columns = [
                "pk",
                "status",
                "excerpt",
                f"{prefix}period__ar",
                f"{prefix}period__tertial",
                f"{prefix}omrade_id",
                f"{prefix}omrade__kortnamn",
                f"{prefix}uppdrag__namn",
            ]
            if self.staff:
                # Staff also see the working copy's state.
                columns.append("tillstand")
            out["uppfoljning"] = list(
                model.objects.filter(pk__in=ids["uppfoljning"])
                .annotate(excerpt=_concat(["sammanfattning", "orsak", "atgarder"]))
                .values_list(*columns)
            )
        if "inspel" in ids:
            fields = (
                ["text", "publicerad_text", "svar"] if self.staff else ["publicerad_text", "svar"]
            )
            out["inspel"] = list(
                Inspel.objects.filter(pk__in=ids["inspel"])
                .annotate(excerpt=_concat(fields))
                .values_list(
                    "pk",
                    "typ",
                    "status",
                    "omrade_id",
                    "omrade__slug",
                    "omrade__kortnamn",
                    "excerpt",
                )
            )
        return out

    def _omrade_hits(self, rows: list[Any]) -> dict[tuple[str, int], Hit]:
        label = str(KIND_LABELS["omrade"])
        omrade_url = address_for("omraden:detail")
        return {
            ("omrade", pk): Hit("omrade", label, fraga, omrade_url(slug), self._excerpt(excerpt))
            for pk, fraga, slug, excerpt in rows
        }

    def _rapport_hits(self, rows: list[Any]) -> dict[tuple[str, int], Hit]:
        label = str(KIND_LABELS["rapport"])
        rapport_url = address_for("uppfoljning:rapport")
        return {
            ("rapport", pk): Hit(
                "rapport", label, titel, rapport_url(slug), self._excerpt(excerpt), meta=str(datum)
            )
            for pk, titel, slug, datum, excerpt in rows
        }

    def _inspel_hits(self, rows: list[Any]) -> dict[tuple[str, int], Hit]:
        label = str(KIND_LABELS["inspel"])
        kinds = labels(Inspel.Typ)
        statuses = labels(Inspel.Status)
        omrade_url = address_for("omraden:detail")
        # Input without an area belongs to the whole municipality (the front page).
        home = reverse("index")
        out: dict[tuple[str, int], Hit] = {}
        for pk, typ, status, omrade_id, slug, kortnamn, excerpt in rows:
            title = kinds.get(typ, typ)
            if omrade_id:
                title = f"{title} – {kortnamn}"
            out["inspel", pk] = Hit(
                "inspel",
                label,
                title,
                omrade_url(slug) if omrade_id else home,
                self._excerpt(excerpt),
                meta=statuses.get(status, status) if self.staff else "",
            )
        return out

    def _uppfoljning_hits(self, rows: list[Any]) -> dict[tuple[str, int], Hit]:
        label = str(KIND_LABELS["uppfoljning"])
        statuses = labels(Status)
        states = labels(Uppfoljning.Tillstand)
        period_url = address_for("uppfoljning:period")
        out: dict[tuple[str, int], Hit] = {}
        for pk, status, excerpt, ar, tertial, omrade_id, kortnamn, namn, *tillstand in rows:
            title = f"{kortnamn if omrade_id else namn} – {Period.kort_of(ar, tertial)}"
            url = period_url(Period.slug_of(ar, tertial))
            meta = statuses.get(status, status) if status else ""
            if tillstand:
                meta = f"{meta} ({states.get(tillstand[0], tillstand[0])})".strip()
            out["uppfoljning", pk] = Hit(
                "uppfoljning", label, title, url, self._excerpt(excerpt), meta=meta
            )
        return out


def _concat(fields: list[str]) -> Any:
    """The fields joined by spaces, each empty string when NULL (like SearchVector does)."""
    from django.db.models.functions import Concat

    parts: list[Any] = []
    for field in fields:
        if parts:
            parts.append(Value(" "))
        parts.append(Coalesce(F(field), Value(""), output_field=TextField()))
    return Concat(*parts, output_field=TextField()) if len(parts) > 1 else parts[0]
