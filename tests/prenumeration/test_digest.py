"""Digests: one e-mail per subscriber and publishing round, with what changed in their areas."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from prenumeration import services
from prenumeration.models import Omgang
from tests.conftest import make_omrade, make_period, make_uppfoljning, make_user, sign_off
from tests.prenumeration.conftest import make_prenumeration
from uppfoljning import services as uppf_services
from uppfoljning.models import Uppfoljning
from utskick.models import Utskick


@pytest.fixture
def klg(db: None) -> Any:
    return make_user("klg", groups=("medarbetare", "kommunledningsgruppen"))


def _publish(omrade: Any, klg: Any, period: Any, **changes: Any) -> Any:
    uppf = make_uppfoljning(omrade=omrade, period=period)
    changes.setdefault("status", "gron")
    changes.setdefault("sammanfattning", f"Det går bra för {omrade.kortnamn}.")
    uppf = uppf_services.uppfoljning_save(
        uppfoljning=uppf, version=uppf.version, changes=changes, by=klg
    )
    uppf = sign_off(uppf, by=klg)
    return uppf_services.uppfoljning_publish(uppfoljning=uppf, version=uppf.version, by=klg)


def digests() -> list[Utskick]:
    return list(Utskick.objects.filter(nyckel__startswith="digest:").order_by("nyckel"))


@override_settings(SAMMANDRAG_TYST=0)
@pytest.mark.django_db
def test_a_publication_sends_one_digest_to_each_subscriber_of_its_area(
    klg: Any, django_capture_on_commit_callbacks: Any
) -> None:
    a, b = make_omrade(kortnamn="Trygghet"), make_omrade(kortnamn="Natur")
    follows_a = make_prenumeration(omraden=[a])
    follows_all = make_prenumeration()
    follows_b = make_prenumeration(omraden=[b])
    make_prenumeration(omraden=[a], confirmed=False)
    make_prenumeration(omraden=[a], avslutad_at=timezone.now())
    no_followups = make_prenumeration(omraden=[a], uppfoljningar=False)
    with django_capture_on_commit_callbacks(execute=True):
        pub = _publish(a, klg, make_period(), status="gul", orsak="Sjukdom", atgarder="Vikarie")
    omgang = Omgang.objects.get()
    assert [r.nyckel for r in digests()] == sorted(
        [f"digest:{omgang.pk}:{follows_a.pk}", f"digest:{omgang.pk}:{follows_all.pk}"]
    )
    assert omgang.klar_at is not None and omgang.antal == 2
    assert list(omgang.publiceringar.all()) == [pub]
    row = digests()[0]
    assert "▲ Gul" in row.text and "Det går bra för Trygghet." in row.text
    assert f"http://127.0.0.1:8000/omraden/{a.slug}/" in row.text
    assert row.rubriker["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = row.rubriker["List-Unsubscribe"]
    assert (
        unsubscribe.startswith("<http://127.0.0.1:8000/folj/avsluta/") and "<mailto:" in unsubscribe
    )
    # The personal links are the subscriber's own.
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {follows_a.epost, follows_all.epost}
    assert sent[follows_a.epost].body != sent[follows_all.epost].body
    assert follows_b.epost not in sent and no_followups.epost not in sent


@override_settings(SAMMANDRAG_TYST=600)
@pytest.mark.django_db
def test_several_publications_in_a_quiet_period_make_one_digest(
    klg: Any, django_capture_on_commit_callbacks: Any
) -> None:
    areas = [make_omrade() for _ in range(3)]
    subscriber = make_prenumeration()
    period = make_period()
    with django_capture_on_commit_callbacks(execute=True):
        for omrade in areas:
            _publish(omrade, klg, period)
    assert digests() == []  # still within the quiet period
    services.sammandrag_run()
    assert Omgang.objects.count() == 0
    later = timezone.now() + dt.timedelta(seconds=601)
    with django_capture_on_commit_callbacks(execute=True):
        services.sammandrag_run(now=later)
    rows = digests()
    assert [r.nyckel for r in rows] == [f"digest:{Omgang.objects.get().pk}:{subscriber.pk}"]
    for omrade in areas:
        assert omrade.kortnamn in rows[0].text
    # The next run finds nothing new: no second round, no second digest.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("skicka_sammandrag")
    assert Omgang.objects.count() == 1 and len(digests()) == 1


@override_settings(SAMMANDRAG_TYST=0)
@pytest.mark.django_db
def test_queueing_a_round_again_adds_nothing(
    klg: Any, django_capture_on_commit_callbacks: Any
) -> None:
    omrade = make_omrade()
    make_prenumeration(omraden=[omrade])
    with django_capture_on_commit_callbacks(execute=True):
        _publish(omrade, klg, make_period())
    omgang = Omgang.objects.get()
    assert services.sammandrag_queue(omgang_id=omgang.pk) == 0
    assert len(digests()) == 1


@pytest.mark.django_db
def test_a_scheduled_publication_is_reported_when_it_becomes_visible(
    klg: Any, django_capture_on_commit_callbacks: Any
) -> None:
    omrade = make_omrade()
    make_prenumeration(omraden=[omrade])
    uppf = make_uppfoljning(omrade=omrade, period=make_period())
    uppf = uppf_services.uppfoljning_save(
        uppfoljning=uppf, version=uppf.version, changes={"status": "gron"}, by=klg
    )
    uppf = sign_off(uppf, by=klg)
    at = timezone.now() + dt.timedelta(days=1)
    with override_settings(SAMMANDRAG_TYST=0), django_capture_on_commit_callbacks(execute=True):
        uppf_services.uppfoljning_publish(uppfoljning=uppf, version=uppf.version, by=klg, at=at)
    # Nothing visible yet: no round with news (only the first, empty one), no digest.
    assert not Omgang.objects.filter(publiceringar__isnull=False).exists() and digests() == []
    assert Uppfoljning.objects.get().publicera_fran == at
    with django_capture_on_commit_callbacks(execute=True):
        services.sammandrag_run(now=at + dt.timedelta(hours=1))
    assert len(digests()) == 1


@pytest.mark.django_db
def test_a_digest_has_the_new_activities_answers_and_reports_of_the_kinds_chosen(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from tests.conftest import make_aktivitet, make_inspel, make_rapport

    a, b = make_omrade(kortnamn="Trygghet"), make_omrade(kortnamn="Natur")
    # The first round only marks where news start: what exists before it is not news.
    make_aktivitet(omraden=[a], titel="Gammal workshop")
    assert services.sammandrag_close_round(force=True) is None
    first = Omgang.objects.get()
    assert first.aktivitet_fran_id == first.aktivitet_till_id and first.klar_at is not None
    everything_in_a = make_prenumeration(omraden=[a])
    reports_only = make_prenumeration(
        omraden=[b], uppfoljningar=False, aktiviteter=False, svar=False
    )
    make_aktivitet(omraden=[a], titel="Trygghetsvandring")
    make_aktivitet(omraden=[b], titel="Skräpplockning")
    make_inspel(
        omrade=a,
        publicerad_text="Mer ljus i tunneln",
        svar="Vi byter armaturer i vår.",
        besvarad_at=timezone.now(),
    )
    make_rapport(titel="Kommundirektörens rapport december")
    later = timezone.now() + dt.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.sammandrag_run(now=later)
    rows = {r.till[0]: r.text for r in digests()}
    text = rows[everything_in_a.epost]
    assert "Trygghetsvandring" in text and "Skräpplockning" not in text
    assert "Gammal workshop" not in text
    assert "Mer ljus i tunneln" in text and "Vi byter armaturer i vår." in text
    assert "Kommundirektörens rapport december" in text
    assert rows[reports_only.epost].count("Kommundirektörens rapport december") == 1
    assert "Trygghetsvandring" not in rows[reports_only.epost]


@override_settings(SAMMANDRAG_TYST=600, SAMMANDRAG_MAX_VANTAN=3600)
@pytest.mark.django_db
def test_a_round_closes_after_the_longest_wait_even_if_news_keep_coming(
    klg: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from uppfoljning.models import Publicering

    make_prenumeration()
    period = make_period()
    with django_capture_on_commit_callbacks(execute=True):
        pubs = [_publish(make_omrade(), klg, period) for _ in range(2)]
    now = timezone.now()
    # The first became visible an hour ago, the second a minute ago: not quiet, but long enough.
    Publicering.objects.filter(pk=pubs[0].pk).update(publicerad_at=now - dt.timedelta(minutes=61))
    Publicering.objects.filter(pk=pubs[1].pk).update(publicerad_at=now - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.sammandrag_run(now=now)
    assert len(digests()) == 1
    assert set(Omgang.objects.get().publiceringar.all()) == set(pubs)


@override_settings(SAMMANDRAG_TYST=0)
@pytest.mark.django_db
@pytest.mark.parametrize("subscribers", [1, 300])
def test_the_publishing_request_does_not_grow_with_the_subscribers(
    client: Any, klg: Any, subscribers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    omrade = make_omrade()
    for _ in range(subscribers):
        make_prenumeration(omraden=[omrade])
    uppf = make_uppfoljning(omrade=omrade, period=make_period())
    uppf = uppf_services.uppfoljning_save(
        uppfoljning=uppf, version=uppf.version, changes={"status": "gron"}, by=klg
    )
    uppf = sign_off(uppf, by=klg)
    handed: list[int] = []
    monkeypatch.setattr("prenumeration.services.enqueue_round", handed.append)
    client.force_login(klg)
    with CaptureQueriesContext(connection) as queries:
        r = client.post(
            f"/arbetsyta/uppfoljning/{uppf.pk}/", {"handling": "publicera", "version": uppf.version}
        )
        assert r.status_code == 302
        # What runs at commit in the request: the round is closed and handed to the task.
        published_queries = len(queries)
        services.published()
    assert handed == [Omgang.objects.get().pk] and digests() == []
    # The round's closing reads no subscriber: a handful of queries, however many follow.
    assert len(queries) - published_queries <= 10
    assert not any("prenumeration_prenumeration" in q["sql"] for q in queries.captured_queries)
