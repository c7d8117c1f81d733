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

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

from uppfoljning.models import Period, Publicering

SLUG_RE = re.compile(r"^(?P<ar>\d{4})-(?:t(?P<tertial>[12])|(?P<helar>ar))$")


def period_lookup(slug: str) -> dict[str, int]:
    """Period.slug back to its natural key ("2023-t2" → ar 2023, tertial 2); 404 if malformed."""
    m = SLUG_RE.match(slug)
    if not m:
        raise Http404("No such period")
    return {"ar": int(m["ar"]), "tertial": 3 if m["helar"] else int(m["tertial"])}


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


def entries_for(periods: list[Period]) -> dict[tuple[int, str, int], Entry]:
    """Every public follow-up of these periods, keyed (period id, "omrade"/"uppdrag", id).

    One query whatever the number of periods, areas or publications.
    """
    if not periods:
        return {}
    by_pk = {p.pk: p for p in periods}
    grouped: dict[tuple[int, str, int], list[Publicering]] = {}
    pubs = (
        Publicering.objects.public()
        .filter(uppfoljning__period__in=periods)
        .filter(Q(uppfoljning__omrade__isnull=False) | Q(uppfoljning__uppdrag__isnull=False))
        .select_related("uppfoljning")
    )
    for pub in pubs:
        u = pub.uppfoljning
        if u.omrade_id:
            key = (u.period_id, "omrade", u.omrade_id)
        else:
            key = (u.period_id, "uppdrag", u.uppdrag_id)
        grouped.setdefault(key, []).append(pub)
    return {key: resolve(by_pk[key[0]], group) for key, group in grouped.items()}


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
        """The summaries word by word: ("same"|"removed"|"added", words)."""
        if not (self.before and self.after):
            return []
        a, b = self.before.sammanfattning.split(), self.after.sammanfattning.split()
        out: list[tuple[str, str]] = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
            if op == "equal":
                out.append(("same", " ".join(a[i1:i2])))
                continue
            if i2 > i1:
                out.append(("removed", " ".join(a[i1:i2])))
            if j2 > j1:
                out.append(("added", " ".join(b[j1:j2])))
        return out


def _texts(pub: Publicering) -> tuple[str, str, str]:
    return (pub.sammanfattning.strip(), pub.orsak.strip(), pub.atgarder.strip())


def previous_period(period: Period, periods: list[Period]) -> Period | None:
    """The period just before `period` in a list of periods ordered oldest first."""
    earlier = [p for p in periods if (p.ar, p.tertial) < (period.ar, period.tertial)]
    return earlier[-1] if earlier else None
