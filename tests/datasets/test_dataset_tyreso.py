from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import models

from kommun.models import Kommun
from omraden.models import Aktivitet, Fas, Ledartroja, Omrade, Person
from portal.models import KandBrist, Tillganglighetsredogorelse
from portal.viewer import Viewer
from uppfoljning.models import (
    Historik,
    Indikator,
    Period,
    Publicering,
    Rapport,
    Uppdrag,
    Uppfoljning,
)

QUESTIONS = [
    "Hur kan vi förbättra möjligheterna till kontakt och bemötande av Tyresöborna?",
    "Hur kan vi förenkla för Tyresöborna med hjälp av digitalisering?",
    "Hur kan vi göra så att alla unga får känna trygghet, meningsfullhet och kärlek?",
    "Hur kan vi skapa ett levande samhälle med inkluderande mötesplatser för Tyresöbor, "
    "kultur och föreningsliv?",
    "Hur kan vi öka inkluderingen och få så många självförsörjande invånare som möjligt?",
    "Hur kan vi jobba för bättre cirkulär ekonomi/hållbarhet, klimat och natur?",
    "Hur kan vi göra alla som behövs delaktiga i utmaningar som ingen kan lösa ensam?",
]
FADDRAR = [
    ("Helena Törnqvist", "kommunikationschef"),
    ("Gustav Lind", "tf IT- och digitaliseringschef"),
    ("Elin Waltersson", "chef stöd- och servicekontoret"),
    ("Inger Lundin", "chef kultur- och fritidsförvaltningen"),
    ("Anna-Lena Engstedt", "chef arbetsmarknads- och socialförvaltningen"),
    ("Louise Bergman", "tf chef samhällsbyggnadskontoret"),
    ("Camilla Nilimaa", "kommunstrateg"),
]
UPPDRAG = [
    "Övergripande – att arbeta kommungemensamt",
    "Strategisk kompetensförsörjning",
    "En förskola och skola som ger likvärdiga möjligheter",
    "Omsorg för Tyresös äldre och funktionsnedsatta",
    "Bostäder och hållbar infrastruktur i hela Tyresö",
    "Ordning och reda i ekonomin",
    "Minskade klimatutsläpp, stärkt park och naturmiljö",
    "En meningsfull vardag och fritid för alla",
    "Ett socialt hållbart Tyresö för ökad trygghet",
    "Framtidens Tyresö Gymnasium och ökad sysselsättning",
]
ALL_MODELS: list[type[models.Model]] = [
    Kommun,
    Person,
    Fas,
    Omrade,
    Ledartroja,
    Aktivitet,
    Uppdrag,
    Indikator,
    Period,
    Uppfoljning,
    Publicering,
    Historik,
    Rapport,
    Tillganglighetsredogorelse,
    KandBrist,
]


def snapshot() -> dict[str, list[dict[str, object]]]:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in ALL_MODELS}


@pytest.mark.django_db
def test_it_loads_the_seven_questions_word_for_word(tyreso: None) -> None:
    assert list(Omrade.objects.order_by("nummer").values_list("fraga", flat=True)) == QUESTIONS


@pytest.mark.django_db
def test_it_loads_the_faddrar_with_their_titles(tyreso: None) -> None:
    got = [(o.fadder.namn, o.fadder.titel) for o in Omrade.objects.order_by("nummer")]
    assert got == FADDRAR


@pytest.mark.django_db
def test_it_leaves_the_ledartrojor_unassigned(tyreso: None) -> None:
    assert Ledartroja.objects.count() == 0
    assert not Person.objects.filter(fiktiv=True).exists()


@pytest.mark.django_db
def test_it_loads_the_innovation_phases(tyreso: None) -> None:
    assert list(Fas.objects.values_list("namn", flat=True)) == [
        "Förstå behovet",
        "Hitta lösningar",
        "Förverkliga lösningarna",
    ]
    assert set(Omrade.objects.values_list("fas__namn", flat=True)) == {"Förstå behovet"}


@pytest.mark.django_db
def test_it_loads_the_ten_assignments(tyreso: None) -> None:
    assert list(Uppdrag.objects.values_list("namn", flat=True)) == UPPDRAG
    assert list(Uppdrag.objects.filter(overgripande=True).values_list("namn", flat=True)) == [
        UPPDRAG[0]
    ]


@pytest.mark.django_db
def test_it_links_the_overarching_assignment_to_all_seven_areas_and_no_other(
    tyreso: None,
) -> None:
    linked = Uppdrag.objects.filter(omraden__isnull=False).distinct()
    assert [u.slug for u in linked] == ["overgripande-att-arbeta-kommungemensamt"]
    assert sorted(linked[0].omraden.values_list("nummer", flat=True)) == [1, 2, 3, 4, 5, 6, 7]


