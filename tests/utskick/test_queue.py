from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives

from utskick import queue, queue_many
from utskick.models import Utskick
from utskick.outbox import message_id

pytestmark = pytest.mark.django_db


def _message(to: str = "a@example.org", subject: str = "Hej") -> EmailMessage:
    return EmailMessage(subject, "Brödtext", None, [to])


def test_it_sends_after_commit(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert queue("test:1", _message()) is True
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    row = Utskick.objects.get()
    assert row.skickat is not None
    assert row.forsok == 1
    assert row.upptagen is None


def test_one_key_is_one_row_and_one_mail(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert queue("test:1", _message()) is True
        assert queue("test:1", _message(subject="Igen")) is False
    with django_capture_on_commit_callbacks(execute=True):
        assert queue("test:1", _message()) is False
        assert queue_many([("test:1", _message()), ("test:1", _message())]) == 0
    assert Utskick.objects.count() == 1
    assert [m.subject for m in mail.outbox] == ["Hej"]


def test_queue_many_counts_the_new(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        queue("m:0", _message("x0@example.org"))
    items = [(f"m:{i}", _message(f"x{i}@example.org")) for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_many(items) == 4
    assert Utskick.objects.count() == 5
    assert sorted(m.to[0] for m in mail.outbox) == [f"x{i}@example.org" for i in range(5)]


def test_nothing_is_sent_for_a_rolled_back_event(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue("test:1", _message())
    # The transaction never commits in this test: the callback is what would send.
    assert len(callbacks) == 1
    assert mail.outbox == []
    assert Utskick.objects.get().skickat is None


def test_the_message_id_comes_from_the_key(django_capture_on_commit_callbacks: Any) -> None:
    message = EmailMultiAlternatives("Ämne", "text", None, ["a@example.org"])
    message.attach_alternative("<p>html</p>", "text/html")
    message.extra_headers["List-Unsubscribe"] = "<https://example.org/av>"
    with django_capture_on_commit_callbacks(execute=True):
        queue("digest:3:7", message)
    sent = mail.outbox[0]
    assert sent.extra_headers["Message-ID"] == message_id("digest:3:7")
    assert sent.extra_headers["List-Unsubscribe"] == "<https://example.org/av>"
    assert sent.alternatives[0].content == "<p>html</p>"
    assert message_id("digest:3:7") == message_id("digest:3:7") != message_id("digest:3:8")
    assert str(sent.message()["Message-ID"]) == message_id("digest:3:7")
