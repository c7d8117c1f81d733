"""English versions of the public texts (issue #24 point 3): /en/ pages show them, and fall
back to the Swedish text marked lang="sv" where there is none; Swedish pages never show them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.conftest import (
    make_aktivitet,
    make_fas,
    make_omrade,
    make_period,
    make_publicering,
    make_uppfoljning,
)

pytestmark = pytest.mark.django_db

ENGLISH = {
    "fraga_en": "How can every young person feel safe?",
    "beskrivning_en": "About the **young**.",
    "paverkan_text_en": "You can shape the meeting places.",
}


def _translated_area() -> object:
    return make_omrade(
        slug="unga",
        fraga="Hur kan alla unga känna trygghet?",
        beskrivning="Om de **unga**.",
        paverkan_text="Du kan forma mötesplatserna.",
        **ENGLISH,
    )


def test_the_english_area_page_shows_the_english_versions(client: Client) -> None:
    _translated_area()
    html = client.get("/en/omraden/unga/").content.decode()
    assert "<h1>How can every young person feel safe?</h1>" in html
    assert '<div class="lead"><p>About the <strong>young</strong>.</p></div>' in html
    assert "<p>You can shape the meeting places.</p>" in html
    assert "Hur kan alla unga känna trygghet?" not in html
    assert "Om de " not in html


def test_an_area_without_english_shows_the_swedish_marked_as_swedish(client: Client) -> None:
    make_omrade(slug="unga", fraga="Hur kan alla unga känna trygghet?", beskrivning="Om de unga.")
    html = client.get("/en/omraden/unga/").content.decode()
    assert '<h1><span lang="sv">Hur kan alla unga känna trygghet?</span></h1>' in html
    assert '<div class="lead"><div lang="sv"><p>Om de unga.</p></div></div>' in html


def test_the_swedish_pages_never_show_the_english_versions(client: Client, kommun: object) -> None:
    omrade = _translated_area()
    fas = make_fas(namn="Förstå behovet", namn_en="Understand the need")
    omrade.fas = fas
    omrade.save()
    aktivitet = make_aktivitet(titel="Workshop om trygghet", titel_en="Safety workshop")
    aktivitet.omraden.set([omrade])
    uppf = make_uppfoljning(omrade=omrade, period=make_period(ar=2024, tertial=1))
    make_publicering(uppf, sammanfattning="Det går bra.", sammanfattning_en="It goes well.")
    pages = [
        "/",
        "/omraden/unga/",
        "/aktiviteter/",
        f"/aktiviteter/{aktivitet.pk}/",
        "/ordlista/",
        "/uppfoljning/2024-t1/",
    ]
    english = [*ENGLISH.values(), "Understand the need", "Safety workshop", "It goes well."]
    for page in pages:
        html = client.get(page).content.decode()
        assert not [text for text in english if text in html], page
        assert 'lang="sv"><' not in html.replace('<html lang="sv"', ""), page
    assert "Hur kan alla unga känna trygghet?" in client.get("/omraden/unga/").content.decode()


def test_the_overview_and_the_activities_show_english_titles(
    client: Client, kommun: object
) -> None:
    omrade = make_omrade(fraga_en="How can we do better?")
    aktivitet = make_aktivitet(
        titel="Workshop om trygghet",
        titel_en="Safety workshop",
        beskrivning="Vi ses.",
        beskrivning_en="See you there.",
        omraden=[omrade],
    )
    make_aktivitet(titel="Fokusgrupp", omraden=[omrade])
    index = client.get("/en/").content.decode()
    assert "How can we do better?</a>" in index
    assert "Safety workshop</a>" in index
    listing = client.get("/en/aktiviteter/").content.decode()
    assert "Safety workshop</a>" in listing
    assert '<span lang="sv">Fokusgrupp</span></a>' in listing
    page = client.get(f"/en/aktiviteter/{aktivitet.pk}/").content.decode()
    assert "<title>Safety workshop" in page
    assert "<h1>Safety workshop</h1>" in page
    assert '<div class="lead"><p>See you there.</p></div>' in page


def test_a_swedish_title_in_the_title_element_carries_no_markup(client: Client) -> None:
    aktivitet = make_aktivitet(titel="Fokusgrupp")
    page = client.get(f"/en/aktiviteter/{aktivitet.pk}/").content.decode()
    assert "<title>Fokusgrupp" in page
    assert '<h1><span lang="sv">Fokusgrupp</span></h1>' in page


def test_the_glossary_shows_the_phases_in_english(client: Client) -> None:
    make_fas(namn="Förstå behovet", namn_en="Understand the need", beskrivning="Lyssna.")
    make_fas(namn="Hitta lösningar")
    html = client.get("/en/ordlista/").content.decode()
    assert '<li>Understand the need<div><div lang="sv"><p>Lyssna.</p></div></div></li>' in html
    assert '<li><span lang="sv">Hitta lösningar</span></li>' in html
    assert "Förstå behovet" not in html


def test_the_report_shows_the_english_follow_up_and_marks_the_swedish(client: Client) -> None:
    period = make_period(ar=2024, tertial=1)
    english = make_omrade(fraga_en="How can we do better?")
    swedish = make_omrade(fraga="Hur blir det bättre?")
    make_publicering(
        make_uppfoljning(
            omrade=english, period=period, status="gul", orsak="Sen start.", atgarder="Ny plan."
        ),
        sammanfattning="Det går trögt.",
        sammanfattning_en="It is slow going.",
        orsak_en="A late start.",
    )
    make_publicering(make_uppfoljning(omrade=swedish, period=period), sammanfattning="Det går bra.")
    html = client.get("/en/uppfoljning/2024-t1/").content.decode()
    assert f'<h2 id="del-omrade-{english.pk}">{english.nummer}. How can we do better?</h2>' in html
    assert (
        f'<h2 id="del-omrade-{swedish.pk}">{swedish.nummer}. '
        '<span lang="sv">Hur blir det bättre?</span></h2>'
    ) in html
    assert '<div class="report-text"><p>It is slow going.</p></div>' in html
    assert "<div><p>A late start.</p></div>" in html
    assert '<div><div lang="sv"><p>Ny plan.</p></div></div>' in html
    assert '<div class="report-text"><div lang="sv"><p>Det går bra.</p></div></div>' in html


def test_the_area_page_shows_the_latest_follow_up_in_english(client: Client) -> None:
    omrade = make_omrade(slug="unga")
    make_publicering(
        make_uppfoljning(omrade=omrade),
        sammanfattning="Det går bra.",
        sammanfattning_en="It goes well.",
        publicerad_at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
    )
    html = client.get("/en/omraden/unga/").content.decode()
    assert "<div><p>It goes well.</p></div>" in html
    assert "Det går bra." not in html


def test_saving_an_english_version_renews_the_cached_page(client: Client) -> None:
    omrade = make_omrade(slug="unga", fraga="Hur?")
    assert '<span lang="sv">Hur?</span>' in client.get("/en/omraden/unga/").content.decode()
    assert client.get("/en/omraden/unga/").headers.get("X-Public-Cache") == "hit"
    omrade.fraga_en = "How?"
    omrade.save()
    response = client.get("/en/omraden/unga/")
    assert response.headers.get("X-Public-Cache") != "hit"
    assert "<h1>How?</h1>" in response.content.decode()


def test_hostile_english_text_is_escaped(client: Client, kommun: object) -> None:
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    make_omrade(slug="unga", fraga_en=attack, beskrivning="Text.", beskrivning_en=attack)
    aktivitet = make_aktivitet(titel_en=attack, beskrivning="Text.", beskrivning_en=attack)
    for url in ("/en/omraden/unga/", f"/en/aktiviteter/{aktivitet.pk}/", "/en/"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img" not in html, url
    title = client.get(f"/en/aktiviteter/{aktivitet.pk}/").content.decode()
    assert "<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in title


def _fieldset_of(html: str, field: str) -> str:
    start = html.rfind("<fieldset", 0, html.index(f'name="{field}"'))
    return html[start : html.index("</fieldset>", start)]


def test_the_admin_groups_the_english_versions(admin_client: Client) -> None:
    omrade = make_omrade()
    html = admin_client.get(f"/admin/omraden/omrade/{omrade.pk}/change/").content.decode()
    english = _fieldset_of(html, "fraga_en")
    # The heading and its help (the catalogue may translate them: either language).
    assert "English version" in english or "Engelsk version" in english
    assert "/en/" in english
    for name in ("fraga_en", "beskrivning_en", "paverkan_text_en"):
        assert f'name="{name}"' in english
    assert 'name="fraga"' not in english and 'name="beskrivning"' not in english
    fas = make_fas(namn="Förstå")
    r = admin_client.post(
        f"/admin/omraden/fas/{fas.pk}/change/",
        {"ordning": fas.ordning, "namn": "Förstå", "beskrivning": "", "namn_en": "Understand"},
    )
    assert r.status_code == 302
    fas.refresh_from_db()
    assert (fas.namn_en, fas.beskrivning_en) == ("Understand", "")


def test_the_aktivitet_admin_form_has_the_english_versions(admin_client: Client) -> None:
    html = admin_client.get("/admin/omraden/aktivitet/add/").content.decode()
    english = _fieldset_of(html, "titel_en")
    assert 'name="beskrivning_en"' in english and 'name="titel"' not in english


def test_the_follow_up_admin_shows_the_english_versions_apart(rf: object, cast: object) -> None:
    from django.contrib.admin import site

    from uppfoljning.models import Publicering, Uppfoljning

    request = rf.get("/admin/")  # type: ignore[attr-defined]
    request.user = cast.users["admin"]  # type: ignore[attr-defined]
    for model in (Uppfoljning, Publicering):
        (_, swedish), (_, english) = site.get_model_admin(model).get_fieldsets(request)
        assert english["fields"] == ["sammanfattning_en", "orsak_en", "atgarder_en"], model
        assert "sammanfattning" in swedish["fields"], model
