"""The outbox: one row per e-mail the portal sends, keyed by the event it tells about.

The row is the record of the event. Its unique `nyckel` ("digest:<round>:<subscription>",
"besked:<id>") makes queueing idempotent: an event queued twice is stored once. The worker
claims a row, hands it to the mail server and marks it sent (utskick/sending.py).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UtskickQuerySet(models.QuerySet["Utskick"]):
    def waiting(self) -> UtskickQuerySet:
        """Not sent and not given up."""
        return self.filter(skickat__isnull=True, avbrutet__isnull=True)

    def due(self, now: dt.datetime) -> UtskickQuerySet:
        """What a worker may claim now: waiting, its next attempt due, and no live claim.

        A claim older than UTSKICK_LEASE belongs to a worker that died between claiming and
        marking sent. With UTSKICK_SKICKA_OM_OSAKRA (the default) such a row is sent again,
        with the same Message-ID; without it, it waits for a person (`stuck`).
        """
        free = Q(upptagen__isnull=True)
        if settings.UTSKICK_SKICKA_OM_OSAKRA:
            free |= Q(upptagen__lt=now - dt.timedelta(seconds=settings.UTSKICK_LEASE))
        return self.waiting().filter(free, nasta_forsok__lte=now)

    def stuck(self, now: dt.datetime) -> UtskickQuerySet:
        """Claimed longer ago than the lease and never marked sent: the worker died."""
        return self.waiting().filter(
            upptagen__lt=now - dt.timedelta(seconds=settings.UTSKICK_LEASE)
        )


class Utskick(models.Model):
    nyckel = models.CharField(_("event key"), max_length=200, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=255)
    fran = models.CharField(_("from"), max_length=254)
    till = models.JSONField(_("to"), default=list)
    kopia = models.JSONField(_("cc"), default=list, blank=True)
    dold_kopia = models.JSONField(_("bcc"), default=list, blank=True)
    svara_till = models.JSONField(_("reply to"), default=list, blank=True)
    amne = models.TextField(_("subject"))
    text = models.TextField(_("body"))
    # [[content, mimetype], …]: an HTML part beside the text, as EmailMultiAlternatives has.
    alternativ = models.JSONField(_("alternative parts"), default=list, blank=True)
    rubriker = models.JSONField(_("headers"), default=dict, blank=True)

    skapad = models.DateTimeField(_("queued"), default=timezone.now)
    nasta_forsok = models.DateTimeField(_("next attempt"), default=timezone.now)
    upptagen = models.DateTimeField(_("claimed"), null=True, blank=True)
    upptagen_av = models.CharField(_("claimed by"), max_length=64, blank=True)
    forsok = models.PositiveIntegerField(_("attempts"), default=0)
    senaste_fel = models.TextField(_("last error"), blank=True)
    skickat = models.DateTimeField(_("sent"), null=True, blank=True)
    avbrutet = models.DateTimeField(_("given up"), null=True, blank=True)

    objects = UtskickQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-skapad", "-pk"]
        indexes = [
            # The worker's question, "what is waiting", stays small however much was sent.
            models.Index(
                fields=["nasta_forsok", "id"],
                name="utskick_vantar_idx",
                condition=Q(skickat__isnull=True, avbrutet__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.nyckel


class Takt(models.Model):
    """The shared send rate: the earliest moment the next e-mail may leave, for all workers."""

    nasta = models.DateTimeField(default=timezone.now)
    # The run_after of the task already scheduled for a retry or the end of a pause, so
    # that many tasks ending at once schedule one follow-up, not one each.
    planerad = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("send rate")
        verbose_name_plural = _("send rate")

    def __str__(self) -> str:
        return self.nasta.isoformat()
