"""The site's own records: the accessibility statement DOS-lagen (13 §) requires."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

DIGG_ANMALAN = "https://www.digg.se/tdosanmalan"


class TillganglighetsredogorelseQuerySet(models.QuerySet["Tillganglighetsredogorelse"]):
    def current(self) -> Tillganglighetsredogorelse | None:
        """The statement in force: the most recently updated one, with its known issues."""
        return self.prefetch_related("brister").order_by("-senast_uppdaterad", "-pk").first()


class Tillganglighetsredogorelse(models.Model):
    """The accessibility statement (tillgänglighetsredogörelse), kept by an administrator."""

    class Efterlevnad(models.TextChoices):
        # The law's three wordings; the Swedish catalogue gives them word for word.
        HELT = "helt", _("fully compliant")
        DELVIS = "delvis", _("partially compliant")
        INTE = "inte", _("not compliant")

    organisation = models.CharField(_("public body"), max_length=200)
    tjanst = models.CharField(_("service"), max_length=200, unique=True)
    webbadress = models.URLField(_("address of the service"), blank=True)
    efterlevnad = models.CharField(_("compliance"), max_length=10, choices=Efterlevnad.choices)
    bedomd = models.DateField(_("assessed on"))
    senast_uppdaterad = models.DateField(_("last updated"))
    utvarderingsmetod = models.TextField(
        _("evaluation method"), help_text=_("How the service was assessed, and by whom.")
    )
    rapportera_text = models.TextField(
        _("how to report a problem"),
        help_text=_("Plain language: how to tell us about inaccessible content."),
    )
    kontakt_epost = models.EmailField(_("e-mail for reports"))
    kontakt_telefon = models.CharField(_("telephone for reports"), max_length=40, blank=True)
    svarstid = models.CharField(_("response time"), max_length=200, blank=True)
    tillsyn_url = models.URLField(_("supervisory authority's form"), default=DIGG_ANMALAN)

    objects = TillganglighetsredogorelseQuerySet.as_manager()

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statements")
        constraints = [
            models.CheckConstraint(
                condition=Q(efterlevnad__in=["helt", "delvis", "inte"]),
                name="tillganglighet_efterlevnad_giltig",
            ),
            models.CheckConstraint(
                condition=Q(senast_uppdaterad__gte=F("bedomd")),
                name="tillganglighet_uppdaterad_efter_bedomning",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tjanst} ({self.senast_uppdaterad})"


class KandBrist(models.Model):
    """A known piece of inaccessible content, with the reason the law allows for it."""

    class Skal(models.TextChoices):
        FORENLIGHET = "forenlighet", _("Lack of compliance with the requirements")
        BETUNGANDE = "betungande", _("Disproportionate burden")
        UTANFOR = "utanfor", _("Outside the scope of the law")

    redogorelse = models.ForeignKey(
        Tillganglighetsredogorelse,
        verbose_name=_("accessibility statement"),
        on_delete=models.CASCADE,
        related_name="brister",
    )
    beskrivning = models.TextField(_("inaccessible content"))
    skal = models.CharField(_("reason"), max_length=20, choices=Skal.choices)
    kriterium = models.CharField(_("WCAG success criterion"), max_length=100, blank=True)
    atgard = models.TextField(_("what we are doing about it"), blank=True)
    ordning = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("known accessibility issue")
        verbose_name_plural = _("known accessibility issues")
        ordering = ["ordning", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(skal__in=["forenlighet", "betungande", "utanfor"]),
                name="kand_brist_skal_giltigt",
            ),
            models.UniqueConstraint(
                fields=["redogorelse", "ordning"], name="kand_brist_unik_ordning"
            ),
        ]

    def __str__(self) -> str:
        return self.beskrivning[:80]
