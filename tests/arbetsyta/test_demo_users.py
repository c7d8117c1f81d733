"""load_dataset tyreso --demo: demo logins per role, with DEBUG only, passwords printed once."""

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
    call_command("load_dataset", "tyreso", "--demo", stdout=out)
    klg = User.objects.get(username="demo-klg")
    assert roles.roles_for(klg).is_klg
    assert roles.roles_for(User.objects.get(username="demo-ledartroja")).ledartroja_for
    line = next(x for x in out.getvalue().splitlines() if "demo-klg /" in x)
    assert klg.check_password(line.split(" / ")[1].split()[0])
    # A second run keeps the passwords.
    again = StringIO()
    call_command("load_dataset", "tyreso", "--demo", stdout=again)
    assert "demo-klg: exists" in again.getvalue()


def test_no_demo_logins_without_debug(db: None, settings: Any) -> None:
    settings.DEBUG = False
    call_command("load_dataset", "tyreso", "--demo", stdout=StringIO())
    assert not User.objects.filter(username__startswith="demo-").exists()


def test_the_demo_has_a_fadder_login_without_touching_the_real_faddrar(
    db: None, settings: Any
) -> None:
    from datasets.demo import DEMO_OMRADE
    from omraden.models import Omrade, Person
    from uppfoljning.models import Uppfoljning

    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_dataset", "tyreso", stdout=StringIO())
    real = list(Person.objects.filter(fadder_for__isnull=False).order_by("pk").values())
    faddrar = dict(Omrade.objects.values_list("slug", "fadder_id"))
    call_command("load_dataset", "tyreso", "--demo", stdout=StringIO())
    # The real faddrar's rows are as the real data set left them: no login, no address.
    assert (
        list(Person.objects.filter(pk__in=[p["id"] for p in real]).order_by("pk").values()) == real
    )
    assert all(p["user_id"] is None and p["epost"] == "" and not p["fiktiv"] for p in real)
    assert (
        dict(Omrade.objects.exclude(slug=DEMO_OMRADE["slug"]).values_list("slug", "fadder_id"))
        == faddrar
    )
    # The demo fadder is the fadder of the demo's own area, which residents never see.
    fadder = User.objects.get(username="demo-fadder")
    area = Omrade.objects.get(slug=DEMO_OMRADE["slug"])
    assert roles.roles_for(fadder).fadder_for == frozenset({area.pk})
    assert not area.publik and area.fadder.fiktiv
    assert area.fadder.epost.endswith("@example.se")
    # Every demo person and login has an address, so mail shows in the console.
    assert not Person.objects.filter(fiktiv=True, epost="").exists()
    assert not User.objects.filter(username__startswith="demo-", email="").exists()
    # Something waits for the demo fadder: the demo area's follow-up, ready for sign-off.
    waiting = Uppfoljning.objects.get(omrade=area, period__tillstand="oppen")
    assert waiting.tillstand == Uppfoljning.Tillstand.KLAR
    assert roles.can_approve_uppfoljning(fadder, waiting)
    # Every role has a login.
    for username in ("demo-ledartroja", "demo-klg", "demo-moderator", "demo-administrator"):
        assert User.objects.filter(username=username).exists()
    assert roles.roles_for(User.objects.get(username="demo-administrator")).is_admin
