"""Indicators: the public pages with charts, and the staff pages for manual values."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from portal import roles
from portal.lib.choices import labels
from portal.lib.urls import address_for
from portal.page_cache import public_cache
from uppfoljning.charts import (
    Senaste,
    build_chart,
    build_sparkline,
    fmt,
    latest,
    source_text,
    summary,
    table_rows,
)
from uppfoljning.indikator_forms import MatvardeForm
from uppfoljning.models import Indikator, Matvarde, attach_values

# Indicators per page of the public list: the ten of the municipal plan fit on the first page,
# as many as a page of residents' input holds; a page of ten cards costs the same however
# many indicators there are.
PER_PAGE = 10


def choice_labels() -> dict[str, dict[str, str]]:
    """The target and horizon labels and the headings of the facts, in the current language.

    Looked up once per request (portal/lib/choices.py), not by `get_riktning_display` or a
    {% translate %} on each card.
    """
    return {
        "riktning": labels(Indikator.Riktning),
        "horisont": {value: label.lower() for value, label in labels(Indikator.Horisont).items()},
        # Escaped once here for facts(), not once on each card.
        "facts": {
            "target": escape(_("Target")),
            "latest": escape(_("Latest value")),
            "source": escape(_("Source")),
            "nation": escape(_("nation")),
            "no_value": escape(_("No value yet")),
            # As {% blocktranslate %} has it: the translation as it is, the year escaped.
            "baseline": _("Baseline %(ar)s"),
        },
    }


def _as_blocktranslate(text: str, **values: object) -> SafeString:
    """What {% blocktranslate %} renders: the translation as it is, its values escaped."""
    return mark_safe(text % {name: conditional_escape(value) for name, value in values.items()})


def facts(
    indikator: Indikator, senaste: Senaste | None, labels: dict[str, dict[str, str]]
) -> SafeString:
    """Target, baseline, latest value and source of one indicator: a <dl>.

    A page of the list of indicators shows ten of these, the indicator's page one. Put
    together with f-strings, every text escaped with `escape` (html.escape: what autoescaping
    does; the headings once per request, in choice_labels()), as Sparkline.svg() is: twenty
    template tags, or format_html(), on each card were a large part of the list's time when
    it showed all fifty.
    """
    words = labels["facts"]
    target = labels["riktning"].get(indikator.riktning, indikator.riktning)
    horizon = labels["horisont"].get(indikator.horisont, indikator.horisont)
    rows = [
        f"<div><dt>{words['target']}</dt><dd>{escape(target)} "
        f'<span class="muted">({escape(horizon)})</span></dd></div>'
    ]
    if indikator.startlage_ar:
        heading = _as_blocktranslate(words["baseline"], ar=indikator.startlage_ar)
        tyreso = fmt(indikator.startlage_tyreso, indikator.enhet)
        riket = fmt(indikator.startlage_riket, indikator.enhet)
        source = source_text(indikator, "startlage")
        rows.append(
            f"<div><dt>{heading}</dt><dd>Tyresö {escape(tyreso)}, {words['nation']} "
            f'{escape(riket)} <span class="muted">– {escape(source)}</span></dd></div>'
        )
    if indikator.has_figures:
        if senaste is None:
            value = words["no_value"]
        else:
            nation = ""
            if senaste.riket != "–":
                nation = f", {words['nation']} {escape(senaste.riket)}"
            value = (
                f"{senaste.ar}: Tyresö {escape(senaste.tyreso)}{nation} "
                f'<span class="muted">– {escape(senaste.kalla)}</span>'
            )
        rows.append(f"<div><dt>{words['latest']}</dt><dd>{value}</dd></div>")
    rows.append(f"<div><dt>{words['source']}</dt><dd>{escape(indikator.kalla)}</dd></div>")
    return mark_safe('<dl class="facts indikator-fakta">\n  ' + "\n  ".join(rows) + "\n</dl>")


def assessment(indikator: Indikator) -> SafeString:
    """For an indicator without figures: how it is assessed, with a link to the assignment."""
    text = _as_blocktranslate(
        _(
            "This indicator is not measured with a figure: it is assessed in words in the "
            "follow-up of the municipal plan (%(kalla)s). The assessment is published with "
            "the follow-up of the assignment."
        ),
        kalla=indikator.kalla,
    )
    if indikator.uppdrag is None:
        return text
    url = reverse("uppfoljning:uppdrag", args=[indikator.uppdrag.slug])
    link = _as_blocktranslate(_("Read the follow-up of “%(namn)s”"), namn=indikator.uppdrag.namn)
    return mark_safe(f'{text} <a href="{escape(url)}">{link}</a>')


def present(indikator: Indikator) -> dict[str, Any]:
    """Everything the indicator's page shows of it (from prefetched values)."""
    punkter = indikator.serie()
    rows = table_rows(indikator, punkter)
    return {
        "indikator": indikator,
        "facts": facts(indikator, latest(indikator, punkter), choice_labels()),
        "assessment": None if indikator.has_figures else assessment(indikator),
        "chart": build_chart(indikator, punkter) if indikator.has_figures else None,
        "summary": summary(indikator, punkter),
        "rows": rows,
        # Every source in the chart, in order of appearance, so the chart itself names them.
        "sources": list(dict.fromkeys(r.kalla for r in rows)),
    }


