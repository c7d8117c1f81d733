"""Staff-written long texts render as Markdown on the public pages; residents' text never does."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse

from omraden.models import Aktivitet, Fas, Initiativ, Inspel, Omrade
from portal.models import KandBrist, Tillganglighetsredogorelse
from tests.cast import make_cast
from tests.conftest import make_publicering, make_uppdrag, make_uppfoljning
from tests.security.urlmap import build_world, concrete_urls
from uppfoljning.models import Indikator, Period, Rapport, Uppdrag, Uppfoljning

# Every field that staff write as formatted text (docs/security.md keeps the same list).
FORMATTED: dict[type[models.Model], list[str]] = {
    Omrade: ["beskrivning", "paverkan_text"],
    Fas: ["beskrivning"],
    Initiativ: ["beskrivning"],
    Aktivitet: ["beskrivning", "protokoll"],
    Uppdrag: ["beskrivning"],
    Indikator: ["beskrivning"],
    Rapport: ["sammanfattning"],
    Tillganglighetsredogorelse: ["utvarderingsmetod", "rapportera_text"],
    KandBrist: ["beskrivning", "atgard"],
}
FOLLOW_UP = ["sammanfattning", "orsak", "atgarder"]


def _marker(model: type[models.Model] | str, field: str) -> str:
    name = model if isinstance(model, str) else model._meta.model_name
    return f"md-{name}-{field}"


def _text(marker: str) -> str:
    # Bold and a single line break: Markdown gives <strong> and <br>, plain text neither.
    return f"**{marker}**\nrad två"


@pytest.fixture
def pages(tyreso: None) -> str:
    world: dict[str, Any] = build_world()
    # The real data set has no initiative yet.
    Initiativ.objects.create(omrade=world["omrade"], titel="Prototyp", fas=Fas.objects.first())
    for model, fields in FORMATTED.items():
        assert model.objects.exists(), model
        model.objects.update(**{f: _text(_marker(model, f)) for f in fields})
    Inspel.objects.update(publicerad_text="**rå-inspel**", svar="**rå-svar**")
    # Publications are append-only: publish new follow-ups for a new area and assignment.
    period = Period.objects.order_by("-ar", "-tertial").first()
    texts = {f: _text(_marker("publicering", f)) for f in FOLLOW_UP}
    area_follow_up = make_uppfoljning(status="gul", period=period, **texts)
    uppdrag_follow_up = make_uppfoljning(
        status="gul", period=period, uppdrag=make_uppdrag(slug="md-uppdrag"), **texts
    )
    for follow_up in (area_follow_up, uppdrag_follow_up):
        make_publicering(follow_up)
    urls = [
        *concrete_urls(world, english=False),
        area_follow_up.omrade.get_absolute_url(),
        f"/uppdrag/{uppdrag_follow_up.uppdrag.slug}/",
    ]
    client = Client()
    responses = [client.get(url) for url in urls]
    return "".join(r.content.decode() for r in responses if "text/html" in r["Content-Type"])


@pytest.mark.django_db
def test_every_formatted_field_is_rendered_as_markdown(pages: str) -> None:
    markers = [_marker(m, f) for m, fields in FORMATTED.items() for f in fields]
    markers += [_marker("publicering", f) for f in FOLLOW_UP]
    missing = [m for m in markers if f"<strong>{m}</strong><br>\nrad två" not in pages]
    assert missing == [], missing
    assert f"**{_marker(Omrade, 'beskrivning')}**" not in pages


@pytest.mark.django_db
def test_residents_input_and_answers_stay_plain_text(pages: str) -> None:
    assert "**rå-inspel**" in pages and "**rå-svar**" in pages
    assert "<strong>rå-" not in pages


@pytest.mark.django_db
def test_staff_textareas_say_that_markdown_works(tyreso: None) -> None:
    world = build_world()
    Initiativ.objects.create(omrade=world["omrade"], titel="Prototyp", fas=Fas.objects.first())
    client = Client()
    client.force_login(world["staff"])
    urls = [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_change", args=[obj.pk])
        for m in [*FORMATTED, Uppfoljning]
        if m is not KandBrist  # edited inline on the statement's page
        for obj in [m.objects.first()]
    ]
    urls += [
        reverse("arbetsyta:uppfoljning", args=[world["uppfoljning"].pk]),
        reverse("omraden:aktivitet_uppfoljning", args=[world["past"].pk]),
    ]
    for url in urls:
        html = client.get(url).content.decode()
        assert "Du kan använda Markdown: **fet**" in html, url


@pytest.mark.django_db
def test_the_matrix_says_that_markdown_works_for_cause_and_actions() -> None:
    cast = make_cast()
    client = Client()
    client.force_login(cast.users["ledartroja_a"])
    html = client.get(reverse("arbetsyta:matris")).content.decode()
    assert 'class="cell-form"' in html
    assert "Du kan använda Markdown: **fet**" in html


# The English versions of the formatted fields, shown under /en/ (portal/templatetags/localized.py).
FORMATTED_EN: dict[type[models.Model], list[str]] = {
    Omrade: ["beskrivning_en", "paverkan_text_en"],
    Fas: ["beskrivning_en"],
    Aktivitet: ["beskrivning_en"],
}
FOLLOW_UP_EN = ["sammanfattning_en", "orsak_en", "atgarder_en"]


@pytest.mark.django_db
def test_every_english_formatted_field_is_rendered_as_markdown(tyreso: None) -> None:
    world: dict[str, Any] = build_world()
    for model, fields in FORMATTED_EN.items():
        model.objects.update(**{f: _text(_marker(model, f)) for f in fields})
    period = Period.objects.order_by("-ar", "-tertial").first()
    follow_up = make_uppfoljning(status="gul", period=period, orsak="O", atgarder="Å")
    make_publicering(follow_up, **{f: _text(_marker("publicering", f)) for f in FOLLOW_UP_EN})
    urls = [url for url in concrete_urls(world) if url.startswith("/en/")]
    urls.append(f"/en{follow_up.omrade.get_absolute_url()}")
    client = Client()
    responses = [client.get(url) for url in urls]
    pages = "".join(r.content.decode() for r in responses if "text/html" in r["Content-Type"])
    markers = [_marker(m, f) for m, fields in FORMATTED_EN.items() for f in fields]
    markers += [_marker("publicering", f) for f in FOLLOW_UP_EN]
    missing = [m for m in markers if f"<strong>{m}</strong><br>\nrad två" not in pages]
    assert missing == [], missing
