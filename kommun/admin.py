from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kommun.forms import KommunForm
from kommun.models import Kommun


@admin.register(Kommun)
class KommunAdmin(admin.ModelAdmin):
    """The one municipality record: its list leads straight to it (or to adding it)."""

    form = KommunForm
    fieldsets = (
        (None, {"fields": ("namn", "namn_en", "kortnamn", "exempel", "inledning", "inledning_en")}),
        (
            _("Contact"),
            {
                "fields": (
                    "postadress",
                    "organisationsnummer",
                    "epost",
                    "telefon",
                    "webbplats",
                    "dataskyddsombud_epost",
                    "tillganglighet_epost",
                    "tillganglighet_telefon",
                )
            },
        ),
        (_("Open data"), {"fields": ("kolada_id", "utgivare", "utgivare_url")}),
        (_("Appearance"), {"fields": ("accentfarg", "logotyp_fil", "ta_bort_logotyp")}),
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("logotyp")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not Kommun.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        if Kommun.objects.exists():
            return HttpResponseRedirect(reverse("admin:kommun_kommun_change", args=[Kommun.PK]))
        if self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:kommun_kommun_add"))
        return super().changelist_view(request, extra_context)
