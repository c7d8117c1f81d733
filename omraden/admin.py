from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from omraden.models import (
    Aktivitet,
    Anmalan,
    Fas,
    Initiativ,
    Inspel,
    Ledartroja,
    Omrade,
    Person,
)
from portal.admin_mixins import EnglishVersionAdmin, FormattedTextAdmin


class LedartrojaInline(admin.TabularInline):
    model = Ledartroja
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["namn", "titel", "epost", "user", "fiktiv"]
    list_filter = ["fiktiv"]
    search_fields = ["namn", "titel", "epost"]
    autocomplete_fields = ["user"]


@admin.register(Fas)
class FasAdmin(EnglishVersionAdmin, FormattedTextAdmin, admin.ModelAdmin):
    list_display = ["ordning", "namn"]
    formatted_fields = ("beskrivning", "beskrivning_en")


@admin.register(Omrade)
class OmradeAdmin(EnglishVersionAdmin, FormattedTextAdmin, admin.ModelAdmin):
    formatted_fields = ("beskrivning", "paverkan_text", "beskrivning_en", "paverkan_text_en")
    list_display = ["nummer", "kortnamn", "fraga", "fadder", "fas", "publik", "paverkansniva"]
    list_display_links = ["nummer", "kortnamn"]
    list_filter = ["publik", "fas", "paverkansniva"]
    search_fields = ["kortnamn", "fraga", "fadder__namn"]
    prepopulated_fields = {"slug": ["kortnamn"]}
    autocomplete_fields = ["fadder"]
    inlines = [LedartrojaInline]


@admin.register(Ledartroja)
class LedartrojaAdmin(admin.ModelAdmin):
    list_display = ["person", "omrade", "slot", "aktiv", "fran", "till"]
    list_filter = ["aktiv", "omrade"]
    search_fields = ["person__namn", "omrade__kortnamn"]
    autocomplete_fields = ["person"]


@admin.register(Initiativ)
class InitiativAdmin(FormattedTextAdmin, admin.ModelAdmin):
    formatted_fields = ("beskrivning",)
    list_display = ["titel", "omrade", "fas", "publik", "andrad"]
    list_filter = ["omrade", "fas", "publik"]
    search_fields = ["titel", "beskrivning"]


@admin.register(Aktivitet)
class AktivitetAdmin(EnglishVersionAdmin, FormattedTextAdmin, admin.ModelAdmin):
    formatted_fields = ("beskrivning", "protokoll", "beskrivning_en")
    list_display = ["titel", "datum", "starttid", "plats", "publik", "kapacitet", "antal_deltagare"]
    list_filter = ["publik", "oppen_for_invanare", "omraden"]
    search_fields = ["titel", "beskrivning", "plats"]
    date_hierarchy = "datum"
    filter_horizontal = ["omraden"]


@admin.register(Inspel)
class InspelAdmin(admin.ModelAdmin):
    list_display = ["skapad", "typ", "omrade", "status", "kort_text"]
    list_filter = ["status", "typ", "omrade"]
    search_fields = ["text", "publicerad_text", "svar"]
    date_hierarchy = "skapad"
    # The input as received is a record (allmän handling): it is never edited.
    readonly_fields = ["text", "skapad"]

    def has_delete_permission(self, request: HttpRequest, obj: Inspel | None = None) -> bool:
        # Nothing is deleted by hand: rejected input is hidden, contact details are removed
        # by `manage.py gallra` according to the retention rules.
        return False

    @admin.display(description=_("text"))
    def kort_text(self, obj: Inspel) -> str:
        return obj.text[:80]


@admin.register(Anmalan)
class AnmalanAdmin(admin.ModelAdmin):
    list_display = ["aktivitet", "status", "skapad", "avbokad_at", "gallrad_at"]
    list_filter = ["status", "aktivitet"]
    readonly_fields = ["token", "skapad", "avbokad_at", "gallrad_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Anmalan | None = None) -> bool:
        # Seats move only through sign-up and cancellation; personal data goes through gallra.
        return False
