from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from utskick.models import Utskick


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "tillstand"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("vantar", _("Waiting")),
            ("fast", _("Stuck (claimed, never marked sent)")),
            ("skickat", _("Sent")),
            ("avbrutet", _("Given up")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Utskick]) -> QuerySet[Utskick]:
        match self.value():
            case "vantar":
                return queryset.waiting()
            case "fast":
                return queryset.stuck(timezone.now())
            case "skickat":
                return queryset.filter(skickat__isnull=False)
            case "avbrutet":
                return queryset.filter(avbrutet__isnull=False)
        return queryset


@admin.register(Utskick)
class UtskickAdmin(admin.ModelAdmin):
    list_display = ["nyckel", "till", "amne", "skapad", "forsok", "skickat", "avbrutet"]
    list_filter = [StateFilter, "skapad"]
    search_fields = ["nyckel", "amne", "message_id"]
    date_hierarchy = "skapad"
    readonly_fields = [f.name for f in Utskick._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(
        description=_("Send again (after checking the mail server's log)"),
        permissions=["change"],
    )
    def send_again(self, request: HttpRequest, queryset: QuerySet[Utskick]) -> None:
        from utskick.tasks import kick

        with transaction.atomic():
            count = queryset.filter(skickat__isnull=True).update(
                upptagen=None, avbrutet=None, nasta_forsok=timezone.now()
            )
            transaction.on_commit(kick)
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail will be sent again.",
                "%(count)d e-mails will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
