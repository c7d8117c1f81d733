"""Search across areas, follow-ups, reports and resident input (`/sok/`).

What a search may find is what the viewer may see, read through the models' own QuerySets:
`Omrade`, `Rapport` and `Inspel.objects.visible_to(viewer)`, and for follow-ups the versions
`Publicering.objects.current(viewer)` (residents) or the working copies
`Uppfoljning.objects.visible_to(viewer)` (staff, drafts included). Residents' input is
searched in its moderated text and answer, staff's as received too.

On PostgreSQL: full-text search with the Swedish configuration (so "återbruka" finds
"återbruk"), ranked with ts_rank. The large tables carry a stored, generated tsvector column
with a GIN index (portal/migrations/0003_search_vectors.py), so a search reads the index and
ranks stored vectors instead of parsing every row's text; areas (a handful of rows) are
parsed on the fly.
On SQLite: the same QuerySets with a plain case-insensitive substring match, newest first.

Excerpts: about 300 characters of each hit's text from shortly before its first match, with
every match in them marked. On PostgreSQL the matches are the words ts_headline() finds for
the query (the words the Swedish stemmer reduces to one of the query's words: for
"återbruka" "Återbruk" and "återbruka", not "återbrukscentralen"); on SQLite, the query as
typed. The excerpt is cut here as pieces of text; templates/sok/sok.html marks them up.

A common word matches tens of thousands of rows, and ranking or even counting all of them
costs a heap visit per row (about 100 ms at 100,000 inputs, far more under load). So on
PostgreSQL each kind contributes at most its newest `CAP` matches (PostgreSQL walks the primary
key backwards and stops after `CAP`, or reads the GIN index when the word is rare); only those
are ranked and paged, and the page says "more than N results" when any kind had more.

Queries per search, whatever the data size: one for the (kind, id, rank) of every candidate
over all kinds at once (a UNION; at most `CAP` + 1 of each kind on PostgreSQL), from which the
page is cut, and one for the page's hits with their excerpts (a UNION of the kinds present).
"""

from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    CharField,
    DateField,
    Expression,
    F,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.expressions import Col
from django.db.models.functions import Cast, Coalesce, Concat, Replace
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from omraden.models import Inspel, Omrade
from portal.lib.db import planned_for_values
from portal.viewer import Viewer
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
# Private-use characters that ts_headline() puts around each match, removed from the texts
# beforehand so that only its own ones count.
_START, _STOP = "\ue000", "\ue001"

KIND_LABELS = {
    "omrade": _("Area"),
    "uppfoljning": _("Follow-up"),
    "rapport": _("Report"),
    "inspel": _("Input"),
}

# The fields each kind is searched in, and the fields its excerpt is made of.
_OMRADE_FIELDS = ["kortnamn", "fraga", "beskrivning", "paverkan_text"]
_OMRADE_EXCERPT = ["fraga", "beskrivning", "paverkan_text"]
_RAPPORT_FIELDS = ["titel", "sammanfattning"]
_RAPPORT_EXCERPT = ["sammanfattning"]
_UPPFOLJNING_FIELDS = ["sammanfattning", "orsak", "atgarder"]
_INSPEL_PUBLIC_FIELDS = ["publicerad_text", "svar"]
_INSPEL_STAFF_FIELDS = ["text", "publicerad_text", "svar"]


class StoredVector(Expression):
    """One of the tsvector columns PostgreSQL generates for search on the queried model's
    table (portal/migrations/0003_search_vectors.py: from the same fields as above). They are
    not model fields, so each is named here: a column of the query's own table."""

    output_field = SearchVectorField()

    def __init__(self, column: str) -> None:
        super().__init__()
        self.column = column

    def resolve_expression(self, query: Any = None, *args: Any, **kwargs: Any) -> Col:
        target = SearchVectorField()
        target.set_attributes_from_name(self.column)
        return Col(query.get_initial_alias(), target)


@dataclass
class Excerpt:
    """A window of a hit's text as (text, is a match) pieces, for the template to mark up;
    `cut_start` and `cut_end` say that text was left out before or after it."""

    pieces: list[tuple[str, bool]]
    cut_start: bool = False
    cut_end: bool = False


