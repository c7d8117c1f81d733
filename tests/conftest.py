from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone, translation

from kommun.models import Kommun
from omraden.models import Aktivitet, Fas, Inspel, Omrade, Person
from uppfoljning.models import (
    Indikator,
    Matvarde,
    Period,
    Publicering,
    Rapport,
    Status,
    Uppdrag,
    Uppfoljning,
)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (Swedish).

    A request through the test client activates its URL's language in the test's thread and
    leaves it active, so without this an earlier test's English request made a later test's
    `reverse()` produce /en/ addresses: the outcome depended on the order of the tests.
    """
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def make_person(**kwargs: Any) -> Person:
    kwargs.setdefault("namn", f"Person {Person.objects.count() + 1}")
    kwargs.setdefault("titel", "handläggare")
    return Person.objects.create(**kwargs)


def make_fas(**kwargs: Any) -> Fas:
    kwargs.setdefault("ordning", Fas.objects.count() + 1)
    kwargs.setdefault("namn", f"Fas {kwargs['ordning']}")
    return Fas.objects.create(**kwargs)


def make_omrade(**kwargs: Any) -> Omrade:
    nummer = kwargs.setdefault(
        "nummer",
        (Omrade.objects.order_by("-nummer").values_list("nummer", flat=True).first() or 0) + 1,
    )
    kwargs.setdefault("slug", f"omrade-{nummer}")
    kwargs.setdefault("kortnamn", f"Område {nummer}")
    kwargs.setdefault("fraga", f"Hur kan vi göra område {nummer} bättre?")
    if "fadder" not in kwargs:
        kwargs["fadder"] = make_person(namn=f"Fadder {nummer}", titel="chef")
    return Omrade.objects.create(**kwargs)


def make_period(**kwargs: Any) -> Period:
    kwargs.setdefault("ar", 2024)
    kwargs.setdefault("tertial", 1)
    return Period.objects.create(**kwargs)


def make_uppdrag(**kwargs: Any) -> Uppdrag:
    n = Uppdrag.objects.count() + 1
    kwargs.setdefault("namn", f"Uppdrag {n}")
    kwargs.setdefault("slug", f"uppdrag-{n}")
    kwargs.setdefault("kommunplan_ar", 2023)
    return Uppdrag.objects.create(**kwargs)


def make_uppfoljning(**kwargs: Any) -> Uppfoljning:
    if "omrade" not in kwargs and "uppdrag" not in kwargs:
        kwargs["omrade"] = make_omrade()
    if "period" not in kwargs:
        kwargs["period"] = make_period()
    return Uppfoljning.objects.create(**kwargs)


def make_publicering(uppfoljning: Uppfoljning, **kwargs: Any) -> Publicering:
    kwargs.setdefault("status", uppfoljning.status or Status.GRON)
    kwargs.setdefault("version", uppfoljning.publiceringar.count() + 1)
    kwargs.setdefault("sammanfattning", uppfoljning.sammanfattning)
    kwargs.setdefault("orsak", uppfoljning.orsak)
    kwargs.setdefault("atgarder", uppfoljning.atgarder)
    kwargs.setdefault("publicerad_at", timezone.now() - dt.timedelta(days=1))
    return Publicering.objects.create(uppfoljning=uppfoljning, **kwargs)


def make_aktivitet(**kwargs: Any) -> Aktivitet:
    omraden = kwargs.pop("omraden", [])
    kwargs.setdefault("titel", "Workshop")
    kwargs.setdefault("datum", timezone.localdate() + dt.timedelta(days=7))
    aktivitet = Aktivitet.objects.create(**kwargs)
    aktivitet.omraden.set(omraden)
    return aktivitet


def make_indikator(**kwargs: Any) -> Indikator:
    n = Indikator.objects.count() + 1
    kwargs.setdefault("slug", f"indikator-{n}")
    kwargs.setdefault("namn", f"Indikator {n}")
    kwargs.setdefault("horisont", Indikator.Horisont.KORT)
    kwargs.setdefault("enhet", Indikator.Enhet.PROCENT)
    kwargs.setdefault("riktning", Indikator.Riktning.OKA)
    kwargs.setdefault("kalla", "SCB:s medborgarundersökning")
    kwargs.setdefault("ordning", n)
    return Indikator.objects.create(**kwargs)


def make_matvarde(indikator: Indikator, **kwargs: Any) -> Matvarde:
    kwargs.setdefault("ar", 2023)
    kwargs.setdefault("kommun", 50)
    kwargs.setdefault("kalla", Matvarde.Kalla.MANUELL)
    return Matvarde.objects.create(indikator=indikator, **kwargs)


TYRESO = {
    "namn": "Tyresö kommun",
    "namn_en": "Tyresö municipality",
    "kortnamn": "Tyresö",
    "postadress": "135 81 Tyresö",
    "epost": "tyreso.kommun@tyreso.se",
    "telefon": "08-578 291 00",
    "dataskyddsombud_epost": "dataskyddsombud@tyreso.se",
    "webbplats": "https://www.tyreso.se/",
    "kolada_id": "0138",
}


def make_kommun(**kwargs: Any) -> Kommun:
    """The municipality record, as Tyresö's unless told otherwise (pages, e-mails and files
    name it and give its contacts). There is one: this replaces any the test made before."""
    kommun = Kommun(**(TYRESO | kwargs))
    kommun.save()
    return kommun


@pytest.fixture
def kommun(db: None) -> Kommun:
    """Tyresö's record, already in the shared cache as on a running site: a page reads it from
    there, so counting a page's queries counts none for it (a cold cache costs one, once)."""
    make_kommun()
    return Kommun.objects.current()


