"""Open data: the portal's public datasets, read only through the models' `visible_to(viewer)`.

Every dataset is built the same way for CSV and JSON, always in Swedish (the labels do not
follow the visitor's language, so a file's content does not depend on who downloads it), with
English field names and a stable ordering. The CSV file holds the whole dataset; the JSON is
served in pages of PAGE_SIZE records, newest first, so no response grows with the years of
data. A file is built for one resident `Viewer` (one moment for all its queries), so it
shows exactly what the public pages show. docs/open-data.md documents every field.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import F, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from omraden.models import Aktivitet, Inspel, Omrade
from portal.lib import csvsafe
from portal.lib.choices import labels
from portal.viewer import Viewer
from uppfoljning.models import (
    Indikator,
    Matvarde,
    Period,
    Publicering,
    Status,
    attach_latest_publications,
    overview_areas,
)

# The portal's own data is in the public domain; values fetched from Kolada keep their source.
LICENSE_URL = "https://creativecommons.org/publicdomain/zero/1.0/"
LICENSE_NAME = "CC0 1.0"
KOLADA_URL = "https://www.kolada.se/"

Record = dict[str, Any]
# Records per JSON page: a page stays small (tens of kilobytes) and quick to build.
PAGE_SIZE = 100


def absolute(path: str) -> str:
    """An absolute address on the public site, from settings.SITE_URL (never the request)."""
    return settings.SITE_URL.rstrip("/") + path


def _swedish_reverse(name: str, *args: Any) -> str:
    with translation.override("sv"):
        return absolute(reverse(name, args=args))


def _iso_datetime(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _iso_date(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return value.isoformat()


def _number(value: Decimal | None) -> float | int | None:
    # JSON numbers, not strings; whole numbers without a trailing ".0".
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# Datasets. Each is a queryset of the rows a viewer sees (with what its records need joined
# in) and a function that turns a list of those rows into records for the same viewer,
# running a constant number of further queries whatever the data size.


def omraden_rows(viewer: Viewer) -> QuerySet[Omrade]:
    # 1: the visible areas with fadder, phase and the id of their current publication
    return overview_areas(viewer)


def omraden_records(viewer: Viewer, omraden: list[Omrade]) -> list[Record]:
    # 2: the latest publications with follow-up and period
    omraden = attach_latest_publications(omraden)
    records = []
    for o in omraden:
        latest = o.senaste
        records.append(
            {
                "number": o.nummer,
                "slug": o.slug,
                "short_name": o.kortnamn,
                "question": o.fraga,
                "description": o.beskrivning,
                "sponsor_name": o.fadder.namn if o.fadder else "",
                "sponsor_title": o.fadder.titel if o.fadder else "",
                "phase": o.fas.namn if o.fas else "",
                "influence_level": o.paverkansniva,
                "influence_text": o.paverkan_text,
                "latest_status": latest.status if latest else "",
                "latest_status_label": latest.get_status_display() if latest else "",
                "latest_status_period": latest.uppfoljning.period.slug if latest else "",
                "url": _swedish_reverse("omraden:detail", o.slug),
            }
        )
    return records


def uppfoljningar_rows(viewer: Viewer) -> QuerySet[Publicering, Record]:
    """Every version of every follow-up that `viewer` sees.

    Plain values, not models: a JSON page builds its records from a hundred rows at a time,
    and the CSV file from all of them.
    """
    # 1: the visible publications with follow-up, period, area and assignment
    return Publicering.objects.visible_to(viewer).values(
        "id",
        "version",
        "status",
        "sammanfattning",
        "orsak",
        "atgarder",
        "publicerad_at",
        "uppfoljning_id",
        "uppfoljning__period__ar",
        "uppfoljning__period__tertial",
        "uppfoljning__omrade_id",
        "uppfoljning__omrade__nummer",
        "uppfoljning__omrade__slug",
        "uppfoljning__uppdrag_id",
        "uppfoljning__uppdrag__slug",
        "uppfoljning__uppdrag__namn",
    )


# Within a period: areas first, then assignments, on every database (NULLs sort differently).
_WITHIN_PERIOD = (
    F("uppfoljning__omrade__nummer").asc(nulls_last=True),
    F("uppfoljning__uppdrag__ordning").asc(nulls_last=True),
    "uppfoljning_id",
    "version",
    "pk",
)


def uppfoljningar_records(viewer: Viewer, pubs: list[Record]) -> list[Record]:
    """`is_latest` marks the version the portal shows now: the follow-up's `current()` one."""
    if not pubs:
        return []
    # 2: the current versions of these follow-ups: a page reads its few (a subquery per row
    # made PostgreSQL find every follow-up's current version for each page).
    current = set(
        Publicering.objects.current(viewer)
        .filter(uppfoljning__in={p["uppfoljning_id"] for p in pubs})
        .values_list("pk", flat=True)
    )
    status_labels = labels(Status)
    tz = timezone.get_current_timezone()
    # The period's slug and name as the model gives them; a page spans a period or two.
    periods: dict[tuple[int, int], Period] = {}
    records = []
    for p in pubs:
        key = (p["uppfoljning__period__ar"], p["uppfoljning__period__tertial"])
        period = periods.get(key)
        if period is None:
            period = periods[key] = Period(ar=key[0], tertial=key[1])
        is_area = p["uppfoljning__omrade_id"] is not None
        is_assignment = p["uppfoljning__uppdrag_id"] is not None
        records.append(
            {
                "id": p["id"],
                "follow_up_id": p["uppfoljning_id"],
                "version": p["version"],
                "is_latest": p["id"] in current,
                "period": period.slug,
                "period_name": period.kort,
                "year": period.ar,
                "tertial": period.tertial,
                "subject_type": "omrade" if is_area else "uppdrag",
                "area_number": p["uppfoljning__omrade__nummer"] if is_area else None,
                "area_slug": p["uppfoljning__omrade__slug"] if is_area else "",
                "assignment_slug": p["uppfoljning__uppdrag__slug"] if is_assignment else "",
                "assignment_name": p["uppfoljning__uppdrag__namn"] if is_assignment else "",
                "status": p["status"],
                "status_label": status_labels.get(p["status"], p["status"]),
                "summary": p["sammanfattning"],
                "cause": p["orsak"],
                "actions": p["atgarder"],
                "published_at": p["publicerad_at"].astimezone(tz).isoformat(timespec="seconds"),
            }
        )
    return records


