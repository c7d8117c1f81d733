"""The admin site: Django's, opened to the portal's administrators.

Who administers is a role (the administratör group, `portal.roles.can_administer`), not the
`is_staff` flag: a member of the group reaches the admin as soon as the role is given and
loses it when the role is taken away. What they may do there are the group's model
permissions (portal/migrations/0007_administrator_permissions.py). `is_staff` keeps its
Django meaning for accounts a superuser sets up by hand.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest

from portal import roles


class AdminLoginForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user: Any) -> None:
        # An administrator needs no is_staff flag; anyone else is checked as Django does.
        if not roles.can_administer(user):
            super().confirm_login_allowed(user)


class PortalAdminSite(admin.AdminSite):
    login_form = AdminLoginForm

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) or roles.can_administer(request.user)
