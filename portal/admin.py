from __future__ import annotations

from django.contrib import admin

from portal.models import KandBrist, Tillganglighetsredogorelse


class KandBristInline(admin.StackedInline):
    model = KandBrist
    extra = 0


@admin.register(Tillganglighetsredogorelse)
class TillganglighetsredogorelseAdmin(admin.ModelAdmin):
    list_display = ["tjanst", "efterlevnad", "bedomd", "senast_uppdaterad"]
    inlines = [KandBristInline]
