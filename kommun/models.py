"""The municipality that runs the portal: one record, edited in the admin.

Every page, e-mail, feed and file names the municipality from here (`Kommun.objects.current()`,
in templates `kommun` from `kommun.context_processors.kommun`); no code names one.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import DatabaseError, models, transaction
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kommun import contrast
from portal.lib.env import CACHE_ERRORS

logger = logging.getLogger(__name__)

CACHE_KEY = "kommun:current:v1"
DEFAULT_ACCENT = "#00507a"
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
LOGO_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


def validate_organisationsnummer(value: str) -> None:
    """NNNNNN-NNNN whose last digit is the Luhn check digit of the other nine."""
    if not re.fullmatch(r"\d{6}-\d{4}", value):
        raise ValidationError(
            _("Write the organisation number as NNNNNN-NNNN, e.g. 212000-0142."), code="format"
        )
    digits = [int(d) for d in value.replace("-", "")]
    total = 0
    for i, d in enumerate(digits[:9]):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    if (10 - total % 10) % 10 != digits[9]:
        raise ValidationError(
            _("%(value)s is not a valid organisation number: its check digit does not match."),
            code="checksum",
            params={"value": value},
        )


class KommunManager(models.Manager["Kommun"]):
    def current(self) -> Kommun:
        """The record (without the logo's bytes), from the shared cache when it is there.

        Never raises: with the cache unreachable it is read from the database; with the
        database unreachable too (an error page during an outage) it is the placeholder.
        """
        kommun = self._cached()
        if kommun is not None:
            return kommun
        try:
            kommun = self.defer("logotyp").filter(pk=Kommun.PK).first()
        except DatabaseError:
            logger.warning("The municipality record could not be read; showing the placeholder")
            return Kommun.placeholder()
        if kommun is None:
            kommun = Kommun.placeholder()
        try:
            cache.set(CACHE_KEY, kommun, None)
        except CACHE_ERRORS:
            pass
        return kommun

    def cached(self) -> Kommun:
        """The record from the shared cache only, else the placeholder: for the error pages
        rendered while the database is unreachable (portal/middleware.py)."""
        kommun = self._cached()
        return kommun if kommun is not None else Kommun.placeholder()

    def _cached(self) -> Kommun | None:
        try:
            return cache.get(CACHE_KEY)
        except CACHE_ERRORS:
            return None


def forget_current(**_kwargs: Any) -> None:
    """Drop the cached record, now and again when the transaction commits."""

    def forget() -> None:
        try:
            cache.delete(CACHE_KEY)
        except CACHE_ERRORS:
            logger.warning("The cached municipality record could not be dropped")

    forget()
    transaction.on_commit(forget)


class Kommun(models.Model):
    """The municipality: its name, contact details, publisher of open data, logo and colour."""

    PK = 1

    namn = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("As written in Swedish, e.g. “Exempelkommun” or “Region Gotland”."),
    )
    namn_en = models.CharField(
        _("name in English"),
        max_length=100,
        blank=True,
        help_text=_("Shown on the English pages, e.g. “Exempelkommun municipality”. Optional."),
    )
    kortnamn = models.CharField(
        _("short name"),
        max_length=60,
        help_text=_(
            "The place name shown beside the nation in indicator tables, without “kommun”."
        ),
    )
    postadress = models.CharField(_("postal address"), max_length=200, blank=True)
    organisationsnummer = models.CharField(
        _("organisation number"),
        max_length=11,
        blank=True,
        validators=[validate_organisationsnummer],
    )
    kolada_id = models.CharField(
        _("Kolada municipality id"),
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^\d{4}$", _("Four digits, e.g. 0138."))],
        help_text=_(
            "The four-digit municipality code Kolada uses; indicators are imported for it."
        ),
    )
    epost = models.EmailField(_("e-mail"), blank=True)
    telefon = models.CharField(_("telephone"), max_length=40, blank=True)
    webbplats = models.URLField(_("website"), blank=True)
    dataskyddsombud_epost = models.EmailField(_("data protection officer's e-mail"), blank=True)
    tillganglighet_epost = models.EmailField(_("e-mail for accessibility problems"), blank=True)
    tillganglighet_telefon = models.CharField(
        _("telephone for accessibility problems"), max_length=40, blank=True
    )
    utgivare = models.CharField(
        _("publisher of open data"),
        max_length=200,
        blank=True,
        help_text=_("Named as publisher in the open-data catalogue (DCAT). Empty: the name."),
    )
    utgivare_url = models.URLField(
        _("publisher's website"), blank=True, help_text=_("Empty: the website.")
    )
    accentfarg = models.CharField(
        _("accent colour"),
        max_length=7,
        default=DEFAULT_ACCENT,
        validators=[RegexValidator(contrast.HEX, _("A colour as #rrggbb, e.g. #00507a."))],
        help_text=_(
            "Links and the page header. It needs a contrast of at least 4.5:1 against white."
        ),
    )
    logotyp = models.BinaryField(_("logo"), blank=True, editable=False, default=b"")
    logotyp_typ = models.CharField(_("logo's media type"), max_length=20, blank=True)
    logotyp_hash = models.CharField(_("logo's checksum"), max_length=16, blank=True)
    inledning = models.TextField(
        _("introduction on the front page"),
        blank=True,
        help_text=_(
            "How the municipality came to its joint areas, in a few sentences. Empty: a general "
            "text about joint areas."
        ),
    )
    inledning_en = models.TextField(
        _("introduction in English"), blank=True, help_text=_("Shown on the English pages.")
    )
    exempel = models.BooleanField(
        _("fictional example"),
        default=False,
        help_text=_("Every page says the municipality and its data are made up."),
    )

    objects = KommunManager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipality")
        constraints = [
            # One municipality per installation (docs/multi-kommun.md: one schema each).
            models.CheckConstraint(condition=Q(pk=1), name="kommun_en_enda_rad"),
        ]

    def __str__(self) -> str:
        return self.namn

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = self.PK
        super().save(*args, **kwargs)

    @classmethod
    def placeholder(cls) -> Kommun:
        """What pages show before an administrator has entered the municipality."""
        return cls(namn=str(_("The municipality")), kortnamn=str(_("The municipality")))

    @property
    def configured(self) -> bool:
        return self.pk is not None

    @property
    def visningsnamn(self) -> str:
        """The name in the current language: the English one on English pages when given."""
        if not self.configured:
            return str(_("The municipality"))  # the placeholder, in the language of the page
        if self.namn_en and (get_language() or "").startswith("en"):
            return self.namn_en
        return self.namn

    @property
    def publisher_name(self) -> str:
        return self.utgivare or self.namn

    @property
    def publisher_url(self) -> str:
        return self.utgivare_url or self.webbplats

    @property
    def accent(self) -> str:
        """The accent colour as #rrggbb, lower case: the default if the stored one is not a
        colour (the admin refuses that; a loader or raw write might not)."""
        value = (self.accentfarg or "").lower()
        return value if contrast.HEX.match(value) else DEFAULT_ACCENT

    @property
    def accent_dark(self) -> str:
        return contrast.darker(self.accent)

    @property
    def logo_extension(self) -> str:
        return LOGO_EXTENSIONS.get(self.logotyp_typ, "")

    def clean(self) -> None:
        super().clean()
        if contrast.HEX.match(self.accentfarg or ""):
            value = contrast.ratio(self.accentfarg, contrast.WHITE)
            if value < contrast.MINIMUM:
                raise ValidationError(
                    {
                        "accentfarg": ValidationError(
                            _(
                                "The accent colour %(colour)s has a contrast of %(ratio)s:1 "
                                "against white; at least 4.5:1 is needed (WCAG 1.4.3). "
                                "Choose a darker colour."
                            ),
                            code="contrast",
                            params={
                                "colour": self.accentfarg,
                                # Rounded down: 4.46 must not read as the 4.5 it misses.
                                "ratio": number_format(math.floor(value * 100) / 100, 2),
                            },
                        )
                    }
                )

    def set_logo(self, data: bytes, media_type: str) -> None:
        self.logotyp = data
        self.logotyp_typ = media_type
        self.logotyp_hash = hashlib.sha256(data).hexdigest()[:16]

    def clear_logo(self) -> None:
        self.logotyp, self.logotyp_typ, self.logotyp_hash = b"", "", ""
