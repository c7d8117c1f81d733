"""The real thing: `manage.py db_worker` processes sending to an SMTP server process, killed
with SIGKILL mid-run and started again. Every delivered Message-ID is counted: duplicates
and losses.

PostgreSQL only (`make test-postgres`): the worker is another process and must see the
test's committed rows, which SQLite's in-memory test database cannot give it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import connection, transaction
from django_tasks_db import DatabaseBackend

from tests.utskick.smtp_sink import free_port, read_log
from utskick import queue_many
from utskick.models import Utskick
from utskick.outbox import message_id
from utskick.tasks import send_utskick

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(django_settings.BASE_DIR)
SINK = Path(__file__).with_name("smtp_sink.py")


@pytest.fixture(autouse=True)
def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.fail("needs PostgreSQL (make test-postgres): the worker is a process of its own")


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for p in started:
        if p.poll() is None:
            p.kill()
        p.wait(10)


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "sink.log"


def _env(port: int, **extra: str) -> dict[str, str]:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DEBUG": "1",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "UTSKICK_LEASE": "1",
        "UTSKICK_PER_MINUT": "0",
        "UTSKICK_PER_UPPGIFT": "25",
        **extra,
    }


def _sink(procs: list[Any], tmp_path: Path, port: int, log: Path, *options: str) -> Path:
    flag = tmp_path / "paused"
    p = subprocess.Popen(
        [sys.executable, str(SINK), "--port", str(port), "--log", str(log), "--flag", str(flag)]
        + list(options),
        stdout=subprocess.PIPE,
    )
    procs.append(p)
    assert p.stdout is not None and p.stdout.readline().strip() == b"ready"
    return flag


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def _worker(procs: list[Any], env: dict[str, str], tmp_path: Path) -> subprocess.Popen[bytes]:
    out = (tmp_path / f"worker{len(procs)}.log").open("wb")
    p = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.1",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    procs.append(p)
    return p


def _queue(monkeypatch: pytest.MonkeyPatch, keys: list[str]) -> None:
    """Queue in a committed transaction; the worker, not this process, sends."""
    monkeypatch.setattr("utskick.tasks.kick", lambda **kwargs: None)
    with transaction.atomic():
        queue_many(
            (key, EmailMessage(f"Ämne {key}", "Brödtext", None, [f"{n}@example.org"]))
            for n, key in enumerate(keys)
        )


def _nudge() -> None:
    """Enqueue a sending task in the worker's database backend, as a commit or cron does.

    (This process's own TASKS backend is the immediate one, as in every test.)
    """
    DatabaseBackend("default", {}).enqueue(send_utskick, (), {})


def _wait(condition: Callable[[], bool], timeout: float = 40.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def _delivered(log: Path) -> Counter[str]:
    return Counter(mid for mid, _ in read_log(log))


def _all_sent() -> bool:
    return not Utskick.objects.filter(skickat__isnull=True).exists()


def _kill(p: subprocess.Popen[bytes]) -> None:
    os.kill(p.pid, signal.SIGKILL)
    p.wait(10)


def test_the_worker_sends_each_event_once(
    procs: list[Any], tmp_path: Path, port: int, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = [f"w:{n}" for n in range(60)]
    _sink(procs, tmp_path, port, log)
    _queue(monkeypatch, keys)
    env = _env(port)
    _manage(env, "utskick", "--skicka")  # What cron runs: enqueues a sending task.
    _worker(procs, env, tmp_path)
    _wait(_all_sent)
    assert _delivered(log) == Counter({message_id(k): 1 for k in keys})
    assert set(Utskick.objects.values_list("forsok", flat=True)) == {1}


def test_killed_before_the_hand_over_every_event_arrives_exactly_once(
    procs: list[Any], tmp_path: Path, port: int, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = [f"k:{n}" for n in range(40)]
    # The 10th message: the server holds the client in RCPT, before it has the message.
    flag = _sink(
        procs,
        tmp_path,
        port,
        log,
        "--pause-at",
        "rcpt",
        "--pause-nth",
        "10",
        "--pause-seconds",
        "5",
    )
    _queue(monkeypatch, keys)
    env = _env(port)
    _nudge()
    worker = _worker(procs, env, tmp_path)
    _wait(flag.exists)
    _kill(worker)
    assert sum(_delivered(log).values()) == 9
    # Started again: cron's nudge, a new worker; the dead worker's claim expires (1 s).
    _nudge()
    _worker(procs, env, tmp_path)
    _wait(_all_sent)
    assert _delivered(log) == Counter({message_id(k): 1 for k in keys})  # no duplicate, no loss
    assert Utskick.objects.filter(forsok=2).count() == 1  # the one claimed when killed


def test_killed_after_the_server_took_it_the_one_message_comes_twice_with_one_id(
    procs: list[Any], tmp_path: Path, port: int, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The only ambiguous moment: the server has the 10th message, the worker dies before it
    marks it sent. At least once (the default): sent again with the same Message-ID."""
    keys = [f"a:{n}" for n in range(40)]
    flag = _sink(
        procs,
        tmp_path,
        port,
        log,
        "--pause-at",
        "reply",
        "--pause-nth",
        "10",
        "--pause-seconds",
        "5",
    )
    _queue(monkeypatch, keys)
    env = _env(port)
    _nudge()
    worker = _worker(procs, env, tmp_path)
    _wait(flag.exists)
    _kill(worker)
    _nudge()
    _worker(procs, env, tmp_path)
    _wait(_all_sent)
    delivered = _delivered(log)
    assert set(delivered) == {message_id(k) for k in keys}  # no loss
    twice = [mid for mid, count in delivered.items() if count > 1]
    assert len(twice) == 1 and delivered[twice[0]] == 2  # one duplicate, recognisable by its id
    assert Utskick.objects.get(forsok=2).message_id == twice[0]


def test_at_most_once_the_ambiguous_message_waits_for_a_person_and_none_comes_twice(
    procs: list[Any],
    tmp_path: Path,
    port: int,
    log: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    settings.UTSKICK_LEASE = 1  # As the workers have it.
    keys = [f"b:{n}" for n in range(40)]
    flag = _sink(
        procs,
        tmp_path,
        port,
        log,
        "--pause-at",
        "reply",
        "--pause-nth",
        "10",
        "--pause-seconds",
        "5",
    )
    _queue(monkeypatch, keys)
    env = _env(port, UTSKICK_SKICKA_OM_OSAKRA="0")
    _nudge()
    worker = _worker(procs, env, tmp_path)
    _wait(flag.exists)
    _kill(worker)
    _nudge()
    _worker(procs, env, tmp_path)
    _wait(lambda: Utskick.objects.filter(skickat__isnull=True).count() == 1)
    time.sleep(1.5)  # Past the lease: still not sent again.
    assert _delivered(log) == Counter({message_id(k): 1 for k in keys})  # exactly once
    stuck = Utskick.objects.get(skickat__isnull=True)
    out = StringIO()
    call_command("utskick", stdout=out)
    assert f"stuck: {stuck.nyckel}" in out.getvalue() and stuck.message_id in out.getvalue()


def test_killed_at_a_random_moment_nothing_is_lost(
    procs: list[Any], tmp_path: Path, port: int, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = [f"r:{n}" for n in range(300)]
    _sink(procs, tmp_path, port, log)
    _queue(monkeypatch, keys)
    env = _env(port)
    _nudge()
    worker = _worker(procs, env, tmp_path)
    _wait(lambda: sum(_delivered(log).values()) >= 100)
    _kill(worker)
    _nudge()
    _worker(procs, env, tmp_path)
    _wait(_all_sent)
    delivered = _delivered(log)
    duplicates = sum(delivered.values()) - len(delivered)
    print(f"random kill: {len(delivered)} of {len(keys)} delivered, {duplicates} duplicate(s)")
    assert set(delivered) == {message_id(k) for k in keys}  # no loss
    assert duplicates <= 1  # at most the one in the hand-over window


def test_two_workers_share_the_send_rate(
    procs: list[Any], tmp_path: Path, port: int, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = [f"t:{n}" for n in range(20)]
    _sink(procs, tmp_path, port, log)
    _queue(monkeypatch, keys)
    env = _env(port, UTSKICK_PER_MINUT="1200", UTSKICK_PER_UPPGIFT="5")  # one every 50 ms
    _nudge()
    _nudge()
    _worker(procs, env, tmp_path)
    _worker(procs, env, tmp_path)
    _wait(_all_sent)
    times = sorted(at for _, at in read_log(log))
    assert len(times) == len(keys)
    # The slots are 50 ms apart, whichever worker takes them; a send can leave late (the
    # machine is busy) but never before its slot. Unthrottled, these 20 take about 0.1 s.
    interval = 0.05
    late = 0.2
    assert times[-1] - times[0] >= (len(times) - 1) * interval - late
    for i in range(len(times)):
        in_window = sum(1 for t in times[i:] if t - times[i] <= 0.5)
        assert in_window <= 0.5 / interval + 1 + late / interval, (i, in_window)
