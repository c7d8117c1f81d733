from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models.signals import post_init
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from omraden.models import Omrade
from tests.conftest import (
    make_omrade,
    make_period,
    make_publicering,
    make_uppdrag,
    make_uppfoljning,
    make_user,
)
from uppfoljning.models import Period, Publicering

CLOSED_AT = timezone.make_aware(dt.datetime(2024, 9, 15, 12, 0))


def _at(day: int, month: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2024, month, day, 12, 0))


@pytest.mark.django_db
def test_it_shows_the_real_t2_2023_follow_up_with_the_legend_word_for_word(
    client: Client, tyreso: None
) -> None:
    r = client.get("/uppfoljning/2023-t2/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1>Uppföljningsrapport T2 2023</h1>" in html
    assert "Övergripande – att arbeta kommungemensamt" in html
    assert "förenklingsfredagar" in html
    assert "Uppdraget genomförs enligt plan och kommer levereras i tid." in html
    assert (
        "Uppdraget är påbörjat men går inte enligt plan eller riskerar att inte levereras i tid."
        in html
    )
    assert "Uppdraget är inte påbörjat." in html
    # Every area is in the report, with a written empty state.
    for omrade in Omrade.objects.all():
        assert omrade.fraga in html
    assert html.count("Ingen uppföljning publicerades för den här perioden.") == 7


@pytest.mark.django_db
def test_the_period_has_a_permanent_address(tyreso: None) -> None:
    assert Period.objects.get(ar=2023, tertial=2).get_absolute_url() == "/uppfoljning/2023-t2/"
    assert Period.objects.get(ar=2023, tertial=3).get_absolute_url() == "/uppfoljning/2023-ar/"


@pytest.mark.django_db
def test_a_closed_period_keeps_what_was_published_when_it_closed(client: Client) -> None:
    period = make_period(ar=2024, tertial=2, tillstand="stangd", stangd_at=CLOSED_AT)
    omrade = make_omrade(slug="unga")
    uppf = make_uppfoljning(omrade=omrade, period=period, status="gron")
    make_publicering(uppf, sammanfattning="Första versionen", skapad_at=_at(1))
    make_publicering(uppf, sammanfattning="Versionen vid stängning", skapad_at=_at(10))
    make_publicering(
        uppf,
        status="gul",
        sammanfattning="Rättad text",
        orsak="Fel i underlaget",
        atgarder="Nytt underlag",
        skapad_at=_at(3, month=12),
    )
    html = client.get("/uppfoljning/2024-t2/").content.decode()
    report, correction = html.split("Rättad 3 december 2024")
    assert "Versionen vid stängning" in report and "Första versionen" not in report
    assert "Rättad text" not in report
    assert "Rättad text" in correction and "Fel i underlaget" in correction


@pytest.mark.django_db
def test_a_period_closed_before_the_portal_kept_track_shows_its_first_publication(
    client: Client,
) -> None:
    period = make_period(ar=2024, tertial=1, tillstand="stangd", stangd_at=None)
    uppf = make_uppfoljning(omrade=make_omrade(), period=period, status="gron")
    make_publicering(uppf, sammanfattning="Som rapporterat", skapad_at=_at(1, month=5))
    make_publicering(uppf, sammanfattning="Senare ändring", skapad_at=_at(2, month=6))
    html = client.get("/uppfoljning/2024-t1/").content.decode()
    report, correction = html.split("Rättad 2 juni 2024")
    assert "Som rapporterat" in report and "Senare ändring" not in report
    assert "Senare ändring" in correction


@pytest.mark.django_db
def test_an_open_period_shows_the_latest_publication_and_says_it_may_change(
    client: Client,
) -> None:
    period = make_period(ar=2024, tertial=2, tillstand="oppen")
    uppf = make_uppfoljning(omrade=make_omrade(), period=period, status="gron")
    make_publicering(uppf, sammanfattning="Gammal", skapad_at=_at(1))
    make_publicering(uppf, sammanfattning="Ny", skapad_at=_at(2))
    html = client.get("/uppfoljning/2024-t2/").content.decode()
    assert "<p>Ny</p>" in html and "<p>Gammal</p>" not in html
    assert "Rättad" not in html
    assert "kan fortfarande ändras" in html


@pytest.mark.django_db
def test_it_shows_what_changed_since_the_previous_period(client: Client) -> None:
    omrade = make_omrade()
    t1 = make_period(ar=2024, tertial=1, tillstand="stangd")
    t2 = make_period(ar=2024, tertial=2, tillstand="oppen")
    make_publicering(
        make_uppfoljning(omrade=omrade, period=t1, status="gron"),
        sammanfattning="Vi har börjat lyssna på unga.",
    )
    make_publicering(
        make_uppfoljning(
            omrade=omrade, period=t2, status="gul", orsak="Sjukskrivning", atgarder="Vikarie"
        ),
        sammanfattning="Vi har slutat lyssna på unga.",
    )
    html = client.get("/uppfoljning/2024-t2/").content.decode()
    assert "Sedan T1 2024" in html
    assert "Statusen har ändrats" in html
    assert html.index("status-gron") < html.index("→") < html.rindex("status-gul")
    assert "Texten har ändrats." in html
    assert "<del>" in html and "börjat</del>" in html and "slutat</ins>" in html


@pytest.mark.django_db
def test_an_unchanged_follow_up_says_so(client: Client) -> None:
    omrade = make_omrade()
    for tertial in (1, 2):
        period = make_period(ar=2024, tertial=tertial)
        make_publicering(
            make_uppfoljning(omrade=omrade, period=period, status="gron"), sammanfattning="Samma"
        )
    html = client.get("/uppfoljning/2024-t2/").content.decode()
    assert "Statusen är oförändrad" in html
    assert "Texten är oförändrad." in html


@pytest.mark.django_db
def test_it_never_shows_a_draft_a_future_publication_or_a_hidden_area(client: Client) -> None:
    period = make_period(ar=2024, tertial=1)
    make_uppfoljning(omrade=make_omrade(), period=period, status="gron", sammanfattning="Utkast")
    planned = make_uppfoljning(omrade=make_omrade(), period=period, status="gron")
    make_publicering(
        planned, sammanfattning="Planerad", publicerad_at=timezone.now() + dt.timedelta(days=2)
    )
    hidden = make_omrade(publik=False, fraga="Hemlig fråga?")
    make_publicering(
        make_uppfoljning(omrade=hidden, period=period, status="gron"), sammanfattning="Hemlig"
    )
    html = client.get("/uppfoljning/2024-t1/").content.decode()
    for secret in ("Utkast", "Planerad", "Hemlig"):
        assert secret not in html


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["2024-t9", "2024", "t1-2024", "2030-t1"])
def test_it_returns_404_for_an_unknown_or_malformed_period(client: Client, slug: str) -> None:
    make_period(ar=2024, tertial=1)
    assert client.get(f"/uppfoljning/{slug}/").status_code == 404