@dataclass
class Hit:
    kind: str
    label: str
    title: str
    url: str
    excerpt: Excerpt
    meta: str = ""


class _Row(NamedTuple):
    """A hit as the hits query reads it: every kind in one shape, None where a kind has no
    such column. `title` is an area's question, a report's title, the name of a follow-up's
    area or assignment, an input's area's name; `slug` an input's area's."""

    kind: str
    pk: int
    text: str
    title: Any
    slug: Any
    datum: Any
    status: Any
    tillstand: Any
    typ: Any
    ar: Any
    tertial: Any


# A column a kind has not: typed, so that PostgreSQL can match it with the other kinds'.
_NULLS = {
    name: Cast(Value(None), output_field=output_field)
    for name, output_field in [
        ("title", TextField()),
        ("slug", TextField()),
        ("datum", DateField()),
        ("status", TextField()),
        ("tillstand", TextField()),
        ("typ", TextField()),
        ("ar", IntegerField()),
        ("tertial", IntegerField()),
    ]
}


def _excerpt(text: str, matches: list[tuple[int, int]]) -> Excerpt:
    """About EXCERPT_CHARS characters of `text` from shortly before the first of `matches`
    ((start, end) in order; from the start when there is none), cut between words."""
    first = matches[0] if matches else None
    start = 0
    if first and first[0] > EXCERPT_BEFORE:
        # From the first word that begins at most EXCERPT_BEFORE characters before the match.
        space = text.find(" ", first[0] - EXCERPT_BEFORE, first[0])
        start = space + 1 if space >= 0 else first[0]
    end = len(text)
    limit = max(start + EXCERPT_CHARS, first[1] if first else 0)
    if end > limit:
        space = text.rfind(" ", first[1] if first else start, limit)
        end = space if space > start else limit
    pieces: list[tuple[str, bool]] = []
    at = start
    for match_start, match_end in matches:
        if match_end > end:
            break
        pieces += [(text[at:match_start], False), (text[match_start:match_end], True)]
        at = match_end
    pieces.append((text[at:end], False))
    return Excerpt(
        [piece for piece in pieces if piece[0]], cut_start=start > 0, cut_end=end < len(text)
    )


def _headline_matches(headline: str) -> tuple[str, list[tuple[int, int]]]:
    """The text of a ts_headline() result without its markers, and where they were.

    ts_headline() marks the parts of a hyphenated word one by one ("e" and "tjänster"); a
    word all of whose parts match is one match ("e-tjänster")."""
    text: list[str] = []
    matches: list[tuple[int, int]] = []
    at = 0
    for i, piece in enumerate(re.split(f"[{_START}{_STOP}]", headline)):
        if i % 2 and piece:
            if matches and matches[-1][1] == at - 1 and text[-1] == "-":
                matches[-1] = (matches[-1][0], at + len(piece))
            else:
                matches.append((at, at + len(piece)))
        text.append(piece)
        at += len(piece)
    return "".join(text), matches


def _text(fields: list[str]) -> Any:
    """The fields joined by spaces, each empty when NULL (as SearchVector joins them), without
    the characters that mark matches."""
    if len(fields) > 1:
        # Concat() reads a NULL as empty.
        spaced = [part for name in fields for part in (Value(" "), F(name))][1:]
        text = Concat(*spaced, output_field=TextField())
    else:
        text = Coalesce(fields[0], Value(""), output_field=TextField())
    for marker in (_START, _STOP):
        text = Replace(text, Value(marker), output_field=TextField())
    return text


