from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Development only: creates the superuser 'admin' with a generated password, printed "
        "once. Rule: does nothing when DEBUG is off or when any superuser already exists; the "
        "password is never stored anywhere but as Django's hash in the database."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        if not settings.DEBUG:
            self.stdout.write("DEBUG is off: no development superuser is created.")
            return
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "Admin: a superuser exists already (password as printed when it was created; "
                "reset with: .venv/bin/python manage.py changepassword admin)."
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", email="", password=password)
        self.stdout.write(
            self.style.WARNING(
                f"Development superuser created – log in at /admin/ as admin / {password} "
                "(shown only this once)."
            )
        )
