"""The directory's side of an account: which IdP groups give which role, and who an account is
at its identity provider."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.roles import GROUPS


class Kalla(models.TextChoices):
    """Where a sign-in comes from."""

    OIDC = "oidc", _("OpenID Connect")
    SAML = "saml", _("SAML 2.0")


class Gruppmappning(models.Model):
    """One IdP group (or claim value) that gives one portal role. Edited in the admin."""

    kalla = models.CharField(_("source"), max_length=10, choices=Kalla.choices)
    idp_grupp = models.CharField(
        _("group at the identity provider"),
        max_length=255,
        help_text=_(
            "The value the provider sends in the groups claim or attribute: for Microsoft "
            "Entra ID the group's object id, for SAML the attribute value."
        ),
    )
    roll = models.CharField(
        _("role in the portal"), max_length=50, choices=[(g, g) for g in GROUPS]
    )
    beskrivning = models.CharField(
        _("description"),
        max_length=200,
        blank=True,
        help_text=_("For people reading the list, e.g. the group's name in the directory."),
    )

    class Meta:
        verbose_name = _("group mapping")
        verbose_name_plural = _("group mappings")
        ordering = ["kalla", "roll", "idp_grupp"]
        constraints = [
            models.UniqueConstraint(
                fields=["kalla", "idp_grupp", "roll"], name="konto_gruppmappning_unik"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kalla_display()}: {self.beskrivning or self.idp_grupp} → {self.roll}"


class Katalogkonto(models.Model):
    """An account that signs in through an identity provider.

    `subjekt` is the provider's stable id for the person (OIDC `sub`, SAML NameID): the account
    is found by it, never by a name or an address the directory may reuse.
    `inaktiverad_av_katalogen` says the directory (not an administrator) switched the account
    off because it mapped to no role; such an account is switched on again when a later
    sign-in maps to a role. One an administrator switched off stays off.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.CASCADE,
        related_name="katalogkonto",
    )
    kalla = models.CharField(_("source"), max_length=10, choices=Kalla.choices)
    subjekt = models.CharField(_("subject at the identity provider"), max_length=255, blank=True)
    inaktiverad_av_katalogen = models.BooleanField(
        _("switched off by the directory"), default=False
    )
    senaste_inloggning = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("directory account")
        verbose_name_plural = _("directory accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["kalla", "subjekt"],
                condition=~models.Q(subjekt=""),
                name="konto_katalogkonto_unik",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kalla_display()}: {self.subjekt}"
