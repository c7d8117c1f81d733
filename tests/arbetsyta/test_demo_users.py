"""load_tyreso --demo: demo logins per role, with DEBUG only, passwords printed once."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.contrib.auth.models import User
from django.core.management import call_command

from portal import roles


def test_demo_logins_are_created_with_debug_and_their_passwords_printed(
    db: None, settings: Any
) -> None:
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("load_tyreso", "--demo", stdout=out)
    klg = User.objects.get(username="demo-klg")
    assert roles.roles_for(klg).is_klg
    assert roles.roles_for(User.objects.get(username="demo-ledartroja")).ledartroja_for
    line = next(x for x in out.getvalue().splitlines() if "demo-klg /" in x)
    assert klg.check_password(line.split(" / ")[1].split()[0])
    # A second run keeps the passwords.
    again = StringIO()
    call_command("load_tyreso", "--demo", stdout=again)
    assert "demo-klg: exists" in again.getvalue()


def test_no_demo_logins_without_debug(db: None, settings: Any) -> None:
    settings.DEBUG = False
    call_command("load_tyreso", "--demo", stdout=StringIO())
    assert not User.objects.filter(username__startswith="demo-").exists()