def visible_activities(viewer: Viewer, omrade: Omrade | None = None) -> list[Aktivitet]:
    """The activities `viewer` sees (of one area, when given), oldest first, each with only
    the areas `viewer` sees (two queries)."""
    rows = aktiviteter_rows(viewer)
    if omrade is not None:
        rows = rows.filter(omraden=omrade)
    return list(rows.order_by("datum", "starttid", "pk"))


def aktiviteter_rows(viewer: Viewer) -> QuerySet[Aktivitet]:
    # 1: the visible activities; 2: their visible areas
    return Aktivitet.objects.visible_to(viewer).prefetch_related(
        Prefetch(
            "omraden",
            queryset=Omrade.objects.visible_to(viewer).order_by("nummer"),
            to_attr="public_areas",
        )
    )


def aktiviteter_records(viewer: Viewer, aktiviteter: list[Aktivitet]) -> list[Record]:
    records = []
    for a in aktiviteter:
        records.append(
            {
                "id": a.pk,
                "title": a.titel,
                "description": a.beskrivning,
                "date": a.datum.isoformat(),
                "start_time": a.starttid.strftime("%H:%M") if a.starttid else None,
                "end_time": a.sluttid.strftime("%H:%M") if a.sluttid else None,
                "place": a.plats,
                "themes": list(a.teman or []),
                "areas": [o.slug for o in a.public_areas],
                "open_to_residents": a.oppen_for_invanare,
                "url": _swedish_reverse("omraden:aktivitet", a.pk),
            }
        )
    return records


