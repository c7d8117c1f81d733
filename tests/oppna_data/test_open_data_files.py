"""The datasets as CSV and JSON: /oppna-data/<dataset>.csv and .json."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from omraden.models import Inspel, Omrade
from portal.viewer import Viewer
from tests.conftest import (
    make_aktivitet,
    make_indikator,
    make_inspel,
    make_matvarde,
    make_omrade,
    make_period,
    make_publicering,
    make_uppdrag,
    make_uppfoljning,
)
from uppfoljning.models import Matvarde

DATASETS = ["omraden", "uppfoljningar", "aktiviteter", "indikatorer", "inspel"]


def _csv(client: Client, dataset: str) -> list[dict[str, str]]:
    r = client.get(f"/oppna-data/{dataset}.csv")
    assert r.status_code == 200
    text = r.content.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _json(client: Client, dataset: str) -> dict[str, Any]:
    r = client.get(f"/oppna-data/{dataset}.json")
    assert r.status_code == 200
    return json.loads(r.content)


# Format


@pytest.mark.django_db
@pytest.mark.parametrize("dataset", DATASETS)
def test_csv_is_utf8_with_a_header_and_served_inline(client: Client, dataset: str) -> None:
    r = client.get(f"/oppna-data/{dataset}.csv")
    assert r.status_code == 200
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"] == f'inline; filename="{dataset}.csv"'
    assert r["Access-Control-Allow-Origin"] == "*"
    assert not r.content.startswith(b"\xef\xbb\xbf")  # no byte order mark
    header = r.content.decode().splitlines()[0]
    assert "," in header


@pytest.mark.django_db
@pytest.mark.parametrize("dataset", DATASETS)
def test_json_names_dataset_and_licence_and_is_served_inline(client: Client, dataset: str) -> None:
    r = client.get(f"/oppna-data/{dataset}.json")
    assert r["Content-Type"] == "application/json; charset=utf-8"
    assert r["Content-Disposition"] == f'inline; filename="{dataset}.json"'
    body = json.loads(r.content)
    assert body["dataset"] == dataset
    assert body["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert body["count"] == len(body["items"]) == 0
    # An empty dataset is one empty page.
    assert (body["total"], body["page"], body["pages"], body["page_size"]) == (0, 1, 1, 100)
    assert (body["prev"], body["next"]) == (None, None)
    assert body["csv"] == f"http://testserver/oppna-data/{dataset}.csv"


@pytest.mark.django_db
def test_an_unknown_dataset_is_404(client: Client) -> None:
    assert client.get("/oppna-data/hemligheter.csv").status_code == 404
    assert client.get("/oppna-data/hemligheter.json").status_code == 404


@pytest.mark.django_db
def test_the_files_have_no_language_prefix_and_stay_swedish(client: Client) -> None:
    make_publicering(make_uppfoljning(status="gul", orsak="Sjukdom", atgarder="Vikarie"))
    assert client.get("/en/oppna-data/uppfoljningar.json").status_code == 404
    body = _json(client, "uppfoljningar")
    english = client.get(
        "/oppna-data/uppfoljningar.json", headers={"accept-language": "en"}
    ).content
    assert json.loads(english) == body
    assert body["items"][0]["status_label"] == "Gul"


# Content


@pytest.mark.django_db
def test_omraden_lists_the_seven_areas_with_fadder_and_latest_status(
    client: Client, tyreso: None
) -> None:
    omrade = Omrade.objects.get(slug="unga")
    make_publicering(make_uppfoljning(omrade=omrade, status="gron"))
    rows = _csv(client, "omraden")
    assert [r["number"] for r in rows] == ["1", "2", "3", "4", "5", "6", "7"]
    unga = rows[2]
    assert unga["sponsor_name"] == "Elin Waltersson"
    assert unga["latest_status"] == "gron"
    assert unga["latest_status_label"] == "Grön"
    assert unga["latest_status_period"] == "2024-t1"
    assert unga["url"] == "http://127.0.0.1:8000/omraden/unga/"


@pytest.mark.django_db
def test_uppfoljningar_has_every_public_version_and_marks_the_latest(client: Client) -> None:
    omrade = make_omrade(slug="unga")
    uppf = make_uppfoljning(omrade=omrade, period=make_period(ar=2024, tertial=2))
    make_publicering(uppf, status="rod", orsak="Inte startat", atgarder="Rekrytering")
    make_publicering(uppf, status="gron", sammanfattning="Nu är vi igång.")
    earlier = make_uppfoljning(omrade=omrade, period=make_period(ar=2024, tertial=1))
    make_publicering(earlier, status="gron")
    uppdrag = make_uppfoljning(uppdrag=make_uppdrag(slug="overgripande"), period=earlier.period)
    make_publicering(uppdrag, status="gron")

    # JSON: the newest period first; within a period areas, assignments, versions in order.
    items = _json(client, "uppfoljningar")["items"]
    assert [(i["period"], i["subject_type"], i["version"], i["is_latest"]) for i in items] == [
        ("2024-t2", "omrade", 1, False),
        ("2024-t2", "omrade", 2, True),
        ("2024-t1", "omrade", 1, True),
        ("2024-t1", "uppdrag", 1, True),
    ]
    red = items[0]
    assert (red["status"], red["status_label"]) == ("rod", "Röd")
    assert (red["cause"], red["actions"]) == ("Inte startat", "Rekrytering")
    assert red["area_slug"] == "unga" and red["assignment_slug"] == ""
    assert items[3]["assignment_slug"] == "overgripande"
    assert items[1]["summary"] == "Nu är vi igång."
    # CSV: the whole dataset, oldest period first.
    rows = _csv(client, "uppfoljningar")
    assert [(r["period"], r["version"], r["is_latest"]) for r in rows] == [
        ("2024-t1", "1", "true"),
        ("2024-t1", "1", "true"),
        ("2024-t2", "1", "false"),
        ("2024-t2", "2", "true"),
    ]


@pytest.mark.django_db
def test_a_planned_version_does_not_count_as_latest_before_its_time(client: Client) -> None:
    uppf = make_uppfoljning(status="gron")
    make_publicering(uppf)
    make_publicering(uppf, publicerad_at=timezone.now() + dt.timedelta(hours=1))
    items = _json(client, "uppfoljningar")["items"]
    assert [(i["version"], i["is_latest"]) for i in items] == [(1, True)]


@pytest.mark.django_db
def test_aktiviteter_lists_public_activities_by_date_with_times_themes_and_areas(
    client: Client,
) -> None:
    omrade = make_omrade(slug="unga")
    make_aktivitet(
        titel="Fokusgrupp",
        datum=dt.date(2024, 3, 5),
        starttid=dt.time(18, 0),
        sluttid=dt.time(19, 30),
        plats="Tyresö bibliotek",
        teman=["Trygghet", "Fritid"],
        omraden=[omrade],
    )
    make_aktivitet(titel="Checkpoint", datum=dt.date(2023, 11, 29))
    rows = _csv(client, "aktiviteter")
    assert [r["title"] for r in rows] == ["Checkpoint", "Fokusgrupp"]
    assert rows[0]["start_time"] == ""
    fokus = rows[1]
    assert (fokus["date"], fokus["start_time"], fokus["end_time"]) == (
        "2024-03-05",
        "18:00",
        "19:30",
    )
    assert fokus["themes"] == "Trygghet|Fritid"
    assert fokus["areas"] == "unga"
    items = _json(client, "aktiviteter")["items"]
    assert [i["title"] for i in items] == ["Fokusgrupp", "Checkpoint"]  # newest first
    item = items[0]
    assert item["themes"] == ["Trygghet", "Fritid"]
    assert item["areas"] == ["unga"]


@pytest.mark.django_db
def test_indikatorer_gives_baseline_and_values_each_with_its_source(client: Client) -> None:
    indikator = make_indikator(
        slug="delaktighetsindex",
        namn="Delaktighetsindex",
        kalla="KKiK",
        startlage_ar=2021,
        startlage_kommun=58,
        startlage_riket=58,
        kolada_kpi="U00405",
    )
    make_matvarde(indikator, ar=2022, kommun=60, riket=57, kalla=Matvarde.Kalla.KOLADA)
    make_matvarde(indikator, ar=2023, kommun="61.5", kalla=Matvarde.Kalla.EGEN)
    make_matvarde(indikator, ar=2024, kommun=62, kalla=Matvarde.Kalla.MANUELL)
    make_indikator(slug="bedomning", enhet="bedomning", kalla="Kommunens bedömning")

    items = _json(client, "indikatorer")["items"]
    assert [i["slug"] for i in items] == ["delaktighetsindex", "bedomning"]
    d = items[0]
    assert d["baseline"]["year"] == 2021
    assert d["baseline"]["kommun"] == 58
    assert d["baseline"]["source_label"] == "Startläge i kommunplanen (källa: KKiK)"
    assert [(v["year"], v["kommun"], v["national"]) for v in d["values"]] == [
        (2022, 60, 57),
        (2023, 61.5, None),
        (2024, 62, None),
    ]
    assert [v["source_label"] for v in d["values"]] == [
        "Källa: Kolada",
        "Beräknat av portalen ur egna uppgifter",
        "Inmatat av kommunen",
    ]

    rows = _csv(client, "indikatorer")
    assert [(r["slug"], r["row_type"], r["year"], r["source"]) for r in rows] == [
        ("delaktighetsindex", "baseline", "2021", "startlage"),
        ("delaktighetsindex", "value", "2022", "kolada"),
        ("delaktighetsindex", "value", "2023", "egen"),
        ("delaktighetsindex", "value", "2024", "manuell"),
        ("bedomning", "baseline", "", "startlage"),
    ]
    assert rows[1]["source_label"] == "Källa: Kolada"
    assert rows[2]["kommun"] == "61.5"


@pytest.mark.django_db
def test_inspel_gives_the_moderated_text_and_answer_and_a_name_only_by_choice(
    client: Client,
) -> None:
    omrade = make_omrade(slug="unga")
    make_inspel(
        typ=Inspel.Typ.ANTIKRANGEL,
        text="Blanketten är krånglig, ring mig på 070-1234567",
        publicerad_text="Blanketten är krånglig.",
        namn="Hemlig Person",
        epost="hemlig@example.org",
        omrade=omrade,
        svar="Vi gör om blanketten.",
        besvarad_at=timezone.now(),
    )
    make_inspel(namn="Synlig Person", visa_namn=True)
    items = _json(client, "inspel")["items"]
    assert [i["name"] for i in items] == ["Synlig Person", ""]  # newest first
    first = items[1]
    assert first["text"] == "Blanketten är krånglig."
    assert first["kind"] == "antikrangel"
    assert first["kind_label"] == "Antikrångel"
    assert first["area_slug"] == "unga"
    assert first["answer"] == "Vi gör om blanketten."
    assert first["answered_on"] == timezone.localdate().isoformat()
    assert set(first) == {
        "id",
        "kind",
        "kind_label",
        "area_slug",
        "text",
        "name",
        "answer",
        "received_on",
        "answered_on",
    }
    body = client.get("/oppna-data/inspel.csv").content.decode()
    assert "070-1234567" not in body and "hemlig@example.org" not in body


# Cache


@pytest.mark.django_db
def test_a_repeated_request_is_served_from_the_cache_until_public_data_changes(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    make_inspel(publicerad_text="Första inspelet.")
    assert _json(client, "inspel")["count"] == 1
    with django_assert_num_queries(0):
        r = client.get("/oppna-data/inspel.json")
    assert r["X-Public-Cache"] == "hit"
    assert r["Content-Disposition"] == 'inline; filename="inspel.json"'
    make_inspel(publicerad_text="Andra inspelet.")
    assert _json(client, "inspel")["count"] == 2


# Queries


def _populate(size: int) -> None:
    period_by_i = [make_period(ar=2024 + i // 3, tertial=i % 3 + 1) for i in range(size)]
    for i in range(size):
        omrade = make_omrade()
        uppf = make_uppfoljning(omrade=omrade, period=period_by_i[i], status="gron")
        make_publicering(uppf)
        make_publicering(uppf, version=2)
        make_aktivitet(omraden=[omrade, make_omrade(publik=False)])
        indikator = make_indikator(omrade=omrade)
        make_matvarde(indikator, ar=2022)
        make_matvarde(indikator, ar=2023)
        make_inspel(omrade=omrade)


# The queries of each dataset, named (a JSON page runs one more, first: the rows' `.count()`):
QUERIES = {
    # 1: visible areas with fadder, phase and current publication id; 2: those publications
    "omraden": 2,
    # 1: visible publications with follow-up, period, area and assignment; 2: the current
    # versions of their follow-ups
    "uppfoljningar": 2,
    # 1: visible activities; 2: their visible areas
    "aktiviteter": 2,
    # 1: visible indicators with assignment and area; 2: their values
    "indikatorer": 2,
    # 1: approved input of no area or a visible one, with its area
    "inspel": 1,
}


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 12])
@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("dataset", DATASETS)
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client,
    django_assert_num_queries: DjangoAssertNumQueries,
    dataset: str,
    fmt: str,
    size: int,
) -> None:
    _populate(size)
    with django_assert_num_queries(QUERIES[dataset] + (fmt == "json")):
        r = client.get(f"/oppna-data/{dataset}.{fmt}")
    assert r.status_code == 200
    if fmt == "json":
        assert json.loads(r.content)["count"] >= size


# Pages


def _approved_input(n: int) -> list[int]:
    """n approved inputs, oldest first; returns their ids."""
    Inspel.objects.bulk_create(
        Inspel(typ="ide", text=f"Idé {i}", publicerad_text=f"Idé {i}", status="godkand")
        for i in range(n)
    )
    return list(Inspel.objects.order_by("skapad", "pk").values_list("pk", flat=True))


@pytest.mark.django_db
def test_json_comes_in_pages_newest_first_with_links_and_totals(client: Client) -> None:
    ids = _approved_input(250)
    base = "http://testserver/oppna-data/inspel.json"
    first = _json(client, "inspel")
    assert (first["total"], first["pages"], first["page"], first["count"]) == (250, 3, 1, 100)
    assert [i["id"] for i in first["items"]] == ids[::-1][:100]
    assert (first["first"], first["prev"]) == (base, None)
    assert (first["next"], first["last"]) == (f"{base}?page=2", f"{base}?page=3")

    last = json.loads(client.get("/oppna-data/inspel.json?page=3").content)
    assert (last["page"], last["count"], last["next"]) == (3, 50, None)
    assert last["prev"] == f"{base}?page=2"
    # Following `next` from the first page gives every record exactly once.
    seen, url = [], "/oppna-data/inspel.json"
    while url:
        page = json.loads(client.get(url).content)
        seen += [i["id"] for i in page["items"]]
        url = page["next"] and page["next"].removeprefix("http://testserver")
    assert seen == ids[::-1]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["0", "4", "-1", "01", "abc", "1.0", "²"])
def test_a_page_that_does_not_exist_is_404(client: Client, page: str) -> None:
    _approved_input(250)
    assert client.get("/oppna-data/inspel.json", {"page": page}).status_code == 404


@pytest.mark.django_db
def test_is_latest_holds_across_pages(client: Client) -> None:
    period = make_period(ar=2024, tertial=1)
    for n in range(1, 100):
        make_publicering(make_uppfoljning(uppdrag=make_uppdrag(ordning=n), period=period))
    # The 100th and 101st records: version 1 ends page 1, version 2 starts page 2.
    last = make_uppfoljning(uppdrag=make_uppdrag(ordning=100), period=period)
    make_publicering(last)
    make_publicering(last, version=2)
    end_of_first = _json(client, "uppfoljningar")["items"][-1]
    start_of_second = json.loads(client.get("/oppna-data/uppfoljningar.json?page=2").content)
    assert (end_of_first["follow_up_id"], end_of_first["version"]) == (last.pk, 1)
    assert end_of_first["is_latest"] is False
    assert start_of_second["items"][0]["version"] == 2
    assert start_of_second["items"][0]["is_latest"] is True


@pytest.mark.django_db
def test_follow_up_total_counts_exactly_the_records_it_pages(client: Client) -> None:
    """`total` is the rows' own `.count()`: it agrees with the records whatever is hidden – a
    non-public area, a version not yet due."""
    from oppna_data.datasets import uppfoljningar_rows

    period = make_period(ar=2024, tertial=1)
    hidden = make_omrade(slug="dold", nummer=8, publik=False)
    for area in (
        make_omrade(slug="synlig-1", nummer=9),
        hidden,
        make_omrade(slug="synlig-2", nummer=10),
    ):
        uppf = make_uppfoljning(omrade=area, period=period, status="gron")
        make_publicering(uppf)
        make_publicering(uppf, version=2)
        make_publicering(uppf, version=3, publicerad_at=timezone.now() + dt.timedelta(days=1))
    make_publicering(make_uppfoljning(uppdrag=make_uppdrag(), period=period, status="gron"))
    expected = uppfoljningar_rows(Viewer.resident()).count()
    body = json.loads(client.get("/oppna-data/uppfoljningar.json").content)
    # Every version due by now of a visible follow-up: two for each public area and the
    # assignment's one; the hidden area's and the versions due tomorrow are left out.
    assert expected == 5
    assert body["total"] == expected == body["count"]
