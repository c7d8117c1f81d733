"""What a period's public report says: snapshots, corrections and changes between periods.

The rule (see docs/uppfoljningsrapporter.md):

- An open period's report shows the latest public publication of each follow-up.
- A closed period's report is a frozen snapshot: for each follow-up, the latest publication
  created (`skapad_at`) at or before the moment the period was closed (`stangd_at`).
  Publications created later are shown beside it as dated corrections, never in its place.
- A period closed before the portal kept track (`stangd_at` is empty) has its snapshot in
  the first publication of each follow-up; every later one is a correction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.lookups import Exact
from django.http import Http404
from rapidfuzz.distance import Indel

from uppfoljning.models import Period, Publicering, PubliceringQuerySet, Uppfoljning

if TYPE_CHECKING:
    from portal.viewer import Viewer

# What a report reads of a publication's follow-up: only what keys it.
FOLLOW_UP_KEYS = ["period_id", "omrade_id", "uppdrag_id"]

SLUG_RE = re.compile(r"^(?P<ar>\d{4})-(?:t(?P<tertial>[12])|(?P<helar>ar))$")


def period_lookup(slug: str) -> dict[str, int]:
    """Period.slug back to its natural key ("2023-t2" → ar 2023, tertial 2); 404 if malformed."""
    m = SLUG_RE.match(slug)
    if not m:
        raise Http404("No such period")
    return {"ar": int(m["ar"]), "tertial": 3 if m["helar"] else int(m["tertial"])}


def files_shown(viewer: Viewer, period: Period) -> bool:
    """Whether `viewer` gets the report as PDF and Word files (report_files.py): staff for any
    period, residents once the period is closed and the report no longer changes."""
    return viewer.staff or period.is_closed


@dataclass
class Entry:
    """One follow-up (of an area or an assignment) as one period's report tells it."""

    snapshot: Publicering | None = None
    corrections: list[Publicering] = field(default_factory=list)

    @property
    def current(self) -> Publicering | None:
        """What is true now: the latest correction, or the snapshot."""
        return self.corrections[-1] if self.corrections else self.snapshot


def resolve(period: Period, pubs: Iterable[Publicering]) -> Entry:
    """Split one follow-up's publications (oldest first) into snapshot and corrections."""
    ordered = sorted(pubs, key=lambda p: (p.skapad_at, p.version, p.pk))
    if not period.is_closed:
        return Entry(snapshot=ordered[-1] if ordered else None)
    if period.stangd_at is None:
        # Closed before the portal kept track: the first publication is what was reported.
        return Entry(snapshot=ordered[0] if ordered else None, corrections=ordered[1:])
    before = [p for p in ordered if p.skapad_at <= period.stangd_at]
    after = [p for p in ordered if p.skapad_at > period.stangd_at]
    return Entry(snapshot=before[-1] if before else None, corrections=after)


def publications(viewer: Viewer, follow_ups: Q) -> PubliceringQuerySet:
    """The publications `entries()` needs of the follow-ups `follow_ups` picks, as `viewer`
    sees them.

    A report is about every version `viewer` may see, not only the current one: a closed
    period's snapshot and its later corrections. `follow_ups` is a condition on the
    follow-up, such as `Q(period__ar=2024)`. One query whatever the number of periods, areas
    or publications, and it reads only the publications the entries hold, however many
    revisions the follow-ups have.
    """
    return (
        Publicering.objects.visible_to(viewer)
        .filter(_on_publication(follow_ups), _kept(viewer, follow_ups))
        # Of the follow-up only what keys it, as plain values: an instance of it per
        # publication cost more than the rest of the row.
        .annotate(**{f"_key_{name}": F(f"uppfoljning__{name}") for name in FOLLOW_UP_KEYS})
    )


def _on_publication(follow_ups: Q) -> Q:
    """A condition on follow-ups as the same condition on publications' follow-ups."""
    return Q(
        *[
            _on_publication(child)
            if isinstance(child, Q)
            else (f"uppfoljning__{child[0]}", child[1])
            for child in follow_ups.children
        ],
        _connector=follow_ups.connector,
        _negated=follow_ups.negated,
    )