SOURCE_LABELS: dict[str, Promise] = {
    Matvarde.Kalla.KOLADA: _("Source: Kolada"),
    Matvarde.Kalla.EGEN: _("Calculated by the portal from its own data"),
    Matvarde.Kalla.MANUELL: _("Entered by the municipality"),
}


def _value_record(v: Matvarde) -> Record:
    return {
        "year": v.ar,
        "kommun": _number(v.kommun),
        "national": _number(v.riket),
        "source": v.kalla,
        "source_label": str(SOURCE_LABELS.get(v.kalla, v.get_kalla_display())),
        "fetched_at": _iso_datetime(v.hamtad_at),
    }


def indikatorer_rows(viewer: Viewer) -> QuerySet[Indikator]:
    # 1: the visible indicators with assignment and area; 2: all their values, by year
    return Indikator.objects.visible_to(viewer).with_values()


def indikatorer_records(viewer: Viewer, indikatorer: list[Indikator]) -> list[Record]:
    records = []
    for i in indikatorer:
        # An indicator of an area the viewer may not see is filtered out above.
        records.append(
            {
                "slug": i.slug,
                "name": i.namn,
                "description": i.beskrivning,
                "horizon": i.horisont,
                "horizon_label": i.get_horisont_display(),
                "unit": i.enhet,
                "unit_label": i.get_enhet_display(),
                "direction": i.riktning,
                "direction_label": i.get_riktning_display(),
                "source": i.kalla,
                "area_slug": i.omrade.slug if i.omrade_id else "",
                "assignment_slug": i.uppdrag.slug if i.uppdrag_id else "",
                "kolada_kpi": i.kolada_kpi,
                "kolada_title": i.kolada_titel,
                "baseline": {
                    "year": i.startlage_ar,
                    "kommun": _number(i.startlage_kommun),
                    "national": _number(i.startlage_riket),
                    "source": "startlage",
                    "source_label": gettext("Baseline in the municipal plan (source: %(source)s)")
                    % {"source": i.kalla},
                },
                "values": [_value_record(v) for v in i.varden.all()],
            }
        )
    return records


INDIKATOR_CSV_FIELDS = [
    "slug",
    "name",
    "unit",
    "direction",
    "horizon",
    "area_slug",
    "assignment_slug",
    "kolada_kpi",
    "row_type",
    "year",
    "kommun",
    "national",
    "source",
    "source_label",
    "fetched_at",
]


def indikatorer_csv_rows(records: list[Record]) -> list[Record]:
    """One row per indicator and year ("long" format): the baseline first, then the values.

    An indicator with neither baseline nor values still gets one row, so every indicator
    is listed.
    """
    rows = []
    for r in records:
        common = {k: r[k] for k in INDIKATOR_CSV_FIELDS[:8]}
        b = r["baseline"]
        values = r["values"]
        if b["year"] is not None or not values:
            rows.append({**common, "row_type": "baseline", **b, "fetched_at": None})
        for v in values:
            rows.append({**common, "row_type": "value", **v})
    return rows


def inspel_rows(viewer: Viewer) -> QuerySet[Inspel]:
    # 1: the input the viewer sees (a resident: approved, of no area or a visible one), with
    # its area: only the fields a record shows (never the text as received or an address)
    return (
        Inspel.objects.visible_to(viewer)
        .select_related("omrade")
        .only(
            "typ",
            "omrade__slug",
            "publicerad_text",
            "namn",
            "visa_namn",
            "svar",
            "skapad",
            "besvarad_at",
        )
    )


