"""manage.py paminn: reminders before the deadline, once per period and person."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from tests.cast import Cast
from tests.conftest import make_publicering, make_uppfoljning
from uppfoljning.models import Paminnelse, Period


def _run(*args: str) -> str:
    """The command, and its commit: the reminders it queued are sent then (immediate backend)."""
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("paminn", *args, stdout=out)
    return out.getvalue()


def _due_in(cast: Cast, days: int) -> None:
    Period.objects.filter(pk=cast.period.pk).update(
        deadline=timezone.localdate() + dt.timedelta(days=days)
    )


def test_it_reminds_ledartrojor_and_fadder_of_unpublished_areas(cast: Cast) -> None:
    _due_in(cast, 3)
    out = _run()
    recipients = sorted(m.to[0] for m in mail.outbox)
    # Area A: its ledartröja and fadder (who has a user with e-mail); area B: its ledartröja.
    # Area B's fadder has neither an e-mail of their own nor a user.
    assert recipients == ["fadder_a@tyreso.se", "ledartroja_a@tyreso.se", "ledartroja_b@tyreso.se"]
    assert "Påminnelse" in mail.outbox[0].subject
    assert "queued 3 reminder(s) for 1 period(s), 1 without e-mail address" in out


def test_it_reminds_each_person_only_once_per_period(cast: Cast) -> None:
    _due_in(cast, 3)
    _run()
    _run()
    assert len(mail.outbox) == 3
    assert Paminnelse.objects.count() == 3


def test_it_waits_until_the_set_number_of_days_before_the_deadline(cast: Cast) -> None:
    _due_in(cast, 10)
    _run("--days", "7")
    assert mail.outbox == []
    _run("--days", "10")
    assert len(mail.outbox) == 3


def test_it_leaves_published_areas_alone(cast: Cast) -> None:
    _due_in(cast, 1)
    make_publicering(make_uppfoljning(period=cast.period, omrade=cast.omrade_a, status="gron"))
    _run()
    assert [m.to[0] for m in mail.outbox] == ["ledartroja_b@tyreso.se"]


def test_a_dry_run_sends_and_records_nothing(cast: Cast) -> None:
    _due_in(cast, 1)
    out = _run("--dry-run")
    assert "would remind" in out
    assert mail.outbox == []
    assert not Paminnelse.objects.exists()


def test_closed_periods_get_no_reminders(cast: Cast) -> None:
    _due_in(cast, 1)
    cast.period.close()
    _run()
    assert mail.outbox == []
