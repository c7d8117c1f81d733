from __future__ import annotations

import datetime as dt
import html
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from omraden.models import Omrade
from portal.lib.compiled import compiled
from portal.page_cache import public_cache
from portal.templatetags.formatted import render_markdown
from portal.templatetags.status import status as status_html
from uppfoljning.indikator_views import latest_values
from uppfoljning.models import (
    STATUS_DEFINITIONS,
    STATUS_SYMBOLS,
    Indikator,
    Period,
    Publicering,
    Rapport,
    Uppdrag,
    Uppfoljning,
)
from uppfoljning.reports import Change, Entry, entries, period_lookup, publications


def _legend() -> list[dict[str, str]]:
    return [
        {"status": s.value, "label": s.label, "symbol": STATUS_SYMBOLS[s], "definition": d}
        for s, d in STATUS_DEFINITIONS.items()
    ]


def _diff_marks() -> dict[str, tuple[str, str]]:
    """The markup around a diff's words, by kind: built once per page, not once per diff."""
    hidden = '<span class="visually-hidden">[{}] </span>'
    return {
        "added": (format_html("<ins>" + hidden, gettext("added:")), "</ins> "),
        "removed": (format_html("<del>" + hidden, gettext("removed:")), "</del> "),
        "same": ("", " "),
    }


def _diff_html(change: Change, marks: dict[str, tuple[str, str]]) -> SafeString:
    """The summary's changes word by word, marked for screen readers too.

    The markup of `_diff.html`, built here: a report shows a diff per section and each
    `{% include %}` of it (and its loop over the words) cost a template render of its own.
    """
    # Each word is escaped once; the standard library's escape is what Django's `escape`
    # calls, without its lazy-string wrapper (a diff escapes hundreds of words).
    words = []
    for kind, text in change.diff:
        before, after = marks[kind]
        words.append(f"{before}{html.escape(text)}{after}")
    return format_html('<p class="diff">{}</p>\n', SafeString("".join(words)))


def _change_words() -> dict[str, str]:
    """The sentences that say what changed since the previous report: translated and escaped
    once per page."""
    return {
        "status_changed": escape(gettext("Status changed")),
        "status_unchanged": escape(gettext("Status unchanged")),
        "text_changed": escape(gettext("The text has changed.")),
        "show_changes": escape(gettext("Show the changes in the summary")),
        "text_unchanged": escape(gettext("The text is unchanged.")),
        "new_now": escape(gettext("New: nothing was published for the previous period.")),
        "gone_now": escape(
            gettext("Something was published for the previous period, but nothing for this one.")
        ),
        "nothing_either": escape(gettext("Nothing published in either period.")),
    }


def _change_html(
    change: Change, status: str, marks: dict[str, tuple[str, str]], words: dict[str, str]
) -> SafeString:
    """What changed since the previous report: its status and its text, word by word.

    Built here rather than by a dozen template tags per section (a report has one section
    per area and assignment). Everything put together is markup already: the escaped words
    above, `status` and the diff.
    """
    if not (change.before and change.after):
        if change.after:
            said = words["new_now"]
        elif change.before:
            said = words["gone_now"]
        else:
            said = words["nothing_either"]
        return SafeString(f"<p>{said}</p>")
    if change.status_changed:
        before = status_html(change.before)
        lines = [f"<p>{words['status_changed']}: {before} → {status}</p>"]
    else:
        lines = [f"<p>{words['status_unchanged']}: {status}</p>"]
    if change.text_changed:
        lines += [
            f"<p>{words['text_changed']}</p>",
            '<details class="diff-details">',
            f"  <summary>{words['show_changes']}</summary>",
            f'  <div lang="sv">{_diff_html(change, marks)}</div>',
            "</details>",
        ]
    else:
        lines.append(f"<p>{words['text_unchanged']}</p>")
    return SafeString("\n      ".join(lines))


def _text_html(text: str, top: int) -> SafeString | None:
    """A publication's text as the `markdown` filter renders it, or None if it is empty."""
    return render_markdown(text, top) if text else None