def inspel_records(viewer: Viewer, inspel: list[Inspel]) -> list[Record]:
    """Approved input: the moderated text only; a name only by choice; never an e-mail."""
    kind_labels = labels(Inspel.Typ)
    records = []
    for i in inspel:
        records.append(
            {
                "id": i.pk,
                "kind": i.typ,
                "kind_label": kind_labels.get(i.typ, i.typ),
                "area_slug": i.omrade.slug if i.omrade_id else "",
                "text": i.publicerad_text,
                "name": i.public_name,
                "answer": i.svar,
                "received_on": _iso_date(i.skapad),
                "answered_on": _iso_date(i.besvarad_at),
            }
        )
    return records


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Promise
    description: Promise
    rows: Callable[[Viewer], QuerySet[Any]]
    # The rows' records, for the viewer the rows were read for.
    records: Callable[[Viewer, list[Any]], list[Record]]
    # The order of the CSV file (the whole dataset), and of the JSON pages: newest first
    # where the rows have a time, so the first page is the news. Both end in a unique key,
    # so the pages never overlap or skip a record.
    order: tuple[Any, ...]
    newest_first: tuple[Any, ...]
    csv_fields: list[str]
    csv_rows: Callable[[list[Record]], list[Record]] = lambda records: records
    # Further distributions besides CSV and JSON: (url name, format label, media type).
    feeds: list[tuple[str, str, str]] = field(default_factory=list)
    keywords: list[Promise] = field(default_factory=list)

    def build(self, viewer: Viewer) -> list[Record]:
        """The whole dataset in the CSV file's order."""
        # Labels in Swedish whatever the visitor's language: one file, one content.
        with translation.override("sv"):
            return self.records(viewer, list(self.rows(viewer).order_by(*self.order)))

    def page(self, viewer: Viewer, number: int) -> tuple[Page[Any], list[Record]]:
        """One JSON page, newest first; raises django.core.paginator.InvalidPage.

        One query more than the records need: the rows' `.count()`, for the totals. An empty
        page reads no rows.
        """
        paginator = Paginator(self.rows(viewer).order_by(*self.newest_first), PAGE_SIZE)
        page = paginator.page(number)
        with translation.override("sv"):
            return page, self.records(viewer, list(page.object_list))

    def csv_text(self, viewer: Viewer) -> str:
        rows = self.csv_rows(self.build(viewer))
        out = io.StringIO()
        # A cell that a spreadsheet would run as a formula is quoted (portal/lib/csvsafe.py).
        writer = csvsafe.DictWriter(
            out, fieldnames=self.csv_fields, extrasaction="ignore", lineterminator="\r\n"
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_value(row.get(k)) for k in self.csv_fields})
        return out.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        # Lists (themes, areas) as one cell, items separated by "|".
        return "|".join(str(v) for v in value)
    # Numbers stay numbers, so that the writer leaves a negative figure as it is.
    return value


