from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from granskning import audit
from granskning.models import Granskningslogg
from konto.models import Gruppmappning, Katalogkonto


def _audit_mapping(request: HttpRequest, mapping: Gruppmappning, change: str) -> None:
    # Who gets which role is decided here, so a mapping's change is a role change.
    audit(
        action=Granskningslogg.Handling.ROLL_ANDRAD,
        obj=mapping,
        request=request,
        gruppmappning=change,
        kalla=mapping.kalla,
        idp_grupp=mapping.idp_grupp,
        roll=mapping.roll,
    )


@admin.register(Gruppmappning)
class GruppmappningAdmin(admin.ModelAdmin):
    """Which directory group gives which role: the administrator's half of docs/sso.md."""

    list_display = ["kalla", "idp_grupp", "beskrivning", "roll"]
    list_filter = ["kalla", "roll"]
    search_fields = ["idp_grupp", "beskrivning"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _audit_mapping(request, obj, "andrad" if change else "tillagd")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _audit_mapping(request, obj, "borttagen")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for mapping in queryset:
            _audit_mapping(request, mapping, "borttagen")
        super().delete_queryset(request, queryset)


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
