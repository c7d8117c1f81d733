from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from granskning.models import Granskningslogg
from portal.roles import roles_for


@admin.register(Granskningslogg)
class GranskningsloggAdmin(admin.ModelAdmin):
    """Read-only, and only for administrators: nobody edits or deletes the audit log."""

    list_display = ["tid", "anvandarnamn", "handling", "objekt_typ", "objekt_text", "ip"]
    list_filter = ["handling"]
    search_fields = ["anvandarnamn", "objekt_text"]
    date_hierarchy = "tid"
    list_select_related = ["av"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return roles_for(request.user).is_admin

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return roles_for(request.user).is_admin

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
