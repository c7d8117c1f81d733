"""Residents' e-mail addresses (and names they chose to hide) never appear publicly.

Walks the whole URLconf, so a page, API, feed or open-data file added later is covered as
soon as it exists: a new URL with parameters makes this test fail until it gets sample
arguments below.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern

from omraden.models import Anmalan, Inspel
from portal.viewer import Viewer
from tests.conftest import (
    make_aktivitet,
    make_inspel,
    make_omrade,
    make_period,
    make_publicering,
    make_uppfoljning,
)

EMAIL = "dold.adress@example.net"
HIDDEN_NAME = "Hemlig Hemligsson"
SIGNUP_NAME = "Anmäld Anmäldsson"
NEEDS = "HEMLIGT-BEHOV"
SUBSCRIBER = "foljer.omradet@example.net"


def _patterns(patterns: list[Any], ns: str = "", i18n: bool = False) -> Iterator[tuple[str, bool]]:
    """Every named URL pattern as (namespaced name, inside i18n_patterns)."""
    for p in patterns:
        if isinstance(p, URLResolver):
            inner_ns = ns + (f"{p.namespace}:" if p.namespace else "")
            inner_i18n = i18n or isinstance(p.pattern, LocalePrefixPattern)
            yield from _patterns(p.url_patterns, inner_ns, inner_i18n)
        elif isinstance(p, URLPattern) and p.name:
            yield ns + p.name, i18n


@pytest.fixture
def planted(db: None) -> dict[str, Any]:
    omrade = make_omrade(slug="oppet")
    period = make_period(ar=2024, tertial=2)
    make_publicering(make_uppfoljning(omrade=omrade, period=period, status="gron"))
    aktivitet = make_aktivitet(omraden=[omrade], kapacitet=10)
    inspel = make_inspel(
        omrade=omrade,
        namn=HIDDEN_NAME,
        epost=EMAIL,
        visa_namn=False,
        svar="Tack för idén.",
        aktivitet=aktivitet,
    )
    make_inspel(text="Utan område", namn=HIDDEN_NAME, epost=EMAIL)
    anmalan = Anmalan.objects.create(
        aktivitet=aktivitet,
        namn=SIGNUP_NAME,
        epost=EMAIL,
        behov=NEEDS,
        status=Anmalan.Status.BEKRAFTAD,
    )
    # A resident following the area (prenumeration/): confirmed, so digests read it.
    from tests.prenumeration.conftest import make_prenumeration

    prenumeration = make_prenumeration(SUBSCRIBER, omraden=[omrade])
    return {
        "omrade": omrade,
        "period": period,
        "aktivitet": aktivitet,
        "inspel": inspel,
        "anmalan": anmalan,
        "prenumeration": prenumeration,
    }


def _sample_kwargs(name: str, p: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Arguments for each URL with parameters; None for a URL nobody has described yet."""
    if name.startswith("admin:"):
        return []  # the Django admin: staff only, behind its own login
    dataset_slugs = ["omraden", "uppfoljningar", "aktiviteter", "indikatorer", "inspel"]
    samples: dict[str, list[dict[str, Any]]] = {
        "omraden:detail": [{"slug": p["omrade"].slug}],
        "omraden:aktivitet": [{"pk": p["aktivitet"].pk}],
        "omraden:anmal": [{"pk": p["aktivitet"].pk}],
        "omraden:aktivitet_uppfoljning": [{"pk": p["aktivitet"].pk}],
        # The personal sign-up page is reachable by its secret link only; even there the
        # e-mail address is not shown.
        "omraden:anmalan": [{"token": p["anmalan"].token}],
        "omraden:moderera": [{"pk": p["inspel"].pk}],
        "inspel_export": [{"fmt": "csv"}, {"fmt": "json"}],
        # The subscriber's personal pages, reached by their signed links: even there the
        # address is not shown.
        "prenumeration:bekrafta": [{"token": _confirm_token(p["prenumeration"])}],
        "prenumeration:andra": [{"token": _token(p["prenumeration"])}],
        "prenumeration:avsluta": [{"token": _token(p["prenumeration"])}],
        "uppfoljning:period": [{"slug": p["period"].slug}],
        "uppfoljning:period_pdf": [{"slug": p["period"].slug}],
        "uppfoljning:period_docx": [{"slug": p["period"].slug}],
        "uppfoljning:uppdrag": [{"slug": "finns-inte"}],
        "uppfoljning:rapport": [{"slug": "finns-inte"}],
        "indikatorer:detail": [{"slug": "finns-inte"}],
        "indikatorer:workspace_detail": [{"slug": "finns-inte"}],
        "arbetsyta:cell": [{"period_id": p["period"].pk, "kind": "omrade", "pk": p["omrade"].pk}],
        "arbetsyta:ny": [{"period_id": p["period"].pk, "kind": "omrade", "pk": p["omrade"].pk}],
        "arbetsyta:uppfoljning": [{"pk": 1}],
        "arbetsyta:validera": [{"pk": 1}],
        "open_data_csv": [{"slug": s} for s in dataset_slugs],
        "open_data_json": [{"slug": s} for s in dataset_slugs],
        # The area's own feed and calendar (its input's answers and sign-ups never in them).
        "open_data_area_feed": [{"slug": p["omrade"].slug}],
        "open_data_area_ical": [{"slug": p["omrade"].slug}],
        # The municipality's colours and logo (no logo here: its address answers 404).
        "kommun:farger": [{"farg": "00507a"}],
        "kommun:logotyp": [{"checksum": "0" * 16, "ext": "png"}],
    }
    return samples.get(name)


def _token(p: Any) -> str:
    from prenumeration import links

    return links.token(p)


def _confirm_token(p: Any) -> str:
    from prenumeration import links

    return links.confirm_token(p)


def test_no_public_url_shows_a_residents_e_mail_or_hidden_name(
    client: Client, planted: dict[str, Any]
) -> None:
    undescribed: list[str] = []
    visited = 0
    for name, i18n in sorted(set(_patterns(get_resolver().url_patterns))):
        try:
            urls = [reverse(name)]
        except Exception:
            kwargs_list = _sample_kwargs(name, planted)
            if kwargs_list is None:
                undescribed.append(name)
                continue
            urls = [reverse(name, kwargs=kwargs) for kwargs in kwargs_list]
        if i18n:
            urls += ["/en" + url for url in urls]
        for url in urls:
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers=headers)
                body = b"".join(response) if response.streaming else response.content
                text = body.decode("utf-8", errors="replace")
                visited += 1
                assert EMAIL not in text, url
                assert HIDDEN_NAME not in text, url
                assert SIGNUP_NAME not in text and NEEDS not in text, url
                assert SUBSCRIBER not in text, url
    assert undescribed == [], "add sample arguments for these URLs"
    assert visited > 50


def test_the_planted_data_is_really_public(client: Client, planted: dict[str, Any]) -> None:
    # Guards the test above: the input is on the public pages, only without the hidden parts.
    assert Inspel.objects.visible_to(Viewer.resident()).count() == 2
    html = client.get(planted["omrade"].get_absolute_url()).content.decode()
    assert planted["inspel"].publicerad_text in html and "Tack för idén." in html
