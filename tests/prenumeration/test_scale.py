"""Proved at scale (issue 23, point 6): 10,000 confirmed subscribers, one publication.

Exactly one digest each (outbox rows counted by event key and by recipient); with the real
worker (PostgreSQL, `make test-postgres`) killed while it sends and started again, every
digest arrives and none twice (Message-IDs counted as delivered at an SMTP server process). The
worker harness (fixtures procs, port, log) is the outbox's own, from tests/utskick.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from prenumeration import services
from prenumeration.models import Omgang, Prenumeration
from tests.conftest import make_omrade, make_period, make_uppfoljning, make_user, sign_off
from tests.utskick.test_worker import (  # the outbox's own worker harness
    _all_sent,
    _delivered,
    _env,
    _kill,
    _manage,
    _sink,
    _wait,
    _worker,
)
from uppfoljning import services as uppf_services
from utskick.models import Utskick
from utskick.outbox import message_id

N = 10_000


def _subscribers(omrade: Any) -> list[int]:
    """N confirmed subscriptions: half follow the area, half every area. Plus some that must
    get nothing: unconfirmed, cancelled, another area."""
    now = timezone.now()
    rows = [
        Prenumeration(
            epost=f"f{n}@example.net",
            alla_omraden=n % 2 == 0,
            bekraftelse_skickad_at=now,
            bekraftad_at=now,
        )
        for n in range(N)
    ]
    rows += [
        Prenumeration(epost=f"obekraftad{n}@example.net", alla_omraden=True) for n in range(50)
    ]
    rows += [
        Prenumeration(
            epost=f"avslutad{n}@example.net", alla_omraden=True, bekraftad_at=now, avslutad_at=now
        )
        for n in range(50)
    ]
    Prenumeration.objects.bulk_create(rows, batch_size=2000)
    following = list(
        Prenumeration.objects.filter(epost__startswith="f", alla_omraden=False).values_list(
            "pk", flat=True
        )
    )
    through = Prenumeration.omraden.through
    through.objects.bulk_create(
        [through(prenumeration_id=pk, omrade_id=omrade.pk) for pk in following], batch_size=2000
    )
    return list(Prenumeration.objects.active().values_list("pk", flat=True))


def _publish(omrade: Any) -> Any:
    klg = make_user("klg", groups=("medarbetare", "kommunledningsgruppen"))
    uppf = make_uppfoljning(omrade=omrade, period=make_period())
    uppf = uppf_services.uppfoljning_save(
        uppfoljning=uppf,
        version=uppf.version,
        changes={
            "status": "gul",
            "orsak": "Rekrytering",
            "atgarder": "Annons ute",
            "sammanfattning": "Halvvägs.",
        },
        by=klg,
    )
    uppf = sign_off(uppf, by=klg)
    return uppf_services.uppfoljning_publish(uppfoljning=uppf, version=uppf.version, by=klg)


@override_settings(SAMMANDRAG_TYST=0)
@pytest.mark.django_db
def test_one_publication_gives_exactly_one_digest_to_each_of_10000_subscribers(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    omrade = make_omrade()
    make_omrade()  # another area, followed by nobody here
    active = _subscribers(omrade)
    assert len(active) == N
    # The digests are queued (the immediate task backend runs the round's task at commit);
    # sending them is the outbox worker's, proved with 10,000 below and in tests/utskick
    # (here it would add 90 s of one-by-one sending to the suite).
    monkeypatch.setattr("utskick.tasks.kick", lambda **kwargs: None)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        _publish(omrade)
    seconds = time.monotonic() - started
    omgang = Omgang.objects.get()
    rows = Utskick.objects.filter(nyckel__startswith="digest:")
    keys = Counter(rows.values_list("nyckel", flat=True))
    assert keys == Counter({f"digest:{omgang.pk}:{pk}": 1 for pk in active})
    assert omgang.antal == N and omgang.klar_at is not None
    # One e-mail to each address, none to the unconfirmed or cancelled.
    recipients = Counter(address for [address] in rows.values_list("till", flat=True))
    assert len(recipients) == N and set(recipients.values()) == {1}
    assert not any(a.startswith(("obekraftad", "avslutad")) for a in recipients)
    # Queued again (cron catching up, a retried task): nothing new.
    assert services.sammandrag_queue(omgang_id=omgang.pk) == 0
    assert rows.count() == N
    print(f"\n10,000 digests queued {seconds:.1f} s after the publication")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_while_it_sends_10000_digests_loses_none_and_doubles_none(
    procs: list[Any], tmp_path: Path, port: int, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.fail("needs PostgreSQL (make test-postgres): the worker is a process of its own")
    omrade = make_omrade()
    active = _subscribers(omrade)
    # This process only publishes and commits; the worker (another process) queues the
    # round's digests and sends them: the round is handed over by cron's command.
    monkeypatch.setattr("prenumeration.services.enqueue_round", lambda pk: None)
    monkeypatch.setattr("utskick.tasks.kick", lambda **kwargs: None)
    with override_settings(SAMMANDRAG_TYST=0), transaction.atomic():
        _publish(omrade)
    omgang = Omgang.objects.get()
    assert omgang.klar_at is None and Utskick.objects.count() == 0
    _sink(procs, tmp_path, port, log)
    env = _env(port, UTSKICK_PER_UPPGIFT="500", UTSKICK_PARALLELLA="1")
    _manage(env, "skicka_sammandrag")
    worker = _worker(procs, env, tmp_path)
    # Killed when about a third is delivered.
    _wait(lambda: sum(_delivered(log).values()) >= N // 3, timeout=300)
    _kill(worker)
    delivered_before = sum(_delivered(log).values())
    assert Utskick.objects.filter(nyckel__startswith="digest:").count() == N  # all queued
    # Started again: cron's two commands, a new worker.
    _manage(env, "skicka_sammandrag")
    _manage(env, "utskick", "--skicka")
    _worker(procs, env, tmp_path)
    _wait(_all_sent, timeout=600)
    delivered = _delivered(log)
    expected = {message_id(f"digest:{omgang.pk}:{pk}") for pk in active}
    duplicates = sum(delivered.values()) - len(delivered)
    print(
        f"\nkilled after {delivered_before} of {N} digests; afterwards {len(delivered)} distinct "
        f"delivered, {duplicates} duplicate(s)"
    )
    assert set(delivered) == expected  # no loss, and nothing else
    # None twice, but for at most the one message in the hand-over window when the worker
    # died (sent again with the same Message-ID: tests/utskick/test_worker.py).
    assert duplicates <= 1
    assert Omgang.objects.get().klar_at is not None