def entries(
    periods: list[Period], pubs: Iterable[Publicering]
) -> dict[tuple[int, str, int], Entry]:
    """The publications of `publications()` as entries keyed (period id, "omrade"/"uppdrag",
    id), for these periods only (a period created since they were read is left out)."""
    by_pk = {p.pk: p for p in periods}
    grouped: dict[tuple[int, str, int], list[Publicering]] = {}
    for pub in pubs:
        if pub._key_period_id not in by_pk:
            continue
        if pub._key_omrade_id:
            key = (pub._key_period_id, "omrade", pub._key_omrade_id)
        else:
            key = (pub._key_period_id, "uppdrag", pub._key_uppdrag_id)
        grouped.setdefault(key, []).append(pub)
    return {key: resolve(by_pk[key[0]], group) for key, group in grouped.items()}


def _kept(viewer: Viewer, follow_ups: Q) -> Q:
    """The publications `resolve()` can return, in SQL: the rest never reach Python.

    A follow-up gathers a revision per publication, so reading them all made a report's
    cost grow with its history. `resolve()` keeps the last publication (of an open period),
    the last one created by the closing (a closed period: its snapshot) and every one
    created after the closing (corrections). A period closed before the portal kept track
    keeps all of its publications: the first is the snapshot, the rest are corrections.
    "Last" is `resolve()`'s order: created time, then version (unique per follow-up).

    The snapshots are one probe of `publicering_skapad` per follow-up (its last publication
    `viewer` sees that counts), read once into an array; the corrections a condition on the
    joined period. Asking of every publication whether a later one counts read each
    follow-up's revisions once per revision: 1.6 against 0.6 ms for a tertial report at the
    top bench scale.
    """
    closed = Period.Tillstand.STANGD
    # In a closed period only what the closing took counts; in an open one, all that is due.
    snapshot = (
        Publicering.objects.visible_to(viewer)
        .filter(
            Q(skapad_at__lte=OuterRef("period__stangd_at"))
            | ~Q(Exact(OuterRef("period__tillstand"), closed)),
            uppfoljning=OuterRef("pk"),
        )
        .order_by("-skapad_at", "-version")
        .values("pk")[:1]
    )
    snapshots = Uppfoljning.objects.filter(follow_ups).order_by().values(last=Subquery(snapshot))
    # Kept whatever comes later: in a closed period, a correction (created after the
    # closing) and every publication of a period closed before the portal kept track.
    always = Q(uppfoljning__period__tillstand=closed) & (
        Q(uppfoljning__period__stangd_at__isnull=True)
        | Q(skapad_at__gt=F("uppfoljning__period__stangd_at"))
    )
    return Publicering.objects.by_ids_from(snapshots) | always


@dataclass
class Change:
    """What changed for one subject since the previous period's report."""

    before: Publicering | None
    after: Publicering | None

    @property
    def status_changed(self) -> bool:
        return bool(self.before and self.after and self.before.status != self.after.status)

    @property
    def text_changed(self) -> bool:
        if not (self.before and self.after):
            return False
        return _texts(self.before) != _texts(self.after)

    @property
    def diff(self) -> list[tuple[str, str]]:
        """The summaries word by word: ("same"|"removed"|"added", words).

        The words both keep are a longest common subsequence (rapidfuzz's Indel, in C++:
        a seventh of difflib's time, whose pure-Python matching was a tenth of a tertial
        report's work); between two runs of them, what was removed comes before what was
        added.
        """
        if not (self.before and self.after):
            return []
        a, b = self.before.sammanfattning.split(), self.after.sammanfattning.split()
        out: list[tuple[str, str]] = []
        i = j = 0
        for block in Indel.opcodes(a, b).as_matching_blocks():
            if block.a > i:
                out.append(("removed", " ".join(a[i : block.a])))
            if block.b > j:
                out.append(("added", " ".join(b[j : block.b])))
            if block.size:
                out.append(("same", " ".join(a[block.a : block.a + block.size])))
            i, j = block.a + block.size, block.b + block.size
        return out


def _texts(pub: Publicering) -> tuple[str, str, str]:
    return (pub.sammanfattning.strip(), pub.orsak.strip(), pub.atgarder.strip())
