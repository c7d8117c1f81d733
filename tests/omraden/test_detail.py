from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from omraden.models import Fas, Initiativ, Ledartroja, Omrade
from tests.conftest import (
    make_aktivitet,
    make_inspel,
    make_omrade,
    make_period,
    make_person,
    make_publicering,
    make_uppdrag,
    make_uppfoljning,
)


@pytest.mark.django_db
def test_it_shows_one_area_in_full(client: Client, tyreso: None) -> None:
    r = client.get("/omraden/unga/")
    assert r.status_code == 200
    html = r.content.decode()
    assert (
        "<h1>Hur kan vi göra så att alla unga får känna trygghet, meningsfullhet och kärlek?</h1>"
        in html
    )
    assert "Elin Waltersson, chef stöd- och servicekontoret" in html
    assert "Två ledartröjor, rekrytering pågår." in html
    assert "Checkpoint för de kommungemensamma områdena" in html
    assert "Nya möjligheter att återbruka" in html
    assert "har ingen publicerad uppföljning ännu" in html


@pytest.mark.django_db
def test_it_shows_cause_and_actions_of_a_yellow_status(client: Client, tyreso: None) -> None:
    omrade = Omrade.objects.get(slug="unga")
    uppf = make_uppfoljning(
        omrade=omrade, status="gul", orsak="Rekryteringen drog ut", atgarder="Två nya ledare"
    )
    make_publicering(uppf)
    html = client.get("/omraden/unga/").content.decode()
    assert "status-gul" in html and "▲" in html and "Gul" in html
    assert "Rekryteringen drog ut" in html
    assert "Två nya ledare" in html


@pytest.mark.django_db
def test_it_returns_404_for_an_unknown_area(client: Client, tyreso: None) -> None:
    assert client.get("/omraden/finns-inte/").status_code == 404


