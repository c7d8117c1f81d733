from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from uppfoljning.models import (
    Historik,
    Indikator,
    Matvarde,
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


@admin.register(Uppdrag)
class UppdragAdmin(admin.ModelAdmin):
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
class UppfoljningAdmin(admin.ModelAdmin):
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
class IndikatorAdmin(admin.ModelAdmin):
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
class RapportAdmin(admin.ModelAdmin):
    list_display = ["titel", "datum", "publik"]
    list_filter = ["publik"]
    search_fields = ["titel", "sammanfattning"]
    date_hierarchy = "datum"
    prepopulated_fields = {"slug": ["titel"]}