class Search:
    """One search for one viewer: the candidates of every kind, the page, its hits."""

    def __init__(self, q: str, viewer: Viewer, *, postgres: bool | None = None) -> None:
        self.q = q
        self.viewer = viewer
        # `postgres=False` forces the plain fallback (its tests run on either database).
        self.pg = connection.vendor == "postgresql" if postgres is None else postgres
        # SQLite cannot slice the parts of a UNION; its fallback serves small development data.
        self.cap = CAP if self.pg else None
        self.capped = False
        self.query = SearchQuery(q, config=CONFIG, search_type="websearch")

    # What each kind searches: the viewer's rows of it, and the fields matched. Staff search
    # the follow-ups' working copies; residents each follow-up's version in force.

    def _uppfoljningar(self) -> QuerySet[Any]:
        if self.viewer.staff:
            return Uppfoljning.objects.visible_to(self.viewer)
        return Publicering.objects.current(self.viewer)

    def _inspel_fields(self) -> list[str]:
        return _INSPEL_STAFF_FIELDS if self.viewer.staff else _INSPEL_PUBLIC_FIELDS

    def _kinds(self) -> list[tuple[str, QuerySet[Any], list[str], Any]]:
        """(kind, the viewer's rows, fields searched, their vector on PostgreSQL)."""
        inspel_vector = "sok_intern" if self.viewer.staff else "sok_publik"
        return [
            (
                "omrade",
                Omrade.objects.visible_to(self.viewer),
                _OMRADE_FIELDS,
                SearchVector(*_OMRADE_FIELDS, config=CONFIG),
            ),
            ("uppfoljning", self._uppfoljningar(), _UPPFOLJNING_FIELDS, StoredVector("sok")),
            (
                "rapport",
                Rapport.objects.visible_to(self.viewer),
                _RAPPORT_FIELDS,
                StoredVector("sok"),
            ),
            (
                "inspel",
                Inspel.objects.visible_to(self.viewer),
                self._inspel_fields(),
                StoredVector(inspel_vector),
            ),
        ]

    def _matching(
        self, kind: str, qs: QuerySet[Any], fields: list[str], vector: Any
    ) -> QuerySet[Any]:
        """(kind, id, rank) of the rows of `qs` that match: on PostgreSQL the full-text match
        of `vector`, the newest CAP + 1; on SQLite any field containing the query (rank 1)."""
        if self.pg:
            qs = (
                qs.alias(vector=vector)
                .filter(vector=self.query)
                .annotate(kind=Value(kind), rank=SearchRank(F("vector"), self.query))
            )
        else:
            match = functools.reduce(
                operator.or_, (Q(**{f"{name}__icontains": self.q}) for name in fields)
            )
            qs = qs.filter(match).annotate(kind=Value(kind), rank=Value(1.0))
        rows = qs.values_list("kind", "pk", "rank")
        if self.cap:
            # Newest first, so PostgreSQL can walk the primary key backwards and stop.
            return rows.order_by("-pk")[: self.cap + 1]
        return rows.order_by()

    def _candidates(self) -> list[tuple[str, int, float]]:
        """(kind, id, rank) best first, of all kinds in one UNION: up to CAP + 1 of each.

        One more than CAP tells that a kind had more matches than are ranked. The rows are
        small, so the page is cut out in Python: a count and a page of their own would each
        read the same matches again.
        """
        first, *rest = [self._matching(*kind) for kind in self._kinds()]
        # Best match first; ties newest id first so the order is stable between pages.
        candidates = first.union(*rest, all=True).order_by("-rank", "kind", "-pk")
        # A rare word reads the GIN index, a common one walks the newest rows: the plan must
        # see the words, so this query is never run from a generic plan.
        with planned_for_values():
            return list(candidates)

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

    # The hits on a page: every kind present in one UNION of rows read by id, each in the
    # shape of _Row, with the text of its excerpt (marked by ts_headline() on PostgreSQL).
    # The ids are the candidates', read through the viewer's QuerySets a moment before.

    def _excerpt_text(self, fields: list[str]) -> Any:
        text = _text(fields)
        if not self.pg:
            return text
        return SearchHeadline(
            text, self.query, config=CONFIG, start_sel=_START, stop_sel=_STOP, highlight_all=True
        )

    def _hit_rows(self, kind: str, ids: list[int]) -> QuerySet[Any]:
        columns: dict[str, Any]
        if kind == "omrade":
            qs: QuerySet[Any] = Omrade.objects.all()
            columns = {
                "text": self._excerpt_text(_OMRADE_EXCERPT),
                "title": F("fraga"),
                "slug": F("slug"),
            }
        elif kind == "rapport":
            qs = Rapport.objects.all()
            columns = {
                "text": self._excerpt_text(_RAPPORT_EXCERPT),
                "title": F("titel"),
                "slug": F("slug"),
                "datum": F("datum"),
            }
        elif kind == "uppfoljning":
            # A version names its follow-up's period and subject; a working copy its own.
            qs = Uppfoljning.objects.all() if self.viewer.staff else Publicering.objects.all()
            prefix = "" if self.viewer.staff else "uppfoljning__"
            columns = {
                "text": self._excerpt_text(_UPPFOLJNING_FIELDS),
                "status": F("status"),
                "ar": F(f"{prefix}period__ar"),
                "tertial": F(f"{prefix}period__tertial"),
                # Each follow-up is of an area or of an assignment (a check constraint).
                "title": Coalesce(
                    F(f"{prefix}omrade__kortnamn"),
                    F(f"{prefix}uppdrag__namn"),
                    output_field=TextField(),
                ),
            }
            if self.viewer.staff:
                # Staff also see the working copy's state.
                columns["tillstand"] = F("tillstand")
        else:
            qs = Inspel.objects.all()
            columns = {
                "text": self._excerpt_text(self._inspel_fields()),
                "typ": F("typ"),
                "status": F("status"),
                "title": F("omrade__kortnamn"),
                "slug": F("omrade__slug"),
            }
        shape = {"kind": Value(kind, output_field=CharField()), "pk": F("pk"), **_NULLS, **columns}
        return qs.filter(pk__in=ids).order_by().values_list(*(shape[n] for n in _Row._fields))

    def _hits(self, rows: list[tuple[str, int, float]]) -> list[Hit]:
        ids: dict[str, list[int]] = {}
        for kind, pk, _rank in rows:
            ids.setdefault(kind, []).append(pk)
        if not ids:
            return []
        first, *rest = [self._hit_rows(kind, pks) for kind, pks in ids.items()]
        # Each page's ids make a query text of their own: sent with its values, it is not
        # prepared (and evicted again) as a statement of its own on the connection.
        with planned_for_values():
            found = [_Row(*row) for row in first.union(*rest, all=True).order_by()]
        hits = {(row.kind, row.pk): self._hit(row) for row in found}
        return [hits[kind, pk] for kind, pk, _rank in rows if (kind, pk) in hits]

    def _hit(self, row: _Row) -> Hit:
        label = str(KIND_LABELS[row.kind])
        excerpt = self._row_excerpt(row.text)
        if row.kind == "omrade":
            url = reverse("omraden:detail", args=[row.slug])
            return Hit(row.kind, label, row.title, url, excerpt)
        if row.kind == "rapport":
            url = reverse("uppfoljning:rapport", args=[row.slug])
            return Hit(row.kind, label, row.title, url, excerpt, meta=str(row.datum))
        if row.kind == "uppfoljning":
            title = f"{row.title} – {Period.kort_of(row.ar, row.tertial)}"
            url = reverse("uppfoljning:period", args=[Period.slug_of(row.ar, row.tertial)])
            meta = str(Status(row.status).label) if row.status else ""
            if row.tillstand:
                meta = f"{meta} ({Uppfoljning.Tillstand(row.tillstand).label})".strip()
            return Hit(row.kind, label, title, url, excerpt, meta=meta)
        title = str(dict(Inspel.Typ.choices).get(row.typ, row.typ))
        if row.slug:
            title = f"{title} – {row.title}"
        # Input without an area belongs to the whole municipality (the front page).
        url = reverse("omraden:detail", args=[row.slug]) if row.slug else reverse("index")
        # Staff see where the input stands in moderation.
        meta = str(dict(Inspel.Status.choices)[row.status]) if self.viewer.staff else ""
        return Hit(row.kind, label, title, url, excerpt, meta=meta)

    def _row_excerpt(self, text: str) -> Excerpt:
        """On PostgreSQL `text` is ts_headline()'s, its matches marked; on SQLite the plain
        text, whose matches are the query as typed, in any case."""
        if self.pg:
            text, matches = _headline_matches(text)
        else:
            matches = [match.span() for match in self._typed.finditer(text)]
        # Matches are words: never in the white space stripped off around the text.
        shift = len(text) - len(text.lstrip())
        return _excerpt(text.strip(), [(a - shift, b - shift) for a, b in matches])

    @functools.cached_property
    def _typed(self) -> re.Pattern[str]:
        """The query as typed, in any case (the SQLite fallback's match)."""
        return re.compile(re.escape(self.q), re.IGNORECASE)
