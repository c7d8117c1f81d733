"""An area page lists its approved input exactly as /tyck-till/ lists the same input: both
read what Inspel.objects.visible_to() gives a resident into the shared list template."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from omraden.models import Fas, Initiativ, Inspel
from tests.conftest import make_inspel, make_omrade, make_period, make_uppfoljning

pytestmark = pytest.mark.django_db


def _items(html: str) -> list[str]:
    return re.findall(r'<li class="inspel-item">.*?</li>', html, flags=re.S)


def test_area_page_items_equal_the_full_lists_items(client: Client) -> None:
    area = make_omrade(slug="bada", kortnamn="Bada")
    other = make_omrade(slug="annat")
    fas = Fas.objects.create(ordning=9, namn="Testa")
    shown = Initiativ.objects.create(omrade=area, titel="Flytbrygga <ny>", fas=fas, publik=True)
    hidden = Initiativ.objects.create(omrade=area, titel="Hemligt förslag", fas=fas, publik=False)
    uppf = make_uppfoljning(omrade=area, period=make_period(ar=2025, tertial=3))
    make_inspel(
        omrade=area,
        text="Idé & förslag",
        initiativ=shown,
        uppfoljning=uppf,
        namn="Kim",
        visa_namn=True,
        svar="Tack – vi testar.",
    )
    make_inspel(
        omrade=area,
        text="Dold idé",
        initiativ=hidden,
        namn="Ej visad",
        visa_namn=False,
        typ=Inspel.Typ.SYNPUNKT,
    )
    make_inspel(omrade=area, text="Uppföljd", uppfoljning=uppf)
    make_inspel(omrade=area, text="Inte godkänd", status=Inspel.Status.NY)
    make_inspel(omrade=other, text="Annat område")

    on_area = _items(client.get("/omraden/bada/").content.decode())
    everywhere = _items(client.get("/tyck-till/").content.decode())
    # /tyck-till/ names each input's area in the heading; the area page does not.
    assert len(on_area) == 3
    assert sorted(on_area) == sorted(
        item.replace(" – Bada</h3>", "</h3>") for item in everywhere if " – Bada</h3>" in item
    )
    page = "".join(on_area)
    assert "Flytbrygga &lt;ny&gt;" in page and "Hemligt förslag" not in page
    assert "Årsredovisning 2025" in page or "ÅR 2025" in page
    assert "Kim" in page and "Ej visad" not in page and "Inte godkänd" not in page


def _flat(html: str) -> str:
    """The markup with each run of white space made one space and none between tags."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html))


def test_an_item_is_shown_escaped_with_its_answer_and_what_it_led_to(client: Client) -> None:
    import datetime as dt

    area = make_omrade(slug="bada", kortnamn="Bada")
    fas = Fas.objects.create(ordning=9, namn="Testa")
    initiativ = Initiativ.objects.create(omrade=area, titel="Brygga “ny”", fas=fas)
    item = make_inspel(
        omrade=area,
        publicerad_text="Rad <ett>\r\nRad två",
        svar="Vi & ni",
        namn="Kim <b>",
        visa_namn=True,
        initiativ=initiativ,
        uppfoljning=make_uppfoljning(omrade=area, period=make_period(ar=2026, tertial=1)),
    )
    bare = make_inspel(typ=Inspel.Typ.SYNPUNKT, publicerad_text="Kort.")
    Inspel.objects.filter(pk=item.pk).update(
        skapad=dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)  # 2 mars in Stockholm
    )
    Inspel.objects.filter(pk=bare.pk).update(skapad=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    items = [_flat(i) for i in _items(client.get("/tyck-till/").content.decode())]
    assert len(items) == 2
    shown = items[0]
    assert f'<article aria-labelledby="inspel-{item.pk}-rubrik">' in shown
    assert f'<h3 id="inspel-{item.pk}-rubrik" class="inspel-rubrik">Idé – Bada</h3>' in shown
    assert '<time datetime="2026-03-02T00:30:00+01:00">2 mars 2026</time> · Kim &lt;b&gt;' in shown
    assert "<p>Rad &lt;ett&gt;<br>Rad två</p>" in shown
    assert (
        '<div class="inspel-svar"><p><strong>Kommunen svarar:</strong></p><p>Vi &amp; ni' in shown
    )
    assert (
        '<p class="vi-gjorde"><strong>Ni sa – vi gjorde:</strong> ledde till initiativet '
        "”Brygga “ny””; togs upp i uppföljningen T1 2026</p>"
    ) in shown
    assert "inspel-svar" not in items[1] and "vi-gjorde" not in items[1] and " · " not in items[1]


def test_an_initiative_is_named_only_where_residents_see_it(client: Client) -> None:
    # Input about no area may be linked to an initiative of an area that is not public: the
    # input is shown, the initiative is not (Initiativ.objects.visible_to()).
    hidden_area = make_omrade(publik=False)
    fas = Fas.objects.create(ordning=9, namn="Testa")
    hidden = Initiativ.objects.create(omrade=hidden_area, titel="Dold brygga", fas=fas)
    make_inspel(text="Om hela kommunen", initiativ=hidden)
    make_inspel(omrade=hidden_area, text="I ett dolt område")
    html = client.get("/tyck-till/").content.decode()
    assert "Om hela kommunen" in html
    assert "Dold brygga" not in html and "vi-gjorde" not in html
    assert "I ett dolt område" not in html