@pytest.mark.django_db
def test_it_is_in_english_under_en_with_english_dates(client: Client) -> None:
    period = make_period(ar=2024, tertial=2, tillstand="stangd", stangd_at=CLOSED_AT)
    uppf = make_uppfoljning(omrade=make_omrade(), period=period, status="gron")
    make_publicering(uppf, skapad_at=_at(1))
    make_publicering(uppf, skapad_at=_at(29, month=11))
    html = client.get("/en/uppfoljning/2024-t2/").content.decode()
    assert '<html lang="en">' in html
    assert "Follow-up report T2 2024" in html
    assert "15 September 2024" in html
    assert "Corrected 29 November 2024" in html
    assert "The assignment has not started." in html


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 15])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    t1 = make_period(ar=2024, tertial=1, tillstand="stangd", stangd_at=CLOSED_AT)
    t2 = make_period(ar=2024, tertial=2, tillstand="stangd", stangd_at=CLOSED_AT)
    make_uppdrag(overgripande=True)
    for _ in range(size):
        omrade = make_omrade()
        for period in (t1, t2):
            uppf = make_uppfoljning(omrade=omrade, period=period, status="gron")
            make_publicering(uppf, skapad_at=_at(1))
            make_publicering(uppf, skapad_at=_at(1, month=12))
    # 1: the period and the previous one
    # 2: the public publications both periods show, with their follow-ups
    # 3: the assignments (overarching, or followed up in the period)
    # 4: the public areas with their fadder
    with django_assert_num_queries(4):
        assert client.get("/uppfoljning/2024-t2/").status_code == 200


@pytest.mark.django_db
def test_a_publication_at_the_moment_of_closing_belongs_to_the_snapshot(client: Client) -> None:
    period = make_period(ar=2024, tertial=2, tillstand="stangd", stangd_at=CLOSED_AT)
    uppf = make_uppfoljning(omrade=make_omrade(), period=period, status="gron")
    make_publicering(uppf, sammanfattning="Precis i tid", skapad_at=CLOSED_AT)
    html = client.get("/uppfoljning/2024-t2/").content.decode()
    assert "Precis i tid" in html and "Rättad" not in html