@pytest.mark.django_db
def test_it_hides_a_non_public_area_from_residents_but_not_from_staff(client: Client) -> None:
    make_omrade(slug="hemligt", publik=False)
    assert client.get("/omraden/hemligt/").status_code == 404
    client.force_login(User.objects.create_user("medarbetare"))
    assert client.get("/omraden/hemligt/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 15])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int, kommun: object
) -> None:
    # The municipality (header, footer) is read from the warm shared cache: no query.
    fas = Fas.objects.create(ordning=1, namn="Förstå behovet")
    omrade = make_omrade(slug="unga", fas=fas)
    for slot in (1, 2):
        Ledartroja.objects.create(omrade=omrade, person=make_person(), slot=slot)
    for i in range(size):
        period = make_period(ar=2024 + i // 3, tertial=i % 3 + 1)
        uppf = make_uppfoljning(omrade=omrade, period=period, status="gron")
        make_publicering(uppf)
        initiativ = Initiativ.objects.create(omrade=omrade, titel=f"Initiativ {i}", fas=fas)
        make_aktivitet(omraden=[omrade], datum=timezone.localdate() + dt.timedelta(days=i - 5))
        make_inspel(omrade=omrade, initiativ=initiativ)
    for _ in range(size):
        make_uppdrag().omraden.add(omrade)
    # 1: the area with fadder and phase, and its assignments (a row per assignment)
    # 2: the version in force of its last ten periods' follow-ups, with follow-up and period
    # 3: its next coming activities (at most five and one more, to know there are more)
    # 4: its latest past activities (likewise)
    # 5: the phases of the innovation method
    # 6: its active ledartröjor with their people
    # 7: its initiatives residents see, with their phase
    # 8: the number of its input residents see (the pager)
    # 9: one page of that input, with initiative (and whether residents see it) and period
    # 10: its indicators (no values query when it has none)
    with django_assert_num_queries(10):
        assert client.get("/omraden/unga/").status_code == 200


@pytest.mark.django_db
def test_it_shows_the_influence_statement_and_explains_the_four_levels(
    client: Client, tyreso: None
) -> None:
    Omrade.objects.filter(slug="unga").update(
        paverkansniva="dialog", paverkan_text="Unga är med och väljer vad som prövas först."
    )
    html = client.get("/omraden/unga/").content.decode()
    assert "Det här kan du påverka" in html
    assert "Graden av inflytande i det här området: <strong>Dialog</strong>." in html
    assert "Unga är med och väljer vad som prövas först." in html
    for level in ("Information", "Konsultation", "Dialog", "Medbestämmande"):
        assert f"<dt>{level}" in html
    assert html.count("(det här området)") == 1


@pytest.mark.django_db
def test_an_empty_influence_statement_gets_a_written_empty_state(
    client: Client, tyreso: None
) -> None:
    html = client.get("/omraden/unga/").content.decode()
    assert "Områdets ledare har ännu inte beskrivit vad invånarna kan påverka här." in html


@pytest.mark.django_db
def test_it_shows_the_innovation_method_with_the_current_phase_in_words(
    client: Client, tyreso: None
) -> None:
    html = client.get("/omraden/unga/").content.decode()
    method = html[
        html.index('<ol class="method"') : html.index("</ol>", html.index('class="method"'))
    ]
    assert method.index("Förstå behovet") < method.index("Hitta lösningar")
    assert method.index("Hitta lösningar") < method.index("Förverkliga lösningarna")
    assert method.count("området är i den här fasen nu") == 1
    assert method.index("Förstå behovet") < method.index("området är i den här fasen nu")
    assert method.index("området är i den här fasen nu") < method.index("Hitta lösningar")


@pytest.mark.django_db
def test_the_timeline_reads_oldest_first_with_definitions(client: Client, tyreso: None) -> None:
    omrade = Omrade.objects.get(slug="unga")
    for tertial, status in ((1, "rod"), (2, "gron")):
        uppf = make_uppfoljning(
            omrade=omrade,
            period=make_period(ar=2024, tertial=tertial),
            status=status,
            orsak="Ingen ledare",
            atgarder="Rekrytering",
        )
        make_publicering(uppf)
    html = client.get("/omraden/unga/").content.decode()
    timeline = html[html.index('<ol class="timeline"') :]
    timeline = timeline[: timeline.index("</ol>")]
    assert timeline.index("T1 2024") < timeline.index("T2 2024")
    assert "Uppdraget är inte påbörjat." in timeline and "■" in timeline
    assert 'href="/uppfoljning/2024-t1/"' in timeline


@pytest.mark.django_db
def test_the_timeline_shows_the_last_nine_periods_and_their_latest_status(
    client: Client,
) -> None:
    omrade = make_omrade(slug="unga")
    for i in range(12):
        period = make_period(ar=2021 + i // 3, tertial=i % 3 + 1)
        uppf = make_uppfoljning(omrade=omrade, period=period, status="gron")
        make_publicering(uppf, status="rod", orsak="Ingen ledare", atgarder="Rekrytering")
        make_publicering(uppf, status="gron")
    html = client.get("/omraden/unga/").content.decode()
    timeline = html[html.index('<ol class="timeline"') :]
    timeline = timeline[: timeline.index("</ol>")]
    assert timeline.count("<li>") == 9
    assert "2021" not in timeline
    assert timeline.index("T1 2022") < timeline.index("Årsredovisning 2024")
    # Each period shows its latest publication only.
    assert "status-rod" not in timeline and timeline.count("status-gron") == 9
    assert '<a href="/uppfoljning/?ar=2022">Tidigare uppföljningar, år för år</a>' in html


@pytest.mark.django_db
def test_the_timeline_skips_periods_with_nothing_visible_yet(client: Client) -> None:
    # The newest periods are walked until nine have a visible version: a draft, a version
    # scheduled for later, or another area's follow-up takes no place in the timeline.
    omrade, other = make_omrade(slug="unga"), make_omrade()
    later = timezone.now() + dt.timedelta(days=3)
    shown = []
    for i in range(20):
        period = make_period(ar=2018 + i // 3, tertial=i % 3 + 1)
        make_publicering(make_uppfoljning(omrade=other, period=period, status="gron"))
        uppf = make_uppfoljning(omrade=omrade, period=period, status="gron")
        if i % 4 == 1:
            continue  # a draft, never published
        if i % 4 == 2:
            make_publicering(uppf, publicerad_at=later)  # not visible yet
            continue
        make_publicering(uppf)
        shown.append(str(period))
    html = client.get("/omraden/unga/").content.decode()
    timeline = html[html.index('<ol class="timeline"') :]
    timeline = timeline[: timeline.index("</ol>")]
    # Ten periods have a visible version: the newest nine are shown, oldest first.
    assert len(shown) == 10 and timeline.count("<li>") == 9
    assert f">{shown[0]}</a>" not in timeline
    positions = [timeline.index(f">{name}</a>") for name in shown[1:]]
    assert positions == sorted(positions)
    assert "Tidigare uppföljningar, år för år" in html


@pytest.mark.django_db
def test_it_lists_a_few_activities_each_way_and_links_to_all(client: Client) -> None:
    omrade = make_omrade(slug="unga")
    today = timezone.localdate()
    for i in range(1, 8):
        make_aktivitet(omraden=[omrade], titel=f"Kommande {i}", datum=today + dt.timedelta(days=i))
        make_aktivitet(omraden=[omrade], titel=f"Tidigare {i}", datum=today - dt.timedelta(days=i))
    html = client.get("/omraden/unga/").content.decode()
    assert [f"Kommande {i}" in html for i in range(1, 8)] == [True] * 5 + [False] * 2
    assert [f"Tidigare {i}" in html for i in range(1, 8)] == [True] * 5 + [False] * 2
    assert 'href="/aktiviteter/">Alla aktiviteter, kommande och tidigare</a>' in html


@pytest.mark.django_db
def test_staff_opening_a_hidden_area_see_what_residents_would_see(client: Client) -> None:
    # Staff may open an area that is not public; its content is what residents would see
    # once it is: nothing of the area's input, initiatives or status is shown before then.
    fas = Fas.objects.create(ordning=1, namn="Förstå behovet")
    omrade = make_omrade(slug="hemligt", publik=False, fas=fas)
    Initiativ.objects.create(omrade=omrade, titel="Hemligt initiativ", fas=fas)
    make_inspel(omrade=omrade, publicerad_text="Hemligt inspel")
    make_publicering(make_uppfoljning(omrade=omrade, status="rod", orsak="X", atgarder="Y"))
    client.force_login(User.objects.create_user("medarbetare"))
    html = client.get("/omraden/hemligt/").content.decode()
    assert "inte publikt" in html
    assert "Hemligt initiativ" not in html and "Hemligt inspel" not in html
    assert "status-rod" not in html


@pytest.mark.django_db
def test_it_lists_the_political_assignments_the_area_carries_out(client: Client) -> None:
    omrade = make_omrade(slug="unga")
    make_uppdrag(namn="Ett socialt hållbart Tyresö", slug="socialt", ordning=2).omraden.add(omrade)
    make_uppdrag(namn="Övergripande", slug="overgripande", ordning=1).omraden.add(omrade)
    make_uppdrag(namn="Ekonomi", slug="ekonomi")
    html = client.get("/omraden/unga/").content.decode()
    section = html[html.index('id="uppdrag-rubrik"') : html.index('id="paverkan-rubrik"')]
    # In the municipal plan's order, each linked to its page; others not named.
    assert section.index('<a href="/uppdrag/overgripande/">Övergripande</a>') < section.index(
        '<a href="/uppdrag/socialt/">Ett socialt hållbart Tyresö</a>'
    )
    assert "Ekonomi" not in section
    assert 'href="/uppdrag/"' in section


@pytest.mark.django_db
def test_an_area_without_assignments_says_so(client: Client) -> None:
    make_omrade(slug="unga")
    html = client.get("/omraden/unga/").content.decode()
    assert "Området är inte kopplat till något av de politiska uppdragen ännu." in html


@pytest.mark.django_db
def test_a_hidden_area_is_not_found_by_residents_whatever_its_assignments(
    client: Client,
) -> None:
    omrade = make_omrade(slug="dold", publik=False)
    make_uppdrag().omraden.add(omrade)
    make_uppdrag().omraden.add(omrade)
    assert client.get("/omraden/dold/").status_code == 404