DATASETS: list[Dataset] = [
    Dataset(
        slug="omraden",
        title=_("The joint areas"),
        description=_(
            "The joint areas (kommungemensamma områden): question, sponsor, phase of "
            "the innovation method and latest published status."
        ),
        rows=omraden_rows,
        records=omraden_records,
        order=("nummer", "pk"),
        newest_first=("nummer", "pk"),
        csv_fields=[
            "number",
            "slug",
            "short_name",
            "question",
            "description",
            "sponsor_name",
            "sponsor_title",
            "phase",
            "influence_level",
            "influence_text",
            "latest_status",
            "latest_status_label",
            "latest_status_period",
            "url",
        ],
        keywords=[_("joint areas"), _("co-creation")],
    ),
    Dataset(
        slug="uppfoljningar",
        title=_("Published follow-ups"),
        description=_(
            "Every published version of the follow-ups of the areas and political "
            "assignments per tertial: status (green, yellow, red), summary, cause and "
            "actions taken."
        ),
        rows=uppfoljningar_rows,
        records=uppfoljningar_records,
        order=("uppfoljning__period__ar", "uppfoljning__period__tertial", *_WITHIN_PERIOD),
        newest_first=(
            "-uppfoljning__period__ar",
            "-uppfoljning__period__tertial",
            *_WITHIN_PERIOD,
        ),
        csv_fields=[
            "id",
            "follow_up_id",
            "version",
            "is_latest",
            "period",
            "period_name",
            "year",
            "tertial",
            "subject_type",
            "area_number",
            "area_slug",
            "assignment_slug",
            "assignment_name",
            "status",
            "status_label",
            "summary",
            "cause",
            "actions",
            "published_at",
        ],
        feeds=[("open_data_feed", "Atom", "application/atom+xml")],
        keywords=[_("follow-up"), _("status")],
    ),
    Dataset(
        slug="aktiviteter",
        title=_("Activities"),
        description=_(
            "Co-creation activities with residents: workshops, focus groups and checkpoints, "
            "with date, time, place and areas."
        ),
        rows=aktiviteter_rows,
        records=aktiviteter_records,
        order=("datum", "starttid", "pk"),
        newest_first=("-datum", F("starttid").desc(nulls_last=True), "-pk"),
        csv_fields=[
            "id",
            "title",
            "description",
            "date",
            "start_time",
            "end_time",
            "place",
            "themes",
            "areas",
            "open_to_residents",
            "url",
        ],
        feeds=[("open_data_ical", "iCalendar", "text/calendar")],
        keywords=[_("co-creation"), _("activities")],
    ),
    Dataset(
        slug="indikatorer",
        title=_("Indicators"),
        description=_(
            "The indicators of the overarching assignment with their baselines and values "
            "per year for the municipality and the whole country; every value names its source "
            "(Kolada, the portal's own calculation or entered by the municipality)."
        ),
        rows=indikatorer_rows,
        records=indikatorer_records,
        order=("ordning", "pk"),
        newest_first=("ordning", "pk"),
        csv_fields=INDIKATOR_CSV_FIELDS,
        csv_rows=indikatorer_csv_rows,
        keywords=[_("indicators"), "Kolada"],
    ),
    Dataset(
        slug="inspel",
        title=_("Residents' input"),
        description=_(
            "Ideas, opinions and anti-hassle reports from residents that have been approved "
            "for publication, with the municipality's answer. Never contact details; a name "
            "only when the resident chose to show it."
        ),
        rows=inspel_rows,
        records=inspel_records,
        order=("skapad", "pk"),
        newest_first=("-skapad", "-pk"),
        csv_fields=[
            "id",
            "kind",
            "kind_label",
            "area_slug",
            "text",
            "name",
            "answer",
            "received_on",
            "answered_on",
        ],
        keywords=[_("resident input"), _("co-creation")],
    ),
]

DATASETS_BY_SLUG = {d.slug: d for d in DATASETS}


@dataclass(frozen=True)
class AreaFeed:
    """A feed of one area: the site-wide feed's own view with an area filter.

    In the DCAT catalogue each area's feed is a dataset of its own (the area's part of
    `dataset`), since a DCAT distribution is the whole of its dataset in one format.
    """

    dataset: str
    # The site-wide feed's url name; the area's is the same view at `url_name`.
    url_name: str
    label: str
    media_type: str
    # With "%(area)s": the area's short name.
    title: Promise
    description: Promise


AREA_FEEDS: list[AreaFeed] = [
    AreaFeed(
        dataset="uppfoljningar",
        url_name="open_data_area_feed",
        label="Atom",
        media_type="application/atom+xml",
        title=_("Published follow-ups: %(area)s"),
        description=_(
            "The newest published follow-up versions of the joint area %(area)s, newest "
            "first, as an Atom feed."
        ),
    ),
    AreaFeed(
        dataset="aktiviteter",
        url_name="open_data_area_ical",
        label="iCalendar",
        media_type="text/calendar",
        title=_("Activities: %(area)s"),
        description=_("The public activities of the joint area %(area)s as a calendar."),
    ),
]