def test_it_loads_the_indicator_baselines(tyreso: None) -> None:
    baselines = {
        (i.startlage_ar, i.startlage_kommun, i.startlage_riket, i.kalla)
        for i in Indikator.objects.exclude(startlage_kommun=None)
    }
    assert baselines == {
        (2021, Decimal(58), Decimal(58), "KKiK (Kommunens kvalitet i korthet)"),
        (2021, Decimal(27), Decimal(19), "SCB:s medborgarundersökning"),
        (2021, Decimal(54), Decimal(39), "SCB:s medborgarundersökning"),
    }
    assert Indikator.objects.count() == 10
    assert Indikator.objects.filter(horisont="1-2ar").count() == 5
    assert Indikator.objects.filter(horisont="mandatperiod").count() == 5
    assert not Indikator.objects.filter(enhet="").exists()


@pytest.mark.django_db
def test_it_loads_the_t2_2023_follow_up_as_published_green(tyreso: None) -> None:
    assert [str(p) for p in Period.objects.all()] == ["T1 2023", "T2 2023", "Årsredovisning 2023"]
    uppf = Uppfoljning.objects.get(period__ar=2023, period__tertial=2)
    assert uppf.uppdrag.namn == "Övergripande – att arbeta kommungemensamt"
    assert uppf.status == "gron"
    pub = Publicering.objects.visible_to(Viewer.resident()).get(uppfoljning=uppf)
    assert pub.status == "gron"
    assert "IOP" in pub.sammanfattning and "förenklingsfredagar" in pub.sammanfattning
    assert uppf.historik.count() == 1


@pytest.mark.django_db
def test_it_loads_three_reports_and_the_checkpoint(tyreso: None) -> None:
    assert [r.datum.month for r in Rapport.objects.order_by("datum")] == [2, 5, 11]
    checkpoint = Aktivitet.objects.get()
    assert str(checkpoint.datum) == "2023-11-29"
    assert len(checkpoint.teman) == 4
    assert checkpoint.teman[0] == "Digitala lösningar för att möta längtan efter gemenskap"
    assert checkpoint.omraden.count() == 7


@pytest.mark.django_db
def test_a_second_run_changes_nothing(tyreso: None) -> None:
    before = snapshot()
    out = StringIO()
    call_command("load_dataset", "tyreso", stdout=out)
    assert snapshot() == before
    assert out.getvalue().strip().endswith("0 created, 0 updated, 49 unchanged.")


@pytest.mark.django_db
def test_demo_adds_marked_fictional_data_and_is_idempotent(tyreso: None) -> None:
    call_command("load_dataset", "tyreso", "--demo", verbosity=0)
    before = snapshot()
    call_command("load_dataset", "tyreso", "--demo", verbosity=0)
    assert snapshot() == before
    # Two per real area, and two in the demo fadder's own area (datasets/demo.py).
    assert Ledartroja.objects.count() == 16
    assert not Ledartroja.objects.filter(person__fiktiv=False).exists()
    assert not Uppfoljning.objects.filter(period__ar=2023, omrade__isnull=False).exists()


@pytest.mark.django_db
def test_dry_run_writes_nothing() -> None:
    out = StringIO()
    call_command("load_dataset", "tyreso", "--dry-run", stdout=out)
    assert Omrade.objects.count() == 0
    assert "Dry run, nothing written" in out.getvalue()


@pytest.mark.django_db
def test_it_loads_tyresos_municipality_record(tyreso: None) -> None:
    kommun = Kommun.objects.current()
    assert kommun.pk == 1 and kommun.configured and not kommun.exempel
    assert (kommun.namn, kommun.namn_en, kommun.kortnamn) == (
        "Tyresö kommun",
        "Tyresö municipality",
        "Tyresö",
    )
    assert (kommun.postadress, kommun.organisationsnummer, kommun.kolada_id) == (
        "135 81 Tyresö",
        "212000-0142",
        "0138",
    )
    assert (kommun.epost, kommun.telefon, kommun.webbplats) == (
        "tyreso.kommun@tyreso.se",
        "08-578 291 00",
        "https://www.tyreso.se/",
    )
    assert kommun.dataskyddsombud_epost == "dataskyddsombud@tyreso.se"
    assert (kommun.tillganglighet_epost, kommun.tillganglighet_telefon) == (
        "tyreso.kommun@tyreso.se",
        "08-578 291 00",
    )
    assert kommun.accentfarg == "#00507a"


@pytest.mark.django_db
def test_an_unknown_data_set_is_one_line_naming_the_known_ones() -> None:
    with pytest.raises(CommandError) as error:
        call_command("load_dataset", "tyresö", verbosity=0)
    assert str(error.value) == (
        "Unknown data set 'tyresö'. Known data sets: tyreso, exempelkommun."
    )
    assert not Omrade.objects.exists()


def test_the_command_needs_a_data_set_name() -> None:
    with pytest.raises(CommandError, match="name"):
        call_command("load_dataset")


def test_load_tyreso_is_gone() -> None:
    with pytest.raises(CommandError, match="Unknown command"):
        call_command("load_tyreso")