@pytest.mark.django_db
def test_a_follow_up_first_published_after_closing_is_only_a_correction(client: Client) -> None:
    period = make_period(ar=2024, tertial=2, tillstand="stangd", stangd_at=CLOSED_AT)
    uppf = make_uppfoljning(omrade=make_omrade(), period=period, status="gron")
    make_publicering(uppf, sammanfattning="För sent", skapad_at=_at(1, month=10))
    html = client.get("/uppfoljning/2024-t2/").content.decode()
    report, correction = html.split("Rättad 1 oktober 2024")
    assert "Ingen uppföljning publicerades för den här perioden." in report
    assert "För sent" in correction


@pytest.mark.django_db
def test_a_scheduled_publication_does_not_hide_the_one_shown_now(client: Client) -> None:
    soon = timezone.now() + dt.timedelta(days=2)
    open_period = make_period(ar=2024, tertial=2, tillstand="oppen")
    uppf = make_uppfoljning(omrade=make_omrade(), period=open_period, status="gron")
    make_publicering(uppf, sammanfattning="Gäller nu", skapad_at=_at(1))
    make_publicering(uppf, sammanfattning="Kommer sen", skapad_at=_at(2), publicerad_at=soon)
    html = client.get("/uppfoljning/2024-t2/").content.decode()
    assert "Gäller nu" in html and "Kommer sen" not in html


@pytest.mark.django_db
def test_of_two_publications_created_at_once_the_higher_version_counts(client: Client) -> None:
    period = make_period(ar=2024, tertial=2, tillstand="stangd", stangd_at=CLOSED_AT)
    uppf = make_uppfoljning(omrade=make_omrade(), period=period, status="gron")
    make_publicering(uppf, version=2, sammanfattning="Version två", skapad_at=_at(1))
    make_publicering(uppf, version=1, sammanfattning="Version ett", skapad_at=_at(1))
    html = client.get("/uppfoljning/2024-t2/").content.decode()
    assert "Version två" in html and "Version ett" not in html


@pytest.mark.django_db
def test_it_reads_only_the_publications_it_shows(client: Client) -> None:
    # Ten revisions per follow-up: the report reads the snapshot and the correction of each
    # period (this and the previous one), never the revisions they replaced.
    t1 = make_period(ar=2024, tertial=1, tillstand="stangd", stangd_at=_at(1, month=5))
    t2 = make_period(ar=2024, tertial=2, tillstand="stangd", stangd_at=CLOSED_AT)
    omrade = make_omrade()
    for period in (t1, t2):
        uppf = make_uppfoljning(omrade=omrade, period=period, status="gron")
        for day in range(1, 11):
            make_publicering(uppf, skapad_at=period.stangd_at - dt.timedelta(days=day))
        make_publicering(uppf, sammanfattning="Rättelse", skapad_at=_at(1, month=12))
    read: list[Publicering] = []

    def count(sender: type[Publicering], instance: Publicering, **kwargs: Any) -> None:
        read.append(instance)

    post_init.connect(count, sender=Publicering)
    try:
        assert client.get("/uppfoljning/2024-t2/").status_code == 200
    finally:
        post_init.disconnect(count, sender=Publicering)
    assert len(read) == 4
    assert sorted(p.version for p in read) == [1, 1, 11, 11]


@pytest.mark.django_db
def test_staff_see_the_report_residents_see(client: Client) -> None:
    # The public report is the residents' report: staff see drafts in the workspace, not here.
    period = make_period(ar=2024, tertial=1)
    planned = make_uppfoljning(omrade=make_omrade(), period=period, status="gron")
    make_publicering(planned, sammanfattning="Gäller nu")
    make_publicering(
        planned, sammanfattning="Planerad", publicerad_at=timezone.now() + dt.timedelta(days=2)
    )
    hidden = make_omrade(publik=False, fraga="Hemlig fråga?")
    make_publicering(
        make_uppfoljning(omrade=hidden, period=period, status="gron"), sammanfattning="Hemlig"
    )
    client.force_login(make_user(groups=("medarbetare",)))
    html = client.get("/uppfoljning/2024-t1/").content.decode()
    assert "Gäller nu" in html
    for secret in ("Planerad", "Hemlig"):
        assert secret not in html
