"""Residents follow areas by e-mail: subscriptions and the publishing rounds of digests."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from omraden.models import Omrade


def _new_nonce() -> str:
    return secrets.token_urlsafe(6)


class PrenumerationQuerySet(models.QuerySet["Prenumeration"]):
    def active(self) -> PrenumerationQuerySet:
        """Confirmed and not cancelled: the only subscriptions anything is sent to."""
        return self.filter(bekraftad_at__isnull=False, avslutad_at__isnull=True)

    def following(self, omrade_ids: set[int]) -> PrenumerationQuerySet:
        """Those that follow every area or one of `omrade_ids`."""
        return self.filter(Q(alla_omraden=True) | Q(omraden__in=omrade_ids)).distinct()


class Prenumeration(models.Model):
    """One e-mail address following one area, several or all, for some kinds of news.

    Double opt-in: nothing is sent to it but the confirmation until `bekraftad_at` is set by
    the signed link in that mail. The address is personal data: it is shown on no public
    page, feed, file or export, and `gallra` removes unconfirmed and cancelled rows.
    """

    epost = models.EmailField(_("e-mail"), unique=True)
    alla_omraden = models.BooleanField(_("all areas"), default=False)
    omraden = models.ManyToManyField(
        Omrade, verbose_name=_("areas"), blank=True, related_name="prenumerationer"
    )
    # The kinds of news, one flag each (cheap to filter on for 10,000 rows).
    uppfoljningar = models.BooleanField(_("published follow-ups"), default=True)
    aktiviteter = models.BooleanField(_("new activities"), default=True)
    svar = models.BooleanField(_("answered input"), default=True)
    rapporter = models.BooleanField(_("the chief executive's reports"), default=True)
    # Part of every personal link: a new value makes the old links stop working.
    nonce = models.CharField(_("link code"), max_length=16, default=_new_nonce)
    skapad = models.DateTimeField(_("created"), auto_now_add=True)
    bekraftelse_skickad_at = models.DateTimeField(_("confirmation sent"), null=True, blank=True)
    bekraftad_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    avslutad_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    objects = PrenumerationQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        indexes = [
            # The digest reads the active subscriptions; gallra the unconfirmed and cancelled.
            models.Index(
                fields=["id"],
                condition=Q(bekraftad_at__isnull=False, avslutad_at__isnull=True),
                name="prenumeration_aktiv",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('subscription')} {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.bekraftad_at is not None and self.avslutad_at is None

    def kinds(self) -> list[str]:
        return [k for k in KINDS if getattr(self, k)]


KINDS = ("uppfoljningar", "aktiviteter", "svar", "rapporter")


class Omgang(models.Model):
    """A publishing round: what became public together, sent as one digest per subscriber.

    A round holds the publications it reports (each is in one round only) and the moment it
    closed (`till`): input answered, activities and reports added up to then and after the
    previous round's `till` are in it too. `klar_at` is set once every digest of the round
    is in the outbox; until then `skicka_sammandrag` hands the round to the task again
    (the event keys make a second pass add nothing).
    """

    skapad = models.DateTimeField(_("created"), auto_now_add=True)
    fran = models.DateTimeField(_("from"), null=True, blank=True)
    till = models.DateTimeField(_("until"))
    publiceringar = models.ManyToManyField(
        "uppfoljning.Publicering",
        verbose_name=_("publications"),
        blank=True,
        through="OmgangPublicering",
        related_name="sammandragsomgangar",
    )
    # New activities and reports since the previous round: ids above these marks.
    aktivitet_fran_id = models.BigIntegerField(default=0)
    aktivitet_till_id = models.BigIntegerField(default=0)
    rapport_fran_id = models.BigIntegerField(default=0)
    rapport_till_id = models.BigIntegerField(default=0)
    antal = models.PositiveIntegerField(_("digests queued"), null=True, blank=True)
    klar_at = models.DateTimeField(_("queued"), null=True, blank=True)

    class Meta:
        verbose_name = _("publishing round")
        verbose_name_plural = _("publishing rounds")
        ordering = ["-till", "-pk"]

    def __str__(self) -> str:
        return f"{_('publishing round')} {self.pk}"


class OmgangPublicering(models.Model):
    """A publication in its round: one round per publication, so two rounds made at the
    same moment (the publishing request and cron) can never both report it."""

    omgang = models.ForeignKey(Omgang, on_delete=models.CASCADE, related_name="+")
    publicering = models.OneToOneField(
        "uppfoljning.Publicering", on_delete=models.CASCADE, related_name="sammandrag"
    )

    class Meta:
        verbose_name = _("publication in a round")
        verbose_name_plural = _("publications in rounds")

    def __str__(self) -> str:
        return f"{self.omgang_id}: {self.publicering_id}"
