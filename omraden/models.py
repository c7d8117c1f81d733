"""Areas (kommungemensamma områden), the people around them and co-creation."""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext_lazy as _

from portal.lib.visibility import VisibleQuerySet

if TYPE_CHECKING:
    from portal.viewer import Viewer


class Person(models.Model):
    """Someone named in the portal: a fadder, a ledartröja, a member of staff."""

    namn = models.CharField(_("name"), max_length=200)
    titel = models.CharField(_("title"), max_length=200, blank=True)
    epost = models.EmailField(_("e-mail"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    fiktiv = models.BooleanField(
        _("fictional (demo data)"),
        default=False,
        help_text=_("Marks people added by the demo data set; never true for real people."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["namn"]

    def __str__(self) -> str:
        return f"{self.namn}, {self.titel}" if self.titel else self.namn


class Fas(models.Model):
    """A phase of the innovation method: förstå behovet → hitta lösningar → förverkliga."""

    ordning = models.PositiveSmallIntegerField(_("order"), unique=True)
    namn = models.CharField(_("name"), max_length=100, unique=True)
    beskrivning = models.TextField(_("description"), blank=True)
    # English versions (issue #24): optional, shown on /en/ (portal/templatetags/localized.py).
    namn_en = models.CharField(_("name in English"), max_length=100, blank=True)
    beskrivning_en = models.TextField(_("description in English"), blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["ordning"]

    def __str__(self) -> str:
        return self.namn


class OmradeQuerySet(VisibleQuerySet["Omrade"]):
    @staticmethod
    def visibility(viewer: Viewer, prefix: str = "") -> Q:
        """The rule, as a condition on rows reached through `prefix` ("omrade__"):
        residents see public areas, staff every area."""
        return Q() if viewer.staff else Q(**{f"{prefix}publik": True})


class Omrade(models.Model):
    class Paverkan(models.TextChoices):
        INFORMATION = "information", _("Information")
        KONSULTATION = "konsultation", _("Consultation")
        DIALOG = "dialog", _("Dialogue")
        MEDBESTAMMANDE = "medbestammande", _("Co-determination")

    nummer = models.PositiveSmallIntegerField(_("number"), unique=True)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    kortnamn = models.CharField(_("short name"), max_length=80)
    fraga = models.CharField(_("question"), max_length=300, unique=True)
    beskrivning = models.TextField(_("description"), blank=True)
    fadder = models.ForeignKey(
        Person,
        verbose_name=_("sponsor (fadder)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fadder_for",
    )
    fas = models.ForeignKey(
        Fas,
        verbose_name=_("phase"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="omraden",
    )
    publik = models.BooleanField(_("public"), default=True)
    paverkansniva = models.CharField(
        _("level of influence"), max_length=20, choices=Paverkan.choices, blank=True
    )
    paverkan_text = models.TextField(
        _("what residents can influence"),
        blank=True,
        help_text=_("Plain language: what residents can affect here and how input is used."),
    )
    # English versions (issue #24): optional, shown on /en/ (portal/templatetags/localized.py).
    # Unlike `fraga`, the English question need not be unique: it may be left empty.
    fraga_en = models.CharField(_("question in English"), max_length=300, blank=True)
    beskrivning_en = models.TextField(_("description in English"), blank=True)
    paverkan_text_en = models.TextField(_("what residents can influence, in English"), blank=True)

    objects = OmradeQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["nummer"]
        constraints = [
            models.CheckConstraint(condition=Q(nummer__gte=1), name="omrade_nummer_positivt"),
        ]

    def __str__(self) -> str:
        return f"{self.nummer}. {self.kortnamn}"

    def get_absolute_url(self) -> str:
        return reverse("omraden:detail", args=[self.slug])


class Ledartroja(models.Model):
    """One of the (at most) two staff leads of an area, in slot 1 or 2."""

    omrade = models.ForeignKey(
        Omrade, verbose_name=_("area"), on_delete=models.CASCADE, related_name="ledartrojor"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="ledartrojor"
    )
    slot = models.PositiveSmallIntegerField(_("place"), choices=[(1, "1"), (2, "2")])
    aktiv = models.BooleanField(_("active"), default=True)
    fran = models.DateField(_("from"), null=True, blank=True)
    till = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("leader jersey (ledartröja)")
        verbose_name_plural = _("leader jerseys (ledartröjor)")
        ordering = ["omrade__nummer", "slot"]
        constraints = [
            models.CheckConstraint(condition=Q(slot__in=[1, 2]), name="ledartroja_slot_1_eller_2"),
            # Two places per area: at most one active ledartröja in each.
            models.UniqueConstraint(
                fields=["omrade", "slot"],
                condition=Q(aktiv=True),
                name="ledartroja_en_aktiv_per_plats",
            ),
            models.UniqueConstraint(
                fields=["omrade", "person"],
                condition=Q(aktiv=True),
                name="ledartroja_person_en_gang_per_omrade",
            ),
            models.CheckConstraint(
                condition=Q(till__isnull=True) | Q(fran__isnull=True) | Q(till__gte=F("fran")),
                name="ledartroja_till_efter_fran",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.namn} ({self.omrade.kortnamn})"


class InitiativQuerySet(VisibleQuerySet["Initiativ"]):
    @staticmethod
    def visibility(viewer: Viewer, prefix: str = "") -> Q:
        """Residents see public initiatives of visible areas."""
        if viewer.staff:
            return Q()
        return Q(**{f"{prefix}publik": True}) & OmradeQuerySet.visibility(
            viewer, f"{prefix}omrade__"
        )


class Initiativ(models.Model):
    """A solution being explored in an area, at a phase of the innovation method."""

    omrade = models.ForeignKey(
        Omrade, verbose_name=_("area"), on_delete=models.CASCADE, related_name="initiativ"
    )
    titel = models.CharField(_("title"), max_length=200)
    beskrivning = models.TextField(_("description"), blank=True)
    fas = models.ForeignKey(Fas, verbose_name=_("phase"), on_delete=models.PROTECT)
    publik = models.BooleanField(_("public"), default=True)
    skapad = models.DateTimeField(_("created"), auto_now_add=True)
    andrad = models.DateTimeField(_("changed"), auto_now=True)

    objects = InitiativQuerySet.as_manager()

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["omrade__nummer", "fas__ordning", "titel"]

    def __str__(self) -> str:
        return self.titel


class AktivitetQuerySet(VisibleQuerySet["Aktivitet"]):
    @staticmethod
    def visibility(viewer: Viewer, prefix: str = "") -> Q:
        """Residents see public activities."""
        return Q() if viewer.staff else Q(**{f"{prefix}publik": True})


class Aktivitet(models.Model):
    """A co-creation event (medskapande): workshop, focus group, checkpoint."""

    titel = models.CharField(_("title"), max_length=200)
    beskrivning = models.TextField(_("description"), blank=True)
    # English versions (issue #24): optional, shown on /en/ (portal/templatetags/localized.py).
    titel_en = models.CharField(_("title in English"), max_length=200, blank=True)
    beskrivning_en = models.TextField(_("description in English"), blank=True)
    omraden = models.ManyToManyField(
        Omrade, verbose_name=_("areas"), blank=True, related_name="aktiviteter"
    )
    teman = models.JSONField(
        _("themes"), default=list, blank=True, help_text=_("A list of themes, one string each.")
    )
    plats = models.CharField(_("place"), max_length=200, blank=True)
    # Date and times apart: the sources often give a date without a time.
    datum = models.DateField(_("date"))
    starttid = models.TimeField(_("starts at"), null=True, blank=True)
    sluttid = models.TimeField(_("ends at"), null=True, blank=True)
    publik = models.BooleanField(_("public"), default=True)
    oppen_for_invanare = models.BooleanField(_("open to residents"), default=True)
    kapacitet = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    protokoll = models.TextField(_("minutes"), blank=True)
    antal_deltagare = models.PositiveIntegerField(
        _("number of participants"), null=True, blank=True
    )
    aterkoppling_senast = models.DateField(_("feedback by"), null=True, blank=True)

    objects = AktivitetQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["datum", "starttid"]
        # Pages list the next and the latest few activities (of an area): read in date
        # order and stopped early, rather than sorting every activity there ever was.
        indexes = [models.Index(fields=["datum", "starttid"], name="aktivitet_datum_starttid")]
        constraints = [
            models.CheckConstraint(
                condition=Q(sluttid__isnull=True)
                | Q(starttid__isnull=True)
                | Q(sluttid__gte=F("starttid")),
                name="aktivitet_slut_efter_start",
            ),
        ]

    def __str__(self) -> str:
        return self.titel

    def has_taken_place(self, now: datetime.datetime | None = None) -> bool:
        """Its date has passed, or it is today and its start time, if any, has come."""
        local = timezone.localtime(now)
        if self.datum != local.date():
            return self.datum < local.date()
        return self.starttid is None or self.starttid <= local.time()

    def starts_text(self) -> str:
        """When it starts, in words: "14 mars 2027 kl. 18:00" or, without a time, the date."""
        day = date_format(self.datum, "j F Y")
        if self.starttid is None:
            return day
        return _("%(day)s at %(time)s") % {"day": day, "time": time_format(self.starttid, "H:i")}

    def clean(self) -> None:
        """Minutes and a number of participants only once the activity has taken place."""
        if self.datum is None or self.has_taken_place():
            return
        errors = {}
        when = self.starts_text()
        if self.protokoll.strip():
            errors["protokoll"] = _(
                "Minutes can be written once the activity has taken place, from %(when)s."
            ) % {"when": when}
        if self.antal_deltagare is not None:
            errors["antal_deltagare"] = _(
                "The number of participants can be recorded once the activity has taken "
                "place, from %(when)s."
            ) % {"when": when}
        if errors:
            raise ValidationError(errors)


class InspelQuerySet(VisibleQuerySet["Inspel"]):
    @staticmethod
    def visibility(viewer: Viewer, prefix: str = "") -> Q:
        """Residents see approved input (its moderated text) about no area or a visible one;
        staff see every input as received."""
        if viewer.staff:
            return Q()
        return Q(**{f"{prefix}status": Inspel.Status.GODKAND}) & (
            Q(**{f"{prefix}omrade__isnull": True})
            | OmradeQuerySet.visibility(viewer, f"{prefix}omrade__")
        )

    def waiting(self) -> InspelQuerySet:
        """New input that no one has moderated yet, oldest first."""
        return self.filter(status=Inspel.Status.NY).order_by("skapad", "pk")

    def for_areas(self, area_ids: frozenset[int] | None) -> InspelQuerySet:
        """Input in the given areas; None means every input, area-less input included."""
        if area_ids is None:
            return self
        return self.filter(omrade_id__in=area_ids)


class Inspel(models.Model):
    """Input from a resident. `text` is kept exactly as received; `publicerad_text` is moderated."""

    MAX_TEXT = 2000

    class Typ(models.TextChoices):
        IDE = "ide", _("Idea")
        SYNPUNKT = "synpunkt", _("Opinion")
        ANTIKRANGEL = "antikrangel", _("Anti-hassle report")

    class Status(models.TextChoices):
        NY = "ny", _("New")
        GODKAND = "godkand", _("Approved")
        AVVISAD = "avvisad", _("Rejected")

    typ = models.CharField(_("kind"), max_length=20, choices=Typ.choices)
    omrade = models.ForeignKey(
        Omrade,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspel",
    )
    text = models.TextField(_("text as received"), max_length=MAX_TEXT)
    namn = models.CharField(_("name"), max_length=200, blank=True)
    epost = models.EmailField(_("e-mail"), blank=True)
    visa_namn = models.BooleanField(_("show name publicly"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NY)
    publicerad_text = models.TextField(_("published text"), blank=True)
    avvisningsorsak = models.TextField(_("reason for rejection"), blank=True)
    svar = models.TextField(_("answer"), blank=True)
    besvarad_at = models.DateTimeField(_("answered"), null=True, blank=True)
    besvarad_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    initiativ = models.ForeignKey(
        Initiativ,
        verbose_name=_("led to initiative"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspel",
    )
    # "Ni sa – vi gjorde": the follow-up this input fed into. A string reference, because
    # uppfoljning already depends on omraden (no import cycle, no migration cycle).
    uppfoljning = models.ForeignKey(
        "uppfoljning.Uppfoljning",
        verbose_name=_("fed into follow-up"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspel",
    )
    kopplad_at = models.DateTimeField(_("linked"), null=True, blank=True)
    aktivitet = models.ForeignKey(
        "Aktivitet",
        verbose_name=_("produced at activity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspel",
    )
    modererad_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    modererad_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    skapad = models.DateTimeField(_("received"), auto_now_add=True)
    stangd_at = models.DateTimeField(_("closed"), null=True, blank=True)
    gallrad_at = models.DateTimeField(_("contact details removed"), null=True, blank=True)

    objects = InspelQuerySet.as_manager()

    class Meta:
        verbose_name = _("input")
        verbose_name_plural = _("input")
        ordering = ["skapad"]
        indexes = [
            # The public list on an area page: approved input of one area, newest first.
            models.Index(
                fields=["omrade", "status", "-skapad"], name="inspel_omrade_status_skapad"
            ),
            # The moderation queue: new input, oldest first.
            models.Index(fields=["status", "skapad"], name="inspel_status_skapad"),
            # The count of an area's approved input ("Sida n av m" on the area page): only
            # approved rows, so counting reads a third as much index (0.93 -> 0.37 ms of
            # PostgreSQL CPU at 6,900 approved inputs of an area).
            models.Index(
                fields=["omrade"], condition=Q(status="godkand"), name="inspel_godkand_omrade"
            ),
            # Residents' search walks approved input newest first until it has its CAP of
            # matches (sok/search.py): from this index it skips input that is not approved
            # (1.60 -> 1.17 ms of PostgreSQL CPU for a common word at 100,000 inputs).
            models.Index(fields=["-id"], condition=Q(status="godkand"), name="inspel_godkand_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), 2000), name="inspel_text_hogst_2000"
            ),
            models.CheckConstraint(
                condition=~Q(status="avvisad") | ~Q(avvisningsorsak=""),
                name="inspel_avvisad_kraver_orsak",
            ),
            # What is published is never empty: approving needs a published text.
            models.CheckConstraint(
                condition=~Q(status="godkand") | ~Q(publicerad_text=""),
                name="inspel_godkand_kraver_publicerad_text",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["ny", "godkand", "avvisad"]), name="inspel_status_giltig"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_typ_display()}: {self.text[:60]}"

    # State changes. `text` (the input as received) is never touched by any of them.

    def approve(self, *, publicerad_text: str, by: object) -> None:
        self.status = self.Status.GODKAND
        self.publicerad_text = publicerad_text.strip() or self.text
        self.avvisningsorsak = ""
        self.modererad_av = by  # type: ignore[assignment]
        self.modererad_at = timezone.now()
        self.save()

    def reject(self, *, reason: str, by: object) -> None:
        if not reason.strip():
            raise ValueError("A rejection needs a reason.")
        now = timezone.now()
        self.status = self.Status.AVVISAD
        self.avvisningsorsak = reason.strip()
        self.modererad_av = by  # type: ignore[assignment]
        self.modererad_at = now
        self.stangd_at = self.stangd_at or now
        self.save()

    def answer(self, *, text: str, by: object) -> None:
        now = timezone.now()
        self.svar = text.strip()
        self.besvarad_av = by  # type: ignore[assignment]
        self.besvarad_at = now
        # An answered input is closed: the retention period of its contact details starts.
        self.stangd_at = self.stangd_at or now
        self.save()

    def link(self, *, initiativ: Initiativ | None, uppfoljning: object | None) -> None:
        self.initiativ = initiativ
        self.uppfoljning = uppfoljning  # type: ignore[assignment]
        self.kopplad_at = timezone.now() if (initiativ or uppfoljning) else None
        self.save()

    @property
    def public_name(self) -> str:
        """The name shown publicly: only when the resident chose so."""
        return self.namn if self.visa_namn else ""


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class AnmalanQuerySet(models.QuerySet["Anmalan"]):
    def confirmed(self) -> AnmalanQuerySet:
        return self.filter(status=Anmalan.Status.BEKRAFTAD)

    def waiting_list(self) -> AnmalanQuerySet:
        return self.filter(status=Anmalan.Status.VANTELISTA).order_by("skapad", "pk")


class Anmalan(models.Model):
    """A resident's sign-up for an activity: confirmed, on the waiting list, or cancelled."""

    class Status(models.TextChoices):
        BEKRAFTAD = "bekraftad", _("Confirmed")
        VANTELISTA = "vantelista", _("Waiting list")
        AVBOKAD = "avbokad", _("Cancelled")

    aktivitet = models.ForeignKey(
        Aktivitet,
        verbose_name=_("activity"),
        on_delete=models.PROTECT,
        related_name="anmalningar",
    )
    # Blank is allowed in the database because retention (gallra) empties these fields.
    namn = models.CharField(_("name"), max_length=200, blank=True)
    epost = models.EmailField(_("e-mail"), blank=True)
    behov = models.TextField(_("accessibility needs"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    token = models.CharField(_("cancel code"), max_length=64, unique=True, default=_new_token)
    skapad = models.DateTimeField(_("signed up"), auto_now_add=True)
    avbokad_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    gallrad_at = models.DateTimeField(_("personal data removed"), null=True, blank=True)

    objects = AnmalanQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["aktivitet", "skapad", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["bekraftad", "vantelista", "avbokad"]),
                name="anmalan_status_giltig",
            ),
            models.CheckConstraint(
                condition=~Q(status="avbokad") | Q(avbokad_at__isnull=False),
                name="anmalan_avbokad_har_tid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.aktivitet} – {self.get_status_display()}"


class BeskedQuerySet(models.QuerySet["Besked"]):
    def due(self, now: datetime.datetime) -> BeskedQuerySet:
        """Unsent notices whose window has passed, oldest first."""
        return self.filter(skickat_at__isnull=True, skicka_efter__lte=now).order_by(
            "skicka_efter", "pk"
        )


class Besked(models.Model):
    """The e-mail that tells a resident what was decided on their input: one per round.

    Decisions on one input (approve, reject, answer, link) join its one unsent notice, and
    each moves the sending time to INSPEL_MEDDELANDE_FONSTER seconds after it; `manage.py
    skicka_besked` sends the notices whose time has come (docs/moderation.md). It holds no
    personal data: the address and the texts are read from the input when it is sent.
    """

    inspel = models.ForeignKey(
        Inspel, verbose_name=_("input"), on_delete=models.CASCADE, related_name="besked"
    )
    godkant = models.BooleanField(_("approved"), default=False)
    avvisat = models.BooleanField(_("rejected"), default=False)
    besvarat = models.BooleanField(_("answered"), default=False)
    kopplat = models.BooleanField(_("linked"), default=False)
    skapad = models.DateTimeField(_("created"), auto_now_add=True)
    skicka_efter = models.DateTimeField(_("send after"))
    skickat_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = BeskedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice to a resident")
        verbose_name_plural = _("notices to residents")
        constraints = [
            # One decision round at a time per input: its decisions gather in one e-mail.
            models.UniqueConstraint(
                fields=["inspel"],
                condition=Q(skickat_at__isnull=True),
                name="besked_ett_oskickat_per_inspel",
            ),
        ]
        indexes = [
            # `skicka_besked` reads the unsent notices by time, every minute.
            models.Index(
                fields=["skicka_efter"],
                condition=Q(skickat_at__isnull=True),
                name="besked_oskickade",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspel_id}: {self.skicka_efter:%Y-%m-%d %H:%M}"
