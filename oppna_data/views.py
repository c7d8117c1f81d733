"""Open data: the human page listing the datasets, the files, the feeds and the DCAT catalogue.

Anyone may read all of it (portal/roles.py: the anonymous resident reads open data, feeds);
what keeps it safe is that every file reads only through the models' `visible_to(viewer)`,
for the request's viewer seen as a resident: staff download what residents download.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import InvalidPage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event, vText

from kommun.models import Kommun
from omraden.models import Omrade
from oppna_data.datasets import (
    AREA_FEEDS,
    DATASETS,
    DATASETS_BY_SLUG,
    LICENSE_NAME,
    LICENSE_URL,
    PAGE_SIZE,
    Dataset,
    absolute,
    visible_activities,
)
from portal.page_cache import public_cache
from portal.viewer import Viewer, viewer_of
from uppfoljning.models import Publicering, Rapport

# How many entries the Atom feed carries: newest first, enough for any feed reader.
FEED_ENTRIES = 50


def _file_response(body: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    # Inline: a browser shows the file; a program reads it. The name is used when saved.
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Public data: other sites' scripts may read it too.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _distributions(request: HttpRequest, dataset: Dataset) -> list[dict[str, str]]:
    """Every format of a dataset with its absolute address (on the host the request came to),
    for the page and the catalogue."""
    dists = [
        {
            "key": "csv",
            "format": "CSV",
            "media_type": "text/csv",
            "eu_file_type": "CSV",
            "url": request.build_absolute_uri(reverse("open_data_csv", args=[dataset.slug])),
        },
        {
            "key": "json",
            "format": "JSON",
            "media_type": "application/json",
            "eu_file_type": "JSON",
            "url": request.build_absolute_uri(reverse("open_data_json", args=[dataset.slug])),
            # Its first page: not a download of the whole dataset (the CSV is).
            "paged": True,
        },
    ]
    for url_name, label, media_type in dataset.feeds:
        url = request.build_absolute_uri(reverse(url_name))
        dists.append(_feed_distribution(url, label, media_type))
    return dists


def _feed_distribution(url: str, label: str, media_type: str) -> dict[str, str]:
    return {
        "key": label.lower(),
        "format": label,
        "media_type": media_type,
        # The EU file-type list has ATOM; iCalendar is named by its media type only.
        "eu_file_type": {"Atom": "ATOM"}.get(label, ""),
        "url": url,
    }


def _get_dataset(slug: str) -> Dataset:
    # Anonymous residents read open data; the rule lives in portal/roles.py.
    dataset = DATASETS_BY_SLUG.get(slug)
    if dataset is None:
        raise Http404("No such dataset.")
    return dataset


# The page


@public_cache
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    datasets = [
        {
            "slug": d.slug,
            "title": d.title,
            "description": d.description,
            "distributions": _distributions(request, d),
        }
        for d in DATASETS
    ]
    ctx = {
        "datasets": datasets,
        "license_url": LICENSE_URL,
        "license_name": LICENSE_NAME,
        "page_size": PAGE_SIZE,
        "dcat_url": request.build_absolute_uri(reverse("open_data_dcat")),
    }
    return render(request, "oppna_data/oppna_data.html", ctx)


# The files


@public_cache
@require_safe
def dataset_csv(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = _get_dataset(slug)
    text = dataset.csv_text(viewer_of(request).as_resident())
    return _file_response(text, "text/csv; charset=utf-8", f"{slug}.csv")


@public_cache
@require_safe
def dataset_json(request: HttpRequest, slug: str) -> HttpResponse:
    """One page of a dataset, newest first, with links to the others (docs/open-data.md)."""
    dataset = _get_dataset(slug)
    # Only a plain page number is a page ("01", "+1" or "1.0" would be new addresses, and
    # new cache entries, for content that already has one). More than 18 digits is past any
    # last page, and int() refuses 4,300 digits or more.
    number = request.GET.get("page", "1")
    if not (number.isascii() and number.isdigit()) or number.startswith("0") or len(number) > 18:
        raise Http404("No such page.")
    try:
        page, items = dataset.page(viewer_of(request).as_resident(), int(number))
    except InvalidPage:
        raise Http404("No such page.") from None
    url = request.build_absolute_uri(reverse("open_data_json", args=[dataset.slug]))

    def page_url(n: int) -> str:
        return url if n == 1 else f"{url}?page={n}"

    with translation.override("sv"):
        title = str(dataset.title)
        documentation = request.build_absolute_uri(reverse("open_data")) + f"#{dataset.slug}"
    body = {
        "dataset": dataset.slug,
        "title": title,
        "publisher": Kommun.objects.current().publisher_name,
        "license": LICENSE_URL,
        "documentation": documentation,
        "csv": request.build_absolute_uri(reverse("open_data_csv", args=[dataset.slug])),
        "total": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "page_size": PAGE_SIZE,
        "first": page_url(1),
        "last": page_url(page.paginator.num_pages),
        "prev": page_url(page.previous_page_number()) if page.has_previous() else None,
        "next": page_url(page.next_page_number()) if page.has_next() else None,
        "count": len(items),
        "items": items,
    }
    # Compact: a program reads the file, and indentation made a page a fifth larger.
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return _file_response(text, "application/json; charset=utf-8", f"{slug}.json")


# The calendar


def _visible_area(viewer: Viewer, slug: str) -> Omrade:
    """The area of a per-area feed: unknown or not public answers 404, as its page does to
    residents (one query)."""
    return get_object_or_404(
        Omrade.objects.visible_to(viewer).only("pk", "slug", "kortnamn"), slug=slug
    )


@public_cache
@require_safe
def activities_ical(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Public activities as iCalendar (RFC 5545): all-day events when no time is known.

    With `slug`: the same calendar of one area's activities (open_data_area_ical).
    """
    viewer = viewer_of(request).as_resident()
    # 1 (per area): the visible area
    omrade = _visible_area(viewer, slug) if slug is not None else None
    tz = ZoneInfo(settings.TIME_ZONE)
    # A UID names the event whatever address the calendar was fetched from: SITE_URL's host.
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    stamp = viewer.now.replace(microsecond=0)
    cal = Calendar()
    with translation.override("sv"):
        kommun = Kommun.objects.current().visningsnamn
    # A TEXT value, which icalendar escapes: a name with a line break stays one line.
    cal.add("prodid", f"-//{kommun}//Kommungemensamt//SV")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    with translation.override("sv"):
        if omrade is None:
            name = gettext("Activities of the joint areas – %(kommun)s") % {"kommun": kommun}
        else:
            name = gettext("Activities of the joint area %(area)s – %(kommun)s") % {
                "area": omrade.kortnamn,
                "kommun": kommun,
            }
        # A text value, escaped as TEXT is (RFC 5545 3.3.11): an area's name with a line
        # break in it stays one line. Left to itself icalendar writes an X- property raw.
        cal.add("x-wr-calname", vText(name))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    # 1: the visible activities (of the area); 2: their visible areas
    for a in visible_activities(viewer, omrade):
        event = Event()
        event.add("uid", f"aktivitet-{a.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", a.titel)
        if a.beskrivning:
            event.add("description", a.beskrivning)
        if a.plats:
            event.add("location", a.plats)
        if a.starttid:
            event.add("dtstart", dt.datetime.combine(a.datum, a.starttid, tzinfo=tz))
            if a.sluttid:
                event.add("dtend", dt.datetime.combine(a.datum, a.sluttid, tzinfo=tz))
        else:
            # No time: an all-day event; DTEND of a date is exclusive, so the next day.
            event.add("dtstart", a.datum)
            event.add("dtend", a.datum + dt.timedelta(days=1))
        if a.public_areas:
            event.add("categories", [o.kortnamn for o in a.public_areas])
        with translation.override("sv"):
            event.add("url", request.build_absolute_uri(reverse("omraden:aktivitet", args=[a.pk])))
        cal.add_component(event)
    cal.add_missing_timezones()
    filename = "aktiviteter.ics" if omrade is None else f"aktiviteter-{omrade.slug}.ics"
    return _file_response(cal.to_ical(), "text/calendar; charset=utf-8", filename)


