"""An area page lists its approved input exactly as /tyck-till/ lists the same input.

The area page reads only the columns it shows (omraden/deltagande_views._area_inspel_page);
/tyck-till/ reads model instances. The shared list template must come out the same.
"""

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


def test_an_item_is_written_out_escaped_with_its_answer_and_what_it_led_to() -> None:
    import datetime as dt

    from omraden.public_input import PublicInput

    item = PublicInput(
        pk=7,
        typ_label="Idé",
        skapad=dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC),  # 2 mars in Stockholm
        publicerad_text="Rad <ett>\r\nRad två",
        svar="Vi & ni",
        public_name="Kim <b>",
        area_name="Bada",
        initiative_title="Brygga “ny”",
        period_kort="T1 2026",
    ).html
    assert '<article aria-labelledby="inspel-7-rubrik">' in item
    assert '<h3 id="inspel-7-rubrik" class="inspel-rubrik">Idé – Bada</h3>' in item
    assert '<time datetime="2026-03-02T00:30:00+01:00">2 mars 2026</time> · Kim &lt;b&gt;' in item
    assert "<p>Rad &lt;ett&gt;<br>Rad två</p>" in item
    assert (
        '<div class="inspel-svar">\n<p><strong>Kommunen svarar:</strong></p>\n<p>Vi &amp; ni'
        in item
    )
    assert (
        '<p class="vi-gjorde"><strong>Ni sa – vi gjorde:</strong> ledde till initiativet '
        "”Brygga “ny””; togs upp i uppföljningen T1 2026</p>"
    ) in item
    bare = PublicInput(
        pk=8,
        typ_label="Synpunkt",
        skapad=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        publicerad_text="Kort.",
    ).html
    assert "inspel-svar" not in bare and "vi-gjorde" not in bare and " · " not in bare
