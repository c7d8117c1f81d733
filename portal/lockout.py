"""Login throttling: django-axes' database handler with a second, higher limit per address.

axes locks the account-and-address combination (AXES_LOCKOUT_PARAMETERS) after
AXES_FAILURE_LIMIT failures, so an attacker behind an office's one NAT address cannot lock a
colleague out. axes compares every lockout parameter with that one limit, so the limit per
address (AXES_ADDRESS_FAILURE_LIMIT, for someone who tries many accounts from one address) is
counted here, over the same rows and cool-off time axes keeps.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


class AxesHandler(AxesDatabaseHandler):
    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        return super().is_locked(request, credentials) or (
            address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT
        )


def address_failures(request: HttpRequest) -> int:
    """Failed logins from the request's address, over all accounts, within the cool-off time."""
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        attempt_time__gte=get_cool_off_threshold(request),
    )
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
