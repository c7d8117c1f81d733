"""The outbox against a real SMTP server (aiosmtpd in a thread): retries, give-ups, outages,
the send rate and stuck claims. The worker's process, and killing it, is test_worker.py."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from tests.utskick.smtp_sink import Sink, free_port, read_log, start
from utskick import queue, queue_many
from utskick.models import Takt, Utskick
from utskick.outbox import message_id
from utskick.sending import send_due

pytestmark = pytest.mark.django_db


def _smtp(settings: Any, port: int) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "sink.log"


@pytest.fixture
def serve(settings: Any, log: Path) -> Iterator[Any]:
    """Start a sink with the given options; the outbox sends to it."""
    controllers = []

    def run(port: int | None = None, **options: Any) -> Sink:
        port = port or free_port()
        sink = Sink(log, **options)
        controllers.append(start(sink, port))
        _smtp(settings, port)
        return sink

    yield run
    for controller in controllers:
        controller.stop()


def _message(n: int = 0) -> EmailMessage:
    return EmailMessage(f"Ämne {n}", "Brödtext", None, [f"person{n}@example.org"])


def _queue(capture: Any, *keys: str) -> None:
    with capture(execute=True):
        for n, key in enumerate(keys):
            queue(key, _message(n))


def test_it_hands_the_message_to_the_mail_server(
    serve: Any, log: Path, django_capture_on_commit_callbacks: Any
) -> None:
    sink = serve()
    _queue(django_capture_on_commit_callbacks, "test:1")
    assert [mid for mid, _ in read_log(log)] == [message_id("test:1")]
    assert sink.taken == 1
    row = Utskick.objects.get()
    assert row.skickat is not None and row.forsok == 1 and row.senaste_fel == ""


def test_a_refused_attempt_is_retried_then_sent_and_the_attempts_counted(
    settings: Any, serve: Any, log: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.UTSKICK_BACKOFF = 0  # Retry at once: the test need not wait.
    serve(refuse=2)
    _queue(django_capture_on_commit_callbacks, "test:1")
    row = Utskick.objects.get()
    assert row.skickat is not None
    assert row.forsok == 3
    assert "451" in row.senaste_fel  # The last error is kept.
    assert len(read_log(log)) == 1


def test_a_retry_waits_for_the_backoff(
    settings: Any, serve: Any, log: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.UTSKICK_BACKOFF = 60
    serve(refuse=1)
    before = timezone.now()
    _queue(django_capture_on_commit_callbacks, "test:1")
    row = Utskick.objects.get()
    assert row.skickat is None and row.forsok == 1 and row.upptagen is None
    assert row.nasta_forsok >= before + dt.timedelta(seconds=59)
    assert send_due().sent == 0  # Not due yet.
    Utskick.objects.update(nasta_forsok=timezone.now())  # A minute later.
    assert send_due().sent == 1
    assert len(read_log(log)) == 1


def test_a_final_refusal_is_given_up_at_once_and_the_next_is_sent(
    serve: Any, log: Path, django_capture_on_commit_callbacks: Any
) -> None:
    serve(refuse=1, refuse_code="550 5.1.1 No such user")
    _queue(django_capture_on_commit_callbacks, "test:1", "test:2")
    first, second = Utskick.objects.order_by("pk")
    assert first.avbrutet is not None and first.forsok == 1 and "550" in first.senaste_fel
    assert second.skickat is not None
    assert [mid for mid, _ in read_log(log)] == [message_id("test:2")]


def test_it_gives_up_after_the_maximum_attempts(
    settings: Any, serve: Any, log: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.UTSKICK_BACKOFF = 0
    settings.UTSKICK_MAX_FORSOK = 3
    serve(refuse=100)
    _queue(django_capture_on_commit_callbacks, "test:1")
    row = Utskick.objects.get()
    assert row.avbrutet is not None and row.skickat is None and row.forsok == 3
    assert read_log(log) == []


def test_an_unreachable_server_pauses_the_outbox_and_loses_nothing(
    settings: Any, serve: Any, log: Path, django_capture_on_commit_callbacks: Any
) -> None:
    port = free_port()  # Nobody listens here yet: connection refused.
    _smtp(settings, port)
    _queue(django_capture_on_commit_callbacks, "test:1", "test:2", "test:3")
    rows = list(Utskick.objects.order_by("pk"))
    assert [r.forsok for r in rows] == [1, 0, 0]  # One try, then the whole outbox waits.
    assert "Connection refused" in rows[0].senaste_fel or "Errno" in rows[0].senaste_fel
    assert all(r.skickat is None and r.avbrutet is None for r in rows)
    assert Takt.objects.get().nasta > timezone.now() + dt.timedelta(seconds=50)
    assert send_due().sent == 0  # Paused.
    # The server is back and the pause is over.
    serve(port=port)
    Takt.objects.update(nasta=timezone.now())
    Utskick.objects.update(nasta_forsok=timezone.now())
    assert send_due().sent == 3
    assert sorted(mid for mid, _ in read_log(log)) == sorted(
        message_id(k) for k in ("test:1", "test:2", "test:3")
    )
    assert Utskick.objects.get(nyckel="test:1").forsok == 2


def test_the_send_rate_is_honoured(
    settings: Any, serve: Any, log: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.UTSKICK_PER_MINUT = 600  # One every 0.1 s.
    serve()
    with django_capture_on_commit_callbacks(execute=True):
        queue_many((f"rate:{n}", _message(n)) for n in range(6))
    times = sorted(at for _, at in read_log(log))
    assert len(times) == 6
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.08, gaps  # A little less than 0.1 s: clocks and scheduling.
    assert times[-1] - times[0] >= 0.45


def test_one_event_queued_twice_is_one_row_and_one_mail(
    serve: Any, log: Path, django_capture_on_commit_callbacks: Any
) -> None:
    serve()
    _queue(django_capture_on_commit_callbacks, "test:1", "test:1")
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_many([("test:1", _message()), ("test:2", _message())]) == 1
    assert Utskick.objects.count() == 2
    assert sorted(mid for mid, _ in read_log(log)) == sorted(
        [message_id("test:1"), message_id("test:2")]
    )


def _stuck_row(settings: Any) -> Utskick:
    """A row a worker claimed and died with: claimed longer ago than the lease, never sent."""
    with_key = _message()
    queue("stuck:1", with_key)  # No commit in this test: nothing sends it.
    claimed = timezone.now() - dt.timedelta(seconds=settings.UTSKICK_LEASE + 1)
    Utskick.objects.update(upptagen=claimed, upptagen_av="dead-worker", forsok=1)
    return Utskick.objects.get()


def test_a_stuck_e_mail_is_shown_by_the_command_and_in_the_admin(
    settings: Any, admin_client: Client
) -> None:
    row = _stuck_row(settings)
    out = StringIO()
    call_command("utskick", stdout=out)
    assert "1 stuck" in out.getvalue()
    assert f"stuck: stuck:1 claimed {row.upptagen:%Y-%m-%d %H:%M:%S} by dead-worker" in (
        out.getvalue()
    )
    assert row.message_id in out.getvalue()
    with pytest.raises(CommandError):
        call_command("utskick", "--fail-if-stuck", stdout=StringIO())
    page = admin_client.get("/admin/utskick/utskick/?tillstand=fast").content.decode()
    assert "stuck:1" in page
    page = admin_client.get("/admin/utskick/utskick/?tillstand=skickat").content.decode()
    assert "stuck:1" not in page


def test_a_stuck_e_mail_is_sent_again_with_the_same_message_id(
    settings: Any, serve: Any, log: Path, caplog: pytest.LogCaptureFixture
) -> None:
    serve()
    row = _stuck_row(settings)
    with caplog.at_level(logging.WARNING, logger="utskick.sending"):
        assert send_due().sent == 1
    assert "never marked sent" in caplog.text and "same Message-ID" in caplog.text
    assert [mid for mid, _ in read_log(log)] == [row.message_id]
    row.refresh_from_db()
    assert row.skickat is not None and row.forsok == 2


def test_at_most_once_leaves_a_stuck_e_mail_to_a_person(
    settings: Any, serve: Any, log: Path, admin_client: Client
) -> None:
    settings.UTSKICK_SKICKA_OM_OSAKRA = False
    serve()
    row = _stuck_row(settings)
    assert send_due().sent == 0
    assert read_log(log) == []
    # A person checks the mail server's log for the Message-ID, then sends it again.
    admin_client.post(
        "/admin/utskick/utskick/",
        {"action": "send_again", "_selected_action": [row.pk]},
    )
    row.refresh_from_db()
    assert row.upptagen is None
    assert send_due().sent == 1
    assert [mid for mid, _ in read_log(log)] == [row.message_id]


def test_a_live_claim_is_left_to_its_worker(settings: Any, serve: Any, log: Path) -> None:
    serve()
    queue("claimed:1", _message())
    Utskick.objects.update(upptagen=timezone.now(), upptagen_av="live-worker", forsok=1)
    assert send_due().sent == 0
    assert read_log(log) == []


def test_an_outage_never_gives_an_e_mail_up(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.UTSKICK_MAX_FORSOK = 2
    _smtp(settings, free_port())  # Connection refused.
    _queue(django_capture_on_commit_callbacks, "test:1")
    for _ in range(3):
        Takt.objects.update(nasta=timezone.now())
        Utskick.objects.update(nasta_forsok=timezone.now())
        send_due()
    row = Utskick.objects.get()
    assert row.forsok == 4 and row.avbrutet is None and row.skickat is None


def test_an_administrator_sees_the_outbox_and_others_do_not(settings: Any) -> None:
    from tests.cast import make_cast

    cast = make_cast()
    row = _stuck_row(settings)
    admin = Client()
    admin.force_login(cast.users["admin"])  # The administratör role only, no superuser.
    page = admin.get("/admin/utskick/utskick/?tillstand=fast")
    assert page.status_code == 200 and "stuck:1" in page.content.decode()
    admin.post("/admin/utskick/utskick/", {"action": "send_again", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.upptagen is None
    moderator = Client()
    moderator.force_login(cast.users["moderator"])
    assert moderator.get("/admin/utskick/utskick/").status_code in (302, 403)
