from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from konto.models import Gruppmappning, Katalogkonto


@admin.register(Gruppmappning)
class GruppmappningAdmin(admin.ModelAdmin):
    """Which directory group gives which role: the administrator's half of docs/sso.md."""

    list_display = ["kalla", "idp_grupp", "beskrivning", "roll"]
    list_filter = ["kalla", "roll"]
    search_fields = ["idp_grupp", "beskrivning"]


@admin.register(Katalogkonto)
class KatalogkontoAdmin(admin.ModelAdmin):
    """Who signs in through which provider; written by the sign-in, read here."""

    list_display = ["user", "kalla", "subjekt", "senaste_inloggning", "inaktiverad_av_katalogen"]
    list_filter = ["kalla", "inaktiverad_av_katalogen"]
    search_fields = ["user__username", "user__email", "subjekt"]
    list_select_related = ["user"]
    readonly_fields = ["user", "kalla", "subjekt", "senaste_inloggning"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
