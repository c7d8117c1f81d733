from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin_mixins import EnglishVersionAdmin, FormattedTextAdmin
from uppfoljning.models import (
    FIRST_YEAR,
    LAST_YEAR,
    Historik,
    Indikator,
    Matvarde,
    Paminnelse,
    Period,
    Publicering,
    Rapport,
    Uppdrag,
    Uppfoljning,
)
from uppfoljning.services import PUBLISHED_TEXTS


class ReadOnlyAdmin(admin.ModelAdmin):
    """For append-only records: visible to administrators, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class YearForm(forms.Form):
    """The year whose periods the page offers to create (a GET form: it only chooses)."""

    ar = forms.IntegerField(
        label=_("Year"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages={
            "invalid": _("Write the year as four digits, e.g. 2027."),
            "min_value": _("Write a year from %(limit_value)s on."),
            "max_value": _("Write a year up to %(limit_value)s."),
        },
    )


def _deadline_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Write the deadline as YYYY-MM-DD."),
            "invalid": _("Write the date as YYYY-MM-DD."),
        },
    )


class CreateYearForm(forms.Form):
    """A year's three deadlines, pre-filled from settings.PERIOD_DEADLINES and editable."""

    FIELDS = {1: "deadline_t1", 2: "deadline_t2", 3: "deadline_ar"}

    ar = forms.IntegerField(widget=forms.HiddenInput, min_value=FIRST_YEAR, max_value=LAST_YEAR)
    deadline_t1 = _deadline_field(_("Reporting deadline T1"))
    deadline_t2 = _deadline_field(_("Reporting deadline T2"))
    deadline_ar = _deadline_field(_("Reporting deadline annual report (ÅR)"))

    @classmethod
    def initial_for(cls, ar: int) -> dict[str, Any]:
        defaults = Period.default_deadlines(ar)
        return {"ar": ar, **{name: defaults[t] for t, name in cls.FIELDS.items()}}

    def deadlines(self) -> dict[int, Any]:
        """The deadlines typed as dates (all three once the form is valid)."""
        return {
            t: self.cleaned_data[name]
            for t, name in self.FIELDS.items()
            if self.cleaned_data.get(name)
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "ar" not in cleaned:
            return cleaned
        try:
            Period.validate_year(cleaned["ar"], self.deadlines())
        except ValidationError as error:
            for key, messages_ in error.message_dict.items():
                field = None if key == "ar" else self.FIELDS[int(key)]
                for message in messages_:
                    self.add_error(field, message)
        return cleaned


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "ar", "tertial", "deadline", "tillstand", "stangd_at"]
    list_filter = ["ar", "tertial", "tillstand"]
    readonly_fields = ["stangd_at"]
    actions = ["open_periods", "close_periods", "delete_selected"]
    change_list_template = "admin/uppfoljning/period/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        create_year = self.admin_site.admin_view(self.create_year_view)
        return [
            path("skapa-ar/", create_year, name="uppfoljning_period_skapa_ar"),
            *super().get_urls(),
        ]

    def create_year_view(self, request: HttpRequest) -> HttpResponse:
        """A year's T1, T2 and ÅR in one step: choose the year (GET), check the deadlines,
        create (POST). Periods that exist are listed and left alone."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = CreateYearForm(request.POST)
            if form.is_valid():
                ar = form.cleaned_data["ar"]
                result = Period.objects.create_year(ar, form.deadlines())
                self._report_created(request, result)
                changelist = reverse("admin:uppfoljning_period_changelist")
                return HttpResponseRedirect(f"{changelist}?ar={ar}")
            ar = form.cleaned_data.get("ar") or self._suggested_year()
            year_form = YearForm(initial={"ar": ar})
        else:
            # The year chosen with the GET form, else the one after the latest period's.
            year_form = YearForm(request.GET if "ar" in request.GET else None)
            ar = year_form.cleaned_data["ar"] if year_form.is_valid() else self._suggested_year()
            if not year_form.is_bound:
                year_form = YearForm(initial={"ar": ar})
            form = CreateYearForm(initial=CreateYearForm.initial_for(ar))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Create a year's periods"),
            "year_form": year_form,
            "form": form,
            "ar": ar,
            # The year's periods that exist already: they will be left as they are.
            "existing": list(Period.objects.filter(ar=ar)),
        }
        return TemplateResponse(request, "admin/uppfoljning/period/skapa_ar.html", context)

    def _suggested_year(self) -> int:
        latest = Period.objects.order_by("-ar").values_list("ar", flat=True).first()
        return max((latest or 0) + 1, timezone.localdate().year)

    def _report_created(self, request: HttpRequest, result: list[tuple[Period, bool]]) -> None:
        created = [p for p, was_created in result if was_created]
        kept = [p for p, was_created in result if not was_created]
        for period in created:
            self.log_addition(request, period, [{"added": {}}])
        if created:
            self.message_user(
                request,
                ngettext(
                    "%(count)s period created: %(periods)s.",
                    "%(count)s periods created: %(periods)s.",
                    len(created),
                )
                % {"count": len(created), "periods": ", ".join(str(p) for p in created)},
                messages.SUCCESS,
            )
        if kept:
            self.message_user(
                request,
                ngettext(
                    "%(count)s period existed already and was left as it is: %(periods)s.",
                    "%(count)s periods existed already and were left as they are: %(periods)s.",
                    len(kept),
                )
                % {"count": len(kept), "periods": ", ".join(str(p) for p in kept)},
                messages.WARNING,
            )

    def has_delete_permission(self, request: HttpRequest, obj: Period | None = None) -> bool:
        # A period with follow-ups is kept (the PROTECT foreign key refuses it in the
        # database too): no delete link, no delete page.
        if obj is not None and obj.uppfoljningar.exists():
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Delete the chosen periods"), permissions=["delete"])
    def delete_selected(self, request: HttpRequest, queryset: QuerySet[Period]) -> Any:
        """Django's delete action, refused whole when a chosen period has follow-ups."""
        with_follow_ups = list(
            queryset.filter(Exists(Uppfoljning.objects.filter(period=OuterRef("pk"))))
        )
        if with_follow_ups:
            self.message_user(
                request,
                ngettext(
                    "Nothing was deleted: %(periods)s has follow-ups, and a period with "
                    "follow-ups cannot be deleted.",
                    "Nothing was deleted: %(periods)s have follow-ups, and a period with "
                    "follow-ups cannot be deleted.",
                    len(with_follow_ups),
                )
                % {"periods": ", ".join(str(p) for p in with_follow_ups)},
                messages.ERROR,
            )
            return None
        return django_delete_selected(self, request, queryset)

    @admin.action(description=_("Open the chosen periods for reporting"), permissions=["change"])
    def open_periods(self, request: HttpRequest, queryset: Any) -> None:
        for period in queryset:
            period.open()
        self.message_user(
            request,
            ngettext("%(count)s period opened.", "%(count)s periods opened.", len(queryset))
            % {"count": len(queryset)},
        )

    @admin.action(description=_("Close the chosen periods"), permissions=["change"])
    def close_periods(self, request: HttpRequest, queryset: Any) -> None:
        # Closing makes the period's follow-ups read-only for everyone but administrators.
        for period in queryset:
            period.close()
        self.message_user(
            request,
            ngettext("%(count)s period closed.", "%(count)s periods closed.", len(queryset))
            % {"count": len(queryset)},
        )


