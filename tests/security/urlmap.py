"""Every URL of the portal, with real arguments: the security tests walk all of them.

`url_patterns()` reads the URLconf, so a new page is picked up without touching this file.
A page with arguments needs a line in SAMPLES saying which fixture object fills them;
test_headers.py fails for a pattern without one, so no page escapes the security tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from omraden.models import Anmalan, Inspel, Omrade
from tests.conftest import (
    make_aktivitet,
    make_indikator,
    make_inspel,
    make_matvarde,
    make_publicering,
    make_rapport,
    make_uppdrag,
    make_uppfoljning,
    make_user,
)
from uppfoljning.models import Indikator, Period, Rapport, Uppdrag, Uppfoljning


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str
    arguments: tuple[str, ...]


def url_patterns() -> list[Route]:
    """Every named route of the URLconf except the Django admin (see admin_urls())."""
    routes: list[Route] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                ns = ":".join(filter(None, [namespace, p.namespace or ""]))
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                args = tuple(p.pattern.converters) if hasattr(p.pattern, "converters") else ()
                routes.append(Route(name, prefix + str(p.pattern), args))

    walk(get_resolver().url_patterns, "", "")
    return routes


def build_world() -> dict[str, Any]:
    """One object of each kind a page can show (on top of Tyresö's real data set)."""
    omrade = Omrade.objects.order_by("nummer").first()
    period = Period.objects.order_by("ar", "tertial").first()
    uppdrag = Uppdrag.objects.order_by("pk").first() or make_uppdrag()
    uppfoljning = Uppfoljning.objects.filter(omrade=omrade, period=period).first()
    if uppfoljning is None:
        uppfoljning = make_uppfoljning(omrade=omrade, period=period, status="gron")
        make_publicering(uppfoljning)
    aktivitet = make_aktivitet(
        titel="Workshop om trygghet",
        omraden=[omrade],
        kapacitet=30,
        datum=timezone.localdate() + dt.timedelta(days=10),
    )
    past = make_aktivitet(
        titel="Dialogmöte", omraden=[omrade], datum=timezone.localdate() - dt.timedelta(days=10)
    )
    anmalan = Anmalan.objects.create(
        aktivitet=aktivitet, namn="Ada Andersson", epost="ada@example.org", status="bekraftad"
    )
    inspel = make_inspel(omrade=omrade, namn="Bo Boström", epost="bo@example.org", visa_namn=True)
    make_inspel(omrade=omrade, status=Inspel.Status.NY, text="Ny idé som väntar.")
    indikator = Indikator.objects.order_by("pk").first() or make_indikator()
    make_matvarde(indikator, ar=2099)
    rapport = Rapport.objects.order_by("pk").first() or make_rapport()
    staff = make_user("granskare", is_staff=True, is_superuser=True)
    return {
        "omrade": omrade,
        "period": period,
        "uppdrag": uppdrag,
        "uppfoljning": uppfoljning,
        "aktivitet": aktivitet,
        "past": past,
        "anmalan": anmalan,
        "inspel": inspel,
        "indikator": indikator,
        "rapport": rapport,
        "staff": staff,
    }


# How to fill the arguments of each route from build_world()'s objects.
SAMPLES: dict[str, Callable[[dict[str, Any]], list[dict[str, Any]]]] = {
    "indikatorer:detail": lambda w: [{"slug": w["indikator"].slug}],
    "indikatorer:workspace_detail": lambda w: [{"slug": w["indikator"].slug}],
    "arbetsyta:cell": lambda w: [
        {"period_id": w["period"].pk, "kind": "omrade", "pk": w["omrade"].pk}
    ],
    "arbetsyta:ny": lambda w: [
        {"period_id": w["period"].pk, "kind": "omrade", "pk": w["omrade"].pk}
    ],
    "arbetsyta:uppfoljning": lambda w: [{"pk": w["uppfoljning"].pk}],
    "arbetsyta:validera": lambda w: [{"pk": w["uppfoljning"].pk}],
    "omraden:detail": lambda w: [{"slug": w["omrade"].slug}],
    "omraden:aktivitet": lambda w: [{"pk": w["aktivitet"].pk}, {"pk": w["past"].pk}],
    "omraden:anmal": lambda w: [{"pk": w["aktivitet"].pk}],
    "omraden:aktivitet_uppfoljning": lambda w: [{"pk": w["past"].pk}],
    "omraden:anmalan": lambda w: [{"token": w["anmalan"].token}],
    "omraden:moderera": lambda w: [{"pk": w["inspel"].pk}],
    "uppfoljning:period": lambda w: [{"slug": w["period"].slug}],
    "uppfoljning:period_pdf": lambda w: [{"slug": w["period"].slug}],
    "uppfoljning:period_docx": lambda w: [{"slug": w["period"].slug}],
    "uppfoljning:uppdrag": lambda w: [{"slug": w["uppdrag"].slug}],
    "uppfoljning:rapport": lambda w: [{"slug": w["rapport"].slug}],
    "inspel_export": lambda w: [{"fmt": "csv"}, {"fmt": "json"}],
    "prenumeration:bekrafta": lambda w: [{"token": _prenumeration_token(w, confirm=True)}],
    "prenumeration:andra": lambda w: [{"token": _prenumeration_token(w)}],
    "prenumeration:avsluta": lambda w: [{"token": _prenumeration_token(w)}],
    "open_data_csv": lambda w: [{"slug": s} for s in _dataset_slugs()],
    "open_data_json": lambda w: [{"slug": s} for s in _dataset_slugs()],
    "open_data_area_feed": lambda w: [{"slug": w["omrade"].slug}],
    "open_data_area_ical": lambda w: [{"slug": w["omrade"].slug}],
    "kommun:farger": lambda w: [{"farg": "00507a"}],
    "kommun:logotyp": lambda w: [{"checksum": "0" * 16, "ext": "png"}],
}


def _prenumeration_token(w: dict[str, Any], *, confirm: bool = False) -> str:
    """A subscription's personal link (unconfirmed for the confirmation link), the same
    for every call in one world."""
    from prenumeration import links
    from tests.prenumeration.conftest import make_prenumeration

    key = f"prenumeration-{confirm}"
    if key not in w:
        w[key] = make_prenumeration(confirmed=not confirm)
    return links.confirm_token(w[key]) if confirm else links.token(w[key])


def _dataset_slugs() -> list[str]:
    from oppna_data.datasets import DATASETS

    return [d.slug for d in DATASETS]


def unsampled_routes() -> list[str]:
    return [r.name for r in url_patterns() if r.arguments and r.name not in SAMPLES]


def concrete_urls(world: dict[str, Any], *, english: bool = True) -> Iterator[str]:
    """Every route as a real address (Swedish; and each page once more under /en/)."""
    for route in url_patterns():
        kwargs_list = SAMPLES[route.name](world) if route.arguments else [{}]
        for kwargs in kwargs_list:
            with translation.override("sv"):
                url = reverse(route.name, kwargs=kwargs)
            yield url
            if english:
                with translation.override("en"):
                    en = reverse(route.name, kwargs=kwargs)
                if en != url:
                    yield en


def admin_urls() -> Iterator[str]:
    """The admin's index and the list and first change page of every registered model."""
    yield reverse("admin:index")
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        yield reverse("admin:{}_{}_changelist".format(*info))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            yield reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