def present_card(
    indikator: Indikator,
    labels: dict[str, dict[str, str]],
    detail_url: Callable[[str], str],
) -> dict[str, Any]:
    """One indicator on the list page: its facts and a small trend line, no table.

    The list stays small however many years of values there are; the indicator's own page
    (present()) holds the chart, the summary and the table of every year. What the card
    shows is worked out here as plain values: when the list showed all fifty, their template
    tags and attribute lookups were most of the page's time.
    """
    punkter = indikator.serie()
    has_figures = indikator.has_figures
    sparkline = build_sparkline(indikator, punkter) if has_figures else None
    years = len(punkter)
    return {
        "indikator": indikator,
        "slug": indikator.slug,
        "namn": indikator.namn,
        "url": detail_url(indikator.slug),
        "assessment": None if has_figures else assessment(indikator),
        "facts": facts(indikator, latest(indikator, punkter) if has_figures else None, labels),
        "sparkline": sparkline.svg(indikator.slug) if sparkline else "",
        # The text of the link to the indicator's own page.
        "more": (
            _as_blocktranslate(
                ngettext(
                    "The chart and the value of %(years)s year",
                    "The chart and the values of %(years)s years",
                    years,
                ),
                years=years,
            )
            if years
            else _("More about the indicator")
        ),
    }


def latest_values(indikatorer: Iterable[Indikator]) -> list[dict[str, Any]]:
    """For the area and assignment pages: each indicator with its latest value.

    Pass `Indikator.objects.public().with_values().filter(...)`: two queries in all.
    """
    return [{"indikator": i, "latest": latest(i)} for i in indikatorer]


# Public pages


@public_cache
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    # Ordered as the open data file of indicators is; the pk makes the pages stable when two
    # indicators share an order number. An invalid ?sida= gives the first page and one past
    # the end the last, as on the other lists (Paginator.get_page).
    qs = Indikator.objects.public().select_related("uppdrag").order_by("ordning", "pk")
    # 1: the number of public indicators; 2: the page's indicators with their assignment
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("sida"))
    # 3: the years and figures of the page's indicators
    indikatorer = attach_values(list(page.object_list))
    labels = choice_labels()
    detail_url = address_for("indikatorer:detail")
    ctx = {"items": [present_card(i, labels, detail_url) for i in indikatorer], "page": page}
    return render(request, "uppfoljning/indikatorer.html", ctx)


@public_cache
@require_safe
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    indikator = get_object_or_404(Indikator.objects.public().with_values(), slug=slug)
    ctx = {"item": present(indikator)}
    return render(request, "uppfoljning/indikator.html", ctx)


# Staff pages (arbetsyta)


def _require_staff(request: HttpRequest) -> None:
    if not roles.can_view_staff_pages(request.user):
        raise PermissionDenied


@require_safe
@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    indikatorer = Indikator.objects.with_values()
    ctx = {
        "items": latest_values(indikatorer),
        "may_enter": roles.can_enter_indicator_values(request.user),
    }
    return render(request, "uppfoljning/arbetsyta_indikatorer.html", ctx)


@login_required
def workspace_detail(request: HttpRequest, slug: str) -> HttpResponse:
    _require_staff(request)
    indikator = get_object_or_404(Indikator.objects.with_values(), slug=slug)
    may_enter = roles.can_enter_indicator_values(request.user) and indikator.accepts_manual_values
    varden = list(indikator.varden.all())
    editing: Matvarde | None = None

    if request.method == "POST":
        if not may_enter:
            raise PermissionDenied
        form = MatvardeForm(request.POST, indikator=indikator, varden=varden)
        if form.is_valid():
            _row, change = indikator.set_value(
                ar=form.cleaned_data["ar"],
                tyreso=form.cleaned_data["tyreso"],
                riket=form.cleaned_data["riket"],
                kalla=Matvarde.Kalla.MANUELL,
            )
            notes = {
                "created": _("The value for %(year)s is saved."),
                "updated": _("The value for %(year)s is updated."),
                "unchanged": _("The value for %(year)s was already saved; nothing changed."),
            }
            messages.success(request, notes[change] % {"year": form.cleaned_data["ar"]})
            return redirect("indikatorer:workspace_detail", slug=indikator.slug)
        # An invalid form is shown again with its errors, with status 200.
        editing = next((v for v in varden if str(v.ar) == request.POST.get("original_ar")), None)
    else:
        editing = next((v for v in varden if str(v.ar) == request.GET.get("ar")), None)
        form = MatvardeForm(indikator=indikator, varden=varden, instance=editing)

    ctx = {
        "indikator": indikator,
        "rows": table_rows(indikator, indikator.serie()),
        "form": form,
        "editing": editing,
        "may_enter": may_enter,
        "stored_years": [v.ar for v in varden if v.kalla == Matvarde.Kalla.MANUELL],
    }
    return render(request, "uppfoljning/arbetsyta_indikator.html", ctx)