# The feed


@dataclass(frozen=True)
class FeedScope:
    """What a feed shows: what `viewer` sees, of one area or (None) of the whole portal."""

    viewer: Viewer
    omrade: Omrade | None = None


class UppfoljningarFeed(Feed):
    """Newly published follow-ups and reports (Atom), newest first; only public ones.

    With `slug` (open_data_area_feed): the same feed of one area's follow-ups (no reports,
    which belong to no area).
    """

    feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # One language for the feed whatever the visitor's browser says.
        with translation.override("sv"):
            response = super().__call__(request, *args, **kwargs)
        slug = kwargs.get("slug")
        filename = f"uppfoljningar-{slug}.atom" if slug else "uppfoljningar.atom"
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        response["Access-Control-Allow-Origin"] = "*"
        return response

    def get_object(
        self, request: HttpRequest, *args: Any, slug: str | None = None, **kwargs: Any
    ) -> FeedScope:
        # The feed's "object" is who reads it, the request's viewer seen as a resident, and
        # the area it is about.
        viewer = viewer_of(request).as_resident()
        # 1 (per area): the visible area
        omrade = _visible_area(viewer, slug) if slug is not None else None
        return FeedScope(viewer, omrade)

    def title(self, scope: FeedScope) -> str:
        kommun = Kommun.objects.current().visningsnamn
        if scope.omrade is None:
            return gettext("Follow-ups and reports – Joint areas, %(kommun)s") % {"kommun": kommun}
        return gettext("Follow-ups of %(area)s – Joint areas, %(kommun)s") % {
            "area": scope.omrade.kortnamn,
            "kommun": kommun,
        }

    def subtitle(self, scope: FeedScope) -> str:
        if scope.omrade is None:
            return gettext(
                "Newly published follow-ups of the joint areas and the chief executive's reports."
            )
        return gettext("Newly published follow-ups of the joint area %(area)s.") % {
            "area": scope.omrade.kortnamn
        }

    # Links are paths: the syndication framework puts the request's scheme and host before
    # them. The ids (feed_guid, item_guid) stay on SITE_URL, so that an entry keeps its id
    # whatever address a reader subscribed with; an entry has the same id in the area's
    # feed as in the whole portal's (it is the same entry).

    def link(self, scope: FeedScope) -> str:
        if scope.omrade is None:
            return reverse("open_data")
        return scope.omrade.get_absolute_url()

    def feed_url(self, scope: FeedScope) -> str:
        if scope.omrade is None:
            return reverse("open_data_feed")
        return reverse("open_data_area_feed", args=[scope.omrade.slug])

    def feed_guid(self, scope: FeedScope) -> str:
        return absolute(self.feed_url(scope))

    def items(self, scope: FeedScope) -> list[Publicering | Rapport]:
        # 1: the newest visible publications (of the area) with follow-up, period, area and
        # assignment
        pubs = Publicering.objects.visible_to(scope.viewer)
        if scope.omrade is not None:
            pubs = pubs.filter(uppfoljning__omrade=scope.omrade)
        items: list[Publicering | Rapport] = list(
            pubs.select_related(
                "uppfoljning__period", "uppfoljning__omrade", "uppfoljning__uppdrag"
            ).order_by("-publicerad_at", "-pk")[:FEED_ENTRIES]
        )
        if scope.omrade is None:
            # 2: the newest visible reports
            items += Rapport.objects.visible_to(scope.viewer).order_by("-datum", "-pk")[
                :FEED_ENTRIES
            ]
        items.sort(key=self.item_updateddate, reverse=True)
        return items[:FEED_ENTRIES]

    def item_title(self, item: Publicering | Rapport) -> str:
        if isinstance(item, Rapport):
            return item.titel
        u = item.uppfoljning
        subject = u.omrade.kortnamn if u.omrade_id else u.uppdrag.namn
        return f"{subject} – {u.period.kort}: {item.get_status_display()}"

    def item_description(self, item: Publicering | Rapport) -> str:
        # The entry's content is HTML (Atom type="html"): the Markdown rendered and sanitised
        # as on the pages (nh3), never the stored text, which a feed reader would run.
        if isinstance(item, Rapport):
            ctx = {"summary": item.sammanfattning}
        else:
            ctx = {"summary": item.sammanfattning, "cause": item.orsak, "actions": item.atgarder}
        return render_to_string("oppna_data/feed_entry.html", ctx).strip()

    def item_link(self, item: Publicering | Rapport) -> str:
        if isinstance(item, Rapport):
            return reverse("uppfoljning:rapport", args=[item.slug])
        u = item.uppfoljning
        if u.omrade_id:
            return u.omrade.get_absolute_url()
        return reverse("uppfoljning:uppdrag", args=[u.uppdrag.slug])

    def item_guid(self, item: Publicering | Rapport) -> str:
        kind = "rapport" if isinstance(item, Rapport) else "publicering"
        return absolute(f"{reverse('open_data_feed')}#{kind}-{item.pk}")

    def item_guid_is_permalink(self, item: Publicering | Rapport) -> bool:
        return False

    def item_updateddate(self, item: Publicering | Rapport) -> dt.datetime:
        if isinstance(item, Rapport):
            midnight = dt.datetime.combine(item.datum, dt.time())
            return timezone.make_aware(midnight)
        return item.publicerad_at

    def item_pubdate(self, item: Publicering | Rapport) -> dt.datetime:
        return self.item_updateddate(item)

    def item_author_name(self, item: Publicering | Rapport) -> str:
        return Kommun.objects.current().publisher_name


