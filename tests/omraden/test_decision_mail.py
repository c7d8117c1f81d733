"""One e-mail per decision round: what the resident is told about the decisions on their input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from omraden import services
from omraden.models import Besked, Initiativ, Inspel
from tests.cast import Cast
from tests.conftest import make_fas, make_inspel, make_uppfoljning
from utskick.models import Takt, Utskick
from utskick.tasks import send_utskick

LIST = "/arbetsyta/inspel/"
RECEIVED = "Fler bänkar vid sjön! Ring mig på 070-123 45 67, pnr 19800101-1234."


@pytest.fixture
def moderator(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.users["moderator"])
    return client


@pytest.fixture
def inspel(cast: Cast) -> Inspel:
    return make_inspel(
        omrade=cast.omrade_a, text=RECEIVED, epost="eva@example.se", status=Inspel.Status.NY
    )


@pytest.fixture
def send_due(django_capture_on_commit_callbacks: Any) -> Any:
    """`besked_send_due`, and its commit: the outbox (immediate backend in tests) sends then."""

    def run(now: dt.datetime) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return services.besked_send_due(now=now)

    return run


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.INSPEL_MEDDELANDE_FONSTER)


def _decide(client: Client, inspel: Inspel, data: dict[str, Any], capture: Any) -> None:
    with capture(execute=True):
        r = client.post(f"{LIST}{inspel.pk}/", data)
    assert r.status_code == 302, r.content.decode()


def test_approve_answer_and_link_in_one_round_make_one_e_mail(
    cast: Cast,
    moderator: Client,
    inspel: Inspel,
    django_capture_on_commit_callbacks: Any,
    send_due: Any,
    kommun: object,
) -> None:
    # Tyresö's record: the e-mail gives its contacts.
    initiativ = Initiativ.objects.create(
        omrade=cast.omrade_a, titel="Bänkprojektet", fas=make_fas()
    )
    uppf = make_uppfoljning(omrade=cast.omrade_a, period=cast.period)
    capture = django_capture_on_commit_callbacks
    published = "Fler bänkar vid sjön! Ring mig på [telefonnummer borttaget]."
    _decide(moderator, inspel, {"action": "approve", "publicerad_text": published}, capture)
    _decide(moderator, inspel, {"action": "answer", "svar": "Tre bänkar kommer i maj."}, capture)
    _decide(
        moderator,
        inspel,
        {"action": "link", "initiativ": initiativ.pk, "uppfoljning": uppf.pk},
        capture,
    )
    assert mail.outbox == []  # Within the window nothing goes out.
    assert send_due(timezone.now() + _window()) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["eva@example.se"]
    assert message.subject == "Ditt inspel har publicerats"
    body = message.body
    assert "Ditt inspel har godkänts och är nu publicerat i portalen." in body
    assert "Kommunens svar:\nTre bänkar kommer i maj." in body
    assert f"initiativet ”Bänkprojektet” och uppföljningen {uppf.period.kort}" in body
    assert published in body
    # Only the published text: never the text as received, nor what was masked.
    assert RECEIVED not in body and "070-123 45 67" not in body and "19800101" not in body
    assert "tyreso.kommun@tyreso.se" in body and "08-578 291 00" in body
    assert f"ditt inspels nummer: {inspel.pk}" in body
    assert f"{settings.SITE_URL}{cast.omrade_a.get_absolute_url()}" in body
    # Sent once: a second run finds nothing.
    assert send_due(timezone.now() + _window()) == 0
    assert len(mail.outbox) == 1


def test_a_decision_after_the_round_was_sent_starts_a_new_round(
    moderator: Client, inspel: Inspel, django_capture_on_commit_callbacks: Any, send_due: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    _decide(moderator, inspel, {"action": "approve", "publicerad_text": "Fler bänkar."}, capture)
    send_due(timezone.now() + _window())
    _decide(moderator, inspel, {"action": "answer", "svar": "De kommer i maj."}, capture)
    send_due(timezone.now() + _window())
    assert [m.subject for m in mail.outbox] == [
        "Ditt inspel har publicerats",
        "Kommunen har svarat på ditt inspel",
    ]
    second = mail.outbox[1].body
    assert "godkänts" not in second  # Told once, in the first round.
    assert "De kommer i maj." in second and "Fler bänkar." in second


def test_each_decision_moves_the_sending_time(
    moderator: Client, inspel: Inspel, django_capture_on_commit_callbacks: Any, send_due: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    _decide(moderator, inspel, {"action": "approve", "publicerad_text": "Fler bänkar."}, capture)
    first = Besked.objects.get().skicka_efter
    _decide(moderator, inspel, {"action": "answer", "svar": "I maj."}, capture)
    besked = Besked.objects.get()
    assert besked.skicka_efter > first
    assert (besked.godkant, besked.besvarat, besked.avvisat, besked.kopplat) == (
        True,
        True,
        False,
        False,
    )
    assert send_due(besked.skicka_efter - dt.timedelta(seconds=1)) == 0
    assert send_due(besked.skicka_efter) == 1


def test_a_rejection_after_an_approval_in_the_same_round_tells_only_the_rejection(
    moderator: Client, inspel: Inspel, django_capture_on_commit_callbacks: Any, send_due: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    _decide(moderator, inspel, {"action": "approve", "publicerad_text": "Fler bänkar."}, capture)
    _decide(
        moderator, inspel, {"action": "reject", "avvisningsorsak": "Gäller inte kommunen."}, capture
    )
    send_due(timezone.now() + _window())
    [message] = mail.outbox
    assert message.subject == "Ditt inspel kommer inte att publiceras"
    assert "Gäller inte kommunen." in message.body
    assert "publicerat i portalen" not in message.body and "Fler bänkar." not in message.body
    assert RECEIVED not in message.body


def test_the_command_sends_what_is_due(
    inspel: Inspel, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.inspel_approve(inspel=inspel, publicerad_text="Fler bänkar.", by=None)
    Besked.objects.update(skicka_efter=timezone.now() - dt.timedelta(seconds=1))
    call_command("skicka_besked", "--dry-run")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        call_command("skicka_besked")
    assert len(mail.outbox) == 1
    assert Besked.objects.get().skickat_at is not None


def test_a_failed_send_is_kept_in_the_outbox_and_tried_again(
    inspel: Inspel, monkeypatch: pytest.MonkeyPatch, send_due: Any
) -> None:
    services.inspel_approve(inspel=inspel, publicerad_text="Fler bänkar.", by=None)
    later = timezone.now() + _window()

    def refuse(*args: Any, **kwargs: Any) -> int:
        raise OSError("The mail server is down")

    with monkeypatch.context() as m:
        m.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
        assert send_due(later) == 1  # Queued: the outbox owns it now.
    assert mail.outbox == []
    row = Utskick.objects.get(nyckel=f"besked:{Besked.objects.get().pk}")
    assert row.skickat is None and row.forsok == 1 and "mail server is down" in row.senaste_fel
    # The outbox tries again once the pause and the backoff are over; the notice itself is
    # not queued a second time.
    Takt.objects.update(nasta=timezone.now())
    Utskick.objects.update(nasta_forsok=timezone.now())
    send_utskick.call()
    assert send_due(later) == 0
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.skickat is not None and row.forsok == 2


def test_with_no_window_each_decision_is_sent_after_its_commit(
    settings: Any, inspel: Inspel, django_capture_on_commit_callbacks: Any
) -> None:
    settings.INSPEL_MEDDELANDE_FONSTER = 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.inspel_approve(inspel=inspel, publicerad_text="Fler bänkar.", by=None)
    assert mail.outbox == []  # Nothing before the commit.
    # The commit queues the notice; the queue's own commit sends it.
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert len(mail.outbox) == 1 and "Fler bänkar." in mail.outbox[0].body


def test_no_notice_for_a_resident_without_an_address_or_after_retention(
    cast: Cast, inspel: Inspel, send_due: Any
) -> None:
    anonymous = make_inspel(omrade=cast.omrade_a, status=Inspel.Status.NY)
    services.inspel_approve(inspel=anonymous, publicerad_text="Text", by=None)
    assert not Besked.objects.filter(inspel=anonymous).exists()
    services.inspel_approve(inspel=inspel, publicerad_text="Text", by=None)
    Inspel.objects.filter(pk=inspel.pk).update(epost="")  # gallra ran within the window
    assert send_due(timezone.now() + _window()) == 0
    assert Besked.objects.get().skickat_at is not None
    assert mail.outbox == []


def test_input_residents_cannot_see_gets_no_link(cast: Cast, inspel: Inspel, send_due: Any) -> None:
    cast.omrade_a.publik = False
    cast.omrade_a.save()
    services.inspel_approve(inspel=inspel, publicerad_text="Fler bänkar.", by=None)
    send_due(timezone.now() + _window())
    body = mail.outbox[0].body
    assert "Fler bänkar." in body and cast.omrade_a.get_absolute_url() not in body