# The follow-up pages' queries, compiled once per connection (portal.lib.compiled): Django
# building their SQL on every request cost the worker more than PostgreSQL running it. The
# moment is an argument: one `now` per request, for every query of the page.


@compiled
def _years() -> QuerySet[Period, int]:
    return Period.objects.order_by("-ar").values_list("ar", flat=True).distinct()


@compiled
def _periods_of(*, ar: int) -> QuerySet[Period]:
    return Period.objects.filter(ar=ar).order_by("tertial")


@compiled
def _publications_of_year(*, ar: int, now: dt.datetime) -> QuerySet[Publicering]:
    return publications(now, Q(period__ar=ar))


@compiled
def _overarching_assignments() -> QuerySet[Uppdrag]:
    return Uppdrag.objects.filter(overgripande=True).only("namn", "slug")


@compiled
def _areas_in_table() -> QuerySet[Omrade]:
    return Omrade.objects.public().only("nummer", "slug", "kortnamn")


@public_cache
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    years = _years()
    # One year at a time, the latest by default: the table (and its cost) stays the same
    # size however many years of follow-ups there are. Other years are a link or the plain
    # GET form away; anything that is not a known year shows the latest.
    ar_param = request.GET.get("ar", "")
    ar = int(ar_param) if ar_param.isdigit() and int(ar_param) in years else None
    if ar is None and years:
        ar = years[0]
    periods = _periods_of(ar=ar) if ar is not None else []
    by_key = entries(periods, _publications_of_year(ar=ar, now=now)) if periods else {}
    # Each row's link and name are worked out here, once, rather than by template tags.
    subjects: list[tuple[str, int, str, str]] = [
        ("uppdrag", u.pk, reverse("uppfoljning:uppdrag", args=[u.slug]), u.namn)
        for u in _overarching_assignments()
    ] + [
        ("omrade", o.pk, o.get_absolute_url(), f"{o.nummer}. {o.kortnamn}")
        for o in _areas_in_table()
    ]
    # Each cell's markup too: the same three notes, or a status, in every row.
    muted = '<span class="muted">{}</span>'
    not_published = format_html(muted, gettext("Not published"))
    published_after = format_html(muted, gettext("Published after the period closed"))
    corrected_later = format_html(' <span class="muted">({})</span>', gettext("corrected later"))

    def cell(entry: Entry | None) -> SafeString | str:
        if entry is None:
            return not_published
        if not entry.snapshot:
            return published_after
        if entry.corrections:
            return status_html(entry.snapshot) + corrected_later
        return status_html(entry.snapshot)

    rows = [
        {
            "url": url,
            "name": name,
            "cells": [cell(by_key.get((p.pk, kind, pk))) for p in periods],
        }
        for kind, pk, url, name in subjects
    ]
    # Years are listed newest first, so the later year is the one before this one.
    i = years.index(ar) if ar in years else 0
    ctx = {
        "years": years,
        "ar": ar,
        "later_year": years[i - 1] if i > 0 else None,
        "earlier_year": years[i + 1] if i + 1 < len(years) else None,
        "periods": periods,
        "rows": rows,
        "legend": _legend(),
    }
    return render(request, "uppfoljning/index.html", ctx)


@compiled
def _period_and_previous(*, ar: int, tertial: int) -> QuerySet[Period]:
    """The period and the one before it in one query: the latest two up to this one."""
    return Period.objects.filter(Q(ar__lt=ar) | Q(ar=ar, tertial__lte=tertial)).order_by(
        "-ar", "-tertial"
    )[:2]


@compiled
def _publications_of_two(*, period: int, previous: int, now: dt.datetime) -> QuerySet[Publicering]:
    # Two ids, the same one twice for a first period: `IN` would drop the repeat and change
    # the statement's text, which a compiled query cannot follow.
    return publications(now, Q(period=period) | Q(period=previous))


@compiled
def _report_assignments(*, period: int) -> QuerySet[Uppdrag]:
    return (
        Uppdrag.objects.filter(Q(overgripande=True) | Q(uppfoljningar__period=period))
        .distinct()
        .only("namn", "slug")
    )


@compiled
def _report_areas() -> QuerySet[Omrade]:
    return (
        Omrade.objects.public()
        .select_related("fadder")
        .only("nummer", "slug", "fraga", "fadder__namn")
    )