@admin.register(Uppdrag)
class UppdragAdmin(FormattedTextAdmin, admin.ModelAdmin):
    formatted_fields = ("beskrivning",)
    list_display = ["namn", "kommunplan_ar", "overgripande", "ordning"]
    list_filter = ["kommunplan_ar", "overgripande"]
    search_fields = ["namn", "beskrivning"]
    prepopulated_fields = {"slug": ["namn"]}
    # The areas whose work the assignment is followed up through (shown on both public pages).
    filter_horizontal = ["omraden"]


class PubliceringInline(admin.TabularInline):
    model = Publicering
    extra = 0
    can_delete = False
    fields = ["version", "status", "publicerad_at", "publicerad_av"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Uppfoljning)
class UppfoljningAdmin(EnglishVersionAdmin, FormattedTextAdmin, admin.ModelAdmin):
    formatted_fields = tuple(PUBLISHED_TEXTS)
    list_display = ["__str__", "period", "omrade", "uppdrag", "status", "tillstand", "andrad_at"]
    list_filter = ["period", "status", "tillstand", "omrade"]
    search_fields = ["sammanfattning", "orsak", "atgarder", "omrade__kortnamn", "uppdrag__namn"]
    readonly_fields = ["version", "andrad_at", "andrad_av"]
    inlines = [PubliceringInline]


@admin.register(Publicering)
class PubliceringAdmin(EnglishVersionAdmin, ReadOnlyAdmin):
    list_display = ["uppfoljning", "version", "status", "publicerad_at", "publicerad_av"]
    list_filter = ["status", "uppfoljning__period"]
    search_fields = ["sammanfattning", "orsak", "atgarder"]


@admin.register(Paminnelse)
class PaminnelseAdmin(ReadOnlyAdmin):
    list_display = ["skickad_at", "period", "person", "epost"]
    list_filter = ["period"]


@admin.register(Historik)
class HistorikAdmin(ReadOnlyAdmin):
    list_display = ["tid", "uppfoljning", "handling", "av", "version"]
    list_filter = ["handling", "uppfoljning__period"]
    search_fields = ["uppfoljning__omrade__kortnamn", "uppfoljning__uppdrag__namn"]
    date_hierarchy = "tid"


class MatvardeInline(admin.TabularInline):
    model = Matvarde
    extra = 0


@admin.register(Indikator)
class IndikatorAdmin(FormattedTextAdmin, admin.ModelAdmin):
    formatted_fields = ("beskrivning",)
    list_display = [
        "namn",
        "horisont",
        "enhet",
        "riktning",
        "startlage_kommun",
        "startlage_riket",
        "kolada_kpi",
    ]
    list_filter = ["horisont", "enhet", "riktning", "uppdrag"]
    search_fields = ["namn", "kalla", "kolada_kpi"]
    inlines = [MatvardeInline]


@admin.register(Matvarde)
class MatvardeAdmin(admin.ModelAdmin):
    list_display = ["indikator", "ar", "kommun", "riket", "kalla", "hamtad_at"]
    list_filter = ["kalla", "ar"]
    search_fields = ["indikator__namn"]


@admin.register(Rapport)
class RapportAdmin(FormattedTextAdmin, admin.ModelAdmin):
    formatted_fields = ("sammanfattning",)
    list_display = ["titel", "datum", "publik"]
    list_filter = ["publik"]
    search_fields = ["titel", "sammanfattning"]
    date_hierarchy = "datum"
    prepopulated_fields = {"slug": ["titel"]}
