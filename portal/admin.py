from __future__ import annotations

from django.contrib import admin

from portal.admin_mixins import FormattedTextAdmin
from portal.models import KandBrist, Tillganglighetsredogorelse


class KandBristInline(FormattedTextAdmin, admin.StackedInline):
    formatted_fields = ("beskrivning", "atgard")
    model = KandBrist
    extra = 0


@admin.register(Tillganglighetsredogorelse)
class TillganglighetsredogorelseAdmin(FormattedTextAdmin, admin.ModelAdmin):
    formatted_fields = ("utvarderingsmetod", "rapportera_text")
    list_display = ["tjanst", "efterlevnad", "bedomd", "senast_uppdaterad"]
    inlines = [KandBristInline]
