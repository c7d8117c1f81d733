from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User
from django.db import models
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from omraden.models import Person
from portal import roles
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


class PersonInline(admin.StackedInline):
    """The person behind a login: the name shown as fadder or ledartröja of an area."""

    model = Person
    fields = ["namn", "titel", "epost"]
    can_delete = False


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Django's user admin; an administrator who is not a superuser hands out roles only.

    Such an administrator sees no superuser, staff or permission fields (a form field that is
    not shown is not saved, whatever a request sends), may choose only the portal's groups,
    and cannot change (nor set the password of) an account that holds more than those roles.
    """

    list_display = ("username", "first_name", "last_name", "email", "is_active")
    role_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Roles"), {"fields": ("is_active", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.role_fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ("last_login", "date_joined")

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        # The person is filled in on the user's page, after the login has been created.
        return [PersonInline] if obj is not None else []

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=roles.GROUPS)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and _out_of_reach(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and _out_of_reach(request, obj):
            return False
        return super().has_delete_permission(request, obj)


def _out_of_reach(request: HttpRequest, user: Any) -> bool:
    """An account a non-superuser may not change: it holds more than the portal's roles.

    Otherwise an administrator could set the password of a superuser, or of an account a
    superuser gave extra permissions, and log in as it.
    """
    if request.user.is_superuser:
        return False
    return (
        user.is_superuser
        or user.user_permissions.exists()
        or user.groups.exclude(name__in=roles.GROUPS).exists()
    )