# The catalogue


@public_cache
@require_safe
def dcat(request: HttpRequest) -> HttpResponse:
    """A DCAT-AP-SE catalogue (RDF/XML) of every dataset, for Sweden's data portal to harvest.

    Every resource has an absolute IRI on the address the catalogue was asked for (no blank
    nodes). Each area's feeds are datasets of their own, each the area's part of a
    site-wide dataset (AREA_FEEDS): one query, for the visible areas.
    """
    base = request.build_absolute_uri(reverse("open_data_dcat"))
    with translation.override("sv"):
        landing_page = request.build_absolute_uri(reverse("open_data"))
    datasets = []
    for d in DATASETS:
        texts = {}
        for lang in ("sv", "en"):
            with translation.override(lang):
                texts[lang] = {
                    "title": str(d.title),
                    "description": str(d.description),
                    "keywords": [str(k) for k in d.keywords],
                }
        dists = _distributions(request, d)
        for dist in dists:
            dist["iri"] = f"{base}#{d.slug}-{dist['key']}"
            for lang in ("sv", "en"):
                with translation.override(lang):
                    dist[f"title_{lang}"] = f"{texts[lang]['title']} ({dist['format']})"
                    if dist.get("paged"):
                        dist[f"description_{lang}"] = gettext(
                            "Pages of %(size)s records, newest first. Each page gives the "
                            "total and the addresses of the first, previous, next and last "
                            "page; the CSV distribution holds the whole dataset."
                        ) % {"size": PAGE_SIZE}
        datasets.append(
            {
                "slug": d.slug,
                "iri": f"{base}#{d.slug}",
                "sv": texts["sv"],
                "en": texts["en"],
                "distributions": dists,
                "landing_page": f"{landing_page}#{d.slug}",
                "kolada": d.slug == "indikatorer",
            }
        )
    # 1: the visible areas
    areas = (
        Omrade.objects.visible_to(viewer_of(request).as_resident())
        .order_by("nummer")
        .only("slug", "kortnamn", "nummer")
    )
    for o in areas:
        with translation.override("sv"):
            area_page = request.build_absolute_uri(o.get_absolute_url())
        for f in AREA_FEEDS:
            slug = f"omrade-{o.slug}-{f.dataset}"
            parent = DATASETS_BY_SLUG[f.dataset]
            url = request.build_absolute_uri(reverse(f.url_name, args=[o.slug]))
            dist = _feed_distribution(url, f.label, f.media_type)
            dist["iri"] = f"{base}#{slug}-{dist['key']}"
            texts = {}
            for lang in ("sv", "en"):
                with translation.override(lang):
                    title = str(f.title) % {"area": o.kortnamn}
                    texts[lang] = {
                        "title": title,
                        "description": str(f.description) % {"area": o.kortnamn},
                        "keywords": [*(str(k) for k in parent.keywords), o.kortnamn],
                    }
                    dist[f"title_{lang}"] = f"{title} ({dist['format']})"
            datasets.append(
                {
                    "slug": slug,
                    "iri": f"{base}#{slug}",
                    "sv": texts["sv"],
                    "en": texts["en"],
                    "distributions": [dist],
                    # The area's page, which links its feeds.
                    "landing_page": area_page,
                    # The site-wide dataset this is the area's part of.
                    "relation": f"{base}#{f.dataset}",
                }
            )
    kommun = Kommun.objects.current()
    texts = {}
    for lang in ("sv", "en"):
        with translation.override(lang):
            names = {"kommun": kommun.visningsnamn}
            texts[lang] = {
                "title": gettext("Open data from the joint areas of %(kommun)s") % names,
                "description": gettext(
                    "Follow-ups, activities, indicators and residents' input of the joint "
                    "areas (kommungemensamma områden) of %(kommun)s."
                )
                % names,
            }
    ctx = {
        "base": base,
        "catalog_iri": f"{base}#katalog",
        "publisher_iri": f"{base}#utgivare",
        "contact_iri": f"{base}#kontakt",
        "publisher_name": kommun.publisher_name,
        "publisher_url": kommun.publisher_url,
        "contact_email": getattr(settings, "OPEN_DATA_CONTACT_EMAIL", settings.DEFAULT_FROM_EMAIL),
        "landing_page": landing_page,
        "license_url": LICENSE_URL,
        "texts": texts,
        "datasets": datasets,
    }
    xml = render_to_string("oppna_data/dcat.xml", ctx)
    return _file_response(xml, "application/rdf+xml; charset=utf-8", "dcat.rdf")
