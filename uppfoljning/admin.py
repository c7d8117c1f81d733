from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin_mixins import FormattedTextAdmin
from uppfoljning.models import (
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """For append-only records: visible to administrators, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "ar", "tertial", "deadline", "tillstand", "stangd_at"]
    list_filter = ["ar", "tertial", "tillstand"]
    readonly_fields = ["stangd_at"]
    actions = ["open_periods", "close_periods"]

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


class PubliceringInline(admin.TabularInline):
    model = Publicering
    extra = 0
    can_delete = False
    fields = ["version", "status", "publicerad_at", "publicerad_av"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Uppfoljning)
class UppfoljningAdmin(FormattedTextAdmin, admin.ModelAdmin):
    formatted_fields = ("sammanfattning", "orsak", "atgarder")
    list_display = ["__str__", "period", "omrade", "uppdrag", "status", "tillstand", "andrad_at"]
    list_filter = ["period", "status", "tillstand", "omrade"]
    search_fields = ["sammanfattning", "orsak", "atgarder", "omrade__kortnamn", "uppdrag__namn"]
    readonly_fields = ["version", "andrad_at", "andrad_av"]
    inlines = [PubliceringInline]


@admin.register(Publicering)
class PubliceringAdmin(ReadOnlyAdmin):
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
        "startlage_tyreso",
        "startlage_riket",
        "kolada_kpi",
    ]
    list_filter = ["horisont", "enhet", "riktning", "uppdrag"]
    search_fields = ["namn", "kalla", "kolada_kpi"]
    inlines = [MatvardeInline]


@admin.register(Matvarde)
class MatvardeAdmin(admin.ModelAdmin):
    list_display = ["indikator", "ar", "tyreso", "riket", "kalla", "hamtad_at"]
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
