"""The audit log (granskningslogg): who did what, when, from where. Rows are never changed.

Security-relevant events are appended through `granskning.audit()`: logins (success and
failure), role changes, publications, moderation decisions, exports and imports. The model,
its queryset and (on PostgreSQL and SQLite) a database trigger refuse updates and deletes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib.append_only import AppendOnlyModel, AppendOnlyQuerySet


class Granskningslogg(AppendOnlyModel):
    """One audited event."""

    class Handling(models.TextChoices):
        INLOGGNING = "inloggning", _("Logged in")
        INLOGGNING_MISSLYCKAD = "inloggning_misslyckad", _("Failed login")
        UTLOGGNING = "utloggning", _("Logged out")
        ROLL_ANDRAD = "roll_andrad", _("Role changed")
        PUBLICERING = "publicering", _("Published")
        KLARMARKERING = "klarmarkering", _("Marked ready for sign-off")
        GODKANNANDE = "godkannande", _("Approved by the sponsor")
        TILLBAKASKICKAD = "tillbakaskickad", _("Sent back to draft")
        ATERKALLAD = "aterkallad", _("Scheduled publication withdrawn")
        MODERERING = "moderering", _("Moderation decision")
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")

    tid = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        # A user with logged events is deactivated, never deleted: the log keeps who it was.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The name as given at the time: kept for failed logins (no user) and for readability.
    anvandarnamn = models.CharField(_("user name"), max_length=150, blank=True)
    handling = models.CharField(_("action"), max_length=30, choices=Handling.choices)
    objekt_typ = models.CharField(_("object type"), max_length=100, blank=True)
    objekt_id = models.CharField(_("object id"), max_length=64, blank=True)
    objekt_text = models.CharField(_("object"), max_length=300, blank=True)
    detalj = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-tid", "-pk"]
        indexes = [models.Index(fields=["handling", "tid"], name="granskning_handling_tid")]

    def __str__(self) -> str:
        who = self.anvandarnamn or "–"
        return f"{self.tid:%Y-%m-%d %H:%M:%S} {who}: {self.get_handling_display()}"