def make_inspel(**kwargs: Any) -> Inspel:
    """Resident input; approved (and so public) unless a status is given."""
    kwargs.setdefault("typ", Inspel.Typ.IDE)
    kwargs.setdefault("text", "Fler bänkar vid Alby sjö.")
    kwargs.setdefault("status", Inspel.Status.GODKAND)
    if kwargs["status"] == Inspel.Status.GODKAND:
        kwargs.setdefault("publicerad_text", kwargs["text"])
    if kwargs["status"] == Inspel.Status.AVVISAD:
        kwargs.setdefault("avvisningsorsak", "Innehåller personuppgifter.")
    return Inspel.objects.create(**kwargs)


def make_rapport(**kwargs: Any) -> Rapport:
    n = Rapport.objects.count() + 1
    kwargs.setdefault("slug", f"rapport-{n}")
    kwargs.setdefault("titel", f"Kommundirektörens rapport {n}")
    kwargs.setdefault("datum", dt.date(2024, 1, n % 28 + 1))
    kwargs.setdefault("sammanfattning", "Arbetet går framåt.")
    return Rapport.objects.create(**kwargs)


@pytest.fixture
def cast(db: None) -> Any:
    """tests/cast.py's people, one per role, with their areas and the open period."""
    from tests.cast import make_cast

    return make_cast()


@pytest.fixture
def admin_client(cast: Any) -> Any:
    """The cast's administrator (a member of the administratör group only), logged in."""
    from django.test import Client

    client = Client()
    client.force_login(cast.users["admin"])
    return client


@pytest.fixture
def tyreso(db: None) -> None:
    """The real data set, loaded exactly as `make run` loads it; its municipality record read
    once, as a running site's first page reads it into the shared cache (a page counts no
    query for it after that)."""
    call_command("load_dataset", "tyreso", verbosity=0)
    Kommun.objects.current()


@pytest.fixture(autouse=True, scope="session")
def _cache_in_memory() -> Iterator[None]:
    """Tests keep the cache in their own process: the default file cache (.django_cache/) is
    shared with `make run` and with any other test run in the same checkout."""
    from django.test import override_settings

    from portal.lib.env import cache_config

    with override_settings(CACHES={"default": cache_config("locmem://tests")}):
        yield


@pytest.fixture(autouse=True)
def _fresh_public_cache() -> None:
    """Each test starts with an empty cache, as its database starts empty (portal/page_cache.py)."""
    from django.core.cache import cache as shared_cache

    from kommun.models import CACHE_KEY
    from portal import page_cache as cache

    cache.reset_for_empty_database()
    # No municipality record yet, and the cache knows it, as on a site that has served a page:
    # a page counts no query for the record (creating one drops this, and reads it once).
    shared_cache.set(CACHE_KEY, Kommun.placeholder(), None)


def make_user(username: str = "", *, groups: tuple[str, ...] = (), **kwargs: Any) -> Any:
    """A staff login; `groups` are names from portal.roles (medarbetare, kommunledningsgruppen…)."""
    from django.contrib.auth.models import Group, User

    username = username or f"user{User.objects.count() + 1}"
    kwargs.setdefault("email", f"{username}@tyreso.se")
    # No password unless a test logs in through the form: hashing one is slow on purpose.
    password = kwargs.pop("password", None)
    user = User.objects.create_user(username=username, password=password, **kwargs)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def make_ledartroja(omrade: Omrade, user: Any, *, slot: int = 1) -> Any:
    """Make `user` an active ledartröja of `omrade` (through a Person linked to the user)."""
    from omraden.models import Ledartroja

    person = getattr(user, "person", None) or make_person(namn=f"Ledartröja {user}", user=user)
    return Ledartroja.objects.create(omrade=omrade, person=person, slot=slot, aktiv=True)


def sign_off(uppf: Uppfoljning, *, by: Any, approver: Any = None) -> Uppfoljning:
    """Mark a follow-up ready and approve it (uppfoljning.services), so that it can be
    published: what a ledartröja and the fadder or KLG do before publishing."""
    from uppfoljning import services

    uppf = services.uppfoljning_mark_ready(uppfoljning=uppf, version=uppf.version, by=by)
    return services.uppfoljning_approve(uppfoljning=uppf, version=uppf.version, by=approver or by)