@public_cache
@require_safe
def period(request: HttpRequest, slug: str) -> HttpResponse:
    now = timezone.now()
    key = period_lookup(slug)
    ar, tertial = key["ar"], key["tertial"]
    found = _period_and_previous(ar=ar, tertial=tertial)
    if not found or (found[0].ar, found[0].tertial) != (ar, tertial):
        raise Http404("No such period")
    period = found[0]
    previous = found[1] if len(found) > 1 else None
    by_key = entries(
        found,
        _publications_of_two(period=period.pk, previous=(previous or period).pk, now=now),
    )
    # Each section's heading, link and sponsor are worked out here, once per subject.
    subjects: list[tuple[str, int, str, str, Any]] = [
        ("uppdrag", u.pk, u.namn, reverse("uppfoljning:uppdrag", args=[u.slug]), None)
        for u in _report_assignments(period=period.pk)
    ] + [
        ("omrade", o.pk, f"{o.nummer}. {o.fraga}", o.get_absolute_url(), o.fadder)
        for o in _report_areas()
    ]
    marks = _diff_marks()
    words = _change_words()
    # Each status's definition in this request's language, once: the publication's
    # `definition` looks it up and translates it again for every section.
    definitions = {status.value: str(text) for status, text in STATUS_DEFINITIONS.items()}
    sections = []
    for kind, pk, title, url, fadder in subjects:
        entry = by_key.get((period.pk, kind, pk), Entry())
        before = by_key.get((previous.pk, kind, pk), Entry()) if previous else Entry()
        # Both sides are the reports' snapshots, so a later correction of either period
        # never changes what this report says about the change.
        change = Change(before=before.snapshot, after=entry.snapshot)
        pub = entry.snapshot
        status = status_html(pub) if pub else ""
        sections.append(
            {
                "id": f"del-{kind}-{pk}",
                "kind": kind,
                "title": title,
                "url": url,
                "fadder": fadder.namn if fadder else None,
                "pub": pub,
                # The publication's words as plain values: a template's lookup on a model
                # instance tries it as a dict first, and pays for the exception.
                "definition": definitions[pub.status] if pub else "",
                "summary": _text_html(pub.sammanfattning, 3) if pub else None,
                "cause": _text_html(pub.orsak, 4) if pub else None,
                "actions": _text_html(pub.atgarder, 4) if pub else None,
                # The `{% status %}` markup, once per publication here rather than a
                # template tag call each time the template shows it.
                "status": status,
                "corrections": entry.corrections,
                "change": _change_html(change, status, marks, words) if previous else "",
            }
        )
    ctx = {
        "period": period,
        "previous": previous,
        "sections": sections,
        "legend": _legend(),
    }
    return render(request, "uppfoljning/period.html", ctx)


@public_cache
@require_safe
def uppdrag(request: HttpRequest, slug: str) -> HttpResponse:
    uppdrag = get_object_or_404(Uppdrag, slug=slug)
    # The latest publication per period (one follow-up each), newest period first.
    timeline = list(
        Publicering.objects.latest_public(Uppfoljning.objects.filter(uppdrag=uppdrag))
        .select_related("uppfoljning__period")
        .newest_first()
    )
    ctx = {
        "uppdrag": uppdrag,
        "latest": timeline[0] if timeline else None,
        "timeline": timeline[::-1],
        "legend": _legend(),
        "indikatorer": latest_values(
            Indikator.objects.public().with_values().filter(uppdrag=uppdrag)
        ),
    }
    return render(request, "uppfoljning/uppdrag.html", ctx)


@public_cache
@require_safe
def rapporter(request: HttpRequest) -> HttpResponse:
    ctx = {"rapporter": list(Rapport.objects.public().order_by("-datum"))}
    return render(request, "uppfoljning/rapporter.html", ctx)


@public_cache
@require_safe
def rapport(request: HttpRequest, slug: str) -> HttpResponse:
    ctx = {"rapport": get_object_or_404(Rapport.objects.public(), slug=slug)}
    return render(request, "uppfoljning/rapport.html", ctx)
