"""Periods, follow-ups with their publications and history, indicators and reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omraden.models import Omrade, OmradeQuerySet
from portal.lib.append_only import AppendOnlyModel, AppendOnlyQuerySet
from portal.lib.choices import labels
from portal.lib.visibility import VisibleQuerySet

if TYPE_CHECKING:
    from portal.viewer import Viewer


class Status(models.TextChoices):
    """The three statuses of the follow-up template, with their definitions word for word."""

    GRON = "gron", _("Green")
    GUL = "gul", _("Yellow")
    ROD = "rod", _("Red")


STATUS_DEFINITIONS = {
    Status.GRON: _(
        "The assignment is carried out according to plan and will be delivered on time."
    ),
    Status.GUL: _(
        "The assignment has started but is not going according to plan, "
        "or risks not being delivered on time."
    ),
    Status.ROD: _("The assignment has not started."),
}
# A symbol per status so that status is never told by colour alone.
STATUS_SYMBOLS = {Status.GRON: "●", Status.GUL: "▲", Status.ROD: "■"}

NEEDS_CAUSE = [Status.GUL, Status.ROD]


def _has_text(field: str) -> GreaterThan:
    return GreaterThan(Length(Trim(field)), 0)


def status_rule(prefix: str) -> models.CheckConstraint:
    """Yellow and red need both a cause (orsak) and actions taken (vidtagna åtgärder)."""
    return models.CheckConstraint(
        condition=~Q(status__in=NEEDS_CAUSE) | (Q(_has_text("orsak")) & Q(_has_text("atgarder"))),
        name=f"{prefix}_gul_rod_kraver_orsak_och_atgarder",
        violation_error_message=_("Yellow and red status need both a cause and actions taken."),
    )


def validate_status_rule(status: str, orsak: str, atgarder: str) -> None:
    """The model-level twin of `status_rule`, for friendly form errors."""
    if status in NEEDS_CAUSE:
        errors = {}
        if not orsak.strip():
            errors["orsak"] = _("Describe the cause: it is required for yellow and red status.")
        if not atgarder.strip():
            errors["atgarder"] = _(
                "Describe the actions taken: they are required for yellow and red status."
            )
        if errors:
            raise ValidationError(errors)


# The years a period can be created for (admin "Skapa ett års perioder", `manage.py skapa_ar`).
FIRST_YEAR, LAST_YEAR = 2000, 2100


class PeriodQuerySet(models.QuerySet["Period"]):
    def create_year(
        self, ar: int, deadlines: dict[int, dt.date] | None = None
    ) -> list[tuple[Period, bool]]:
        """Create T1, T2 and ÅR of `ar`, planned, with their deadlines; leave existing ones alone.

        `deadlines` (by tertial) overrides the defaults of settings.PERIOD_DEADLINES. Checked
        first (`validate_year`), all three in one transaction; returns (period, created) in
        tertial order, so that a second run creates nothing and says so.
        """
        wanted = {**Period.default_deadlines(ar), **(deadlines or {})}
        Period.validate_year(ar, wanted)
        with transaction.atomic(using=self.db):
            return [
                self.get_or_create(ar=ar, tertial=tertial, defaults={"deadline": wanted[tertial]})
                for tertial in Period.Tertial.values
            ]


class Period(models.Model):
    class Tertial(models.IntegerChoices):
        T1 = 1, "T1"
        T2 = 2, "T2"
        AR = 3, _("Annual report")

    class Tillstand(models.TextChoices):
        PLANERAD = "planerad", _("Planned")
        OPPEN = "oppen", _("Open")
        STANGD = "stangd", _("Closed")

    ar = models.PositiveSmallIntegerField(_("year"))
    tertial = models.PositiveSmallIntegerField(_("tertial"), choices=Tertial.choices)
    deadline = models.DateField(_("reporting deadline"), null=True, blank=True)
    tillstand = models.CharField(
        _("state"), max_length=10, choices=Tillstand.choices, default=Tillstand.PLANERAD
    )
    # Empty for a period that was closed before the portal kept track (the 2023 periods).
    stangd_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["ar", "tertial"]
        constraints = [
            models.UniqueConstraint(fields=["ar", "tertial"], name="period_unik_per_ar_tertial"),
            models.CheckConstraint(
                condition=Q(tertial__in=[1, 2, 3]), name="period_tertial_giltig"
            ),
        ]

    def __str__(self) -> str:
        # labels(): a report or timeline names a dozen periods; get_tertial_display() hashes
        # and translates the choices again on every call.
        return f"{labels(self.Tertial)[str(self.tertial)]} {self.ar}"

    def get_absolute_url(self) -> str:
        # The report's permanent address; a closed period's report never changes there.
        return reverse("uppfoljning:period", args=[self.slug])

    @property
    def slug(self) -> str:
        return self.slug_of(self.ar, self.tertial)

    @property
    def kort(self) -> str:
        return self.kort_of(self.ar, self.tertial)

    # For rows read as values: a Period instance costs ~15 µs to build, these nothing.
    @staticmethod
    def slug_of(ar: int, tertial: int) -> str:
        return f"{ar}-{'ar' if tertial == 3 else f't{tertial}'}"

    @staticmethod
    def kort_of(ar: int, tertial: int) -> str:
        return f"{'ÅR' if tertial == 3 else f'T{tertial}'} {ar}"

    @staticmethod
    def end_of(ar: int, tertial: int) -> dt.date:
        """The last day the period reports on: 30 April, 31 August, 31 December."""
        return dt.date(ar, {1: 4, 2: 8, 3: 12}[tertial], {1: 30, 2: 31, 3: 31}[tertial])

    @staticmethod
    def default_deadlines(ar: int) -> dict[int, dt.date]:
        """The deadlines of `ar`'s periods from settings.PERIOD_DEADLINES (MM-DD per tertial);
        the annual report's falls in the following year."""
        return {
            tertial: dt.date.fromisoformat(f"{ar + (tertial == 3)}-{month_day}")
            for tertial, month_day in zip(
                Period.Tertial.values, settings.PERIOD_DEADLINES, strict=True
            )
        }

    @staticmethod
    def validate_year(ar: int, deadlines: dict[int, dt.date]) -> None:
        """A year the portal accepts, and each deadline after its period ends and within a year
        of it (a deadline typed for another year is caught). Errors keyed "ar" or by tertial."""
        if not FIRST_YEAR <= ar <= LAST_YEAR:
            raise ValidationError(
                {
                    "ar": _("Write a year from %(first)s to %(last)s.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR}
                }
            )
        errors = {}
        for tertial, deadline in deadlines.items():
            end = Period.end_of(ar, tertial)
            if not end < deadline <= end.replace(year=end.year + 1):
                errors[str(tertial)] = _(
                    "The deadline of %(period)s must fall after the period ends (%(end)s) and "
                    "at most a year after that."
                ) % {"period": Period.kort_of(ar, tertial), "end": end.isoformat()}
        if errors:
            raise ValidationError(errors)

    @property
    def is_closed(self) -> bool:
        return self.tillstand == self.Tillstand.STANGD

    @property
    def is_open(self) -> bool:
        return self.tillstand == self.Tillstand.OPPEN

    def open(self) -> None:
        """Open the period for reporting (also reopens a closed one)."""
        self.tillstand = self.Tillstand.OPPEN
        self.stangd_at = None
        self.save(update_fields=["tillstand", "stangd_at"])

    def close(self) -> None:
        """Close the period: its follow-ups become read-only for all but administrators."""
        self.tillstand = self.Tillstand.STANGD
        self.stangd_at = timezone.now()
        self.save(update_fields=["tillstand", "stangd_at"])

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """The reporting deadline has passed (the whole deadline day counts)."""
        today = today or timezone.localdate()
        return self.deadline is not None and today > self.deadline

    def deadline_end(self) -> dt.datetime | None:
        """The last moment of the deadline day, in the portal's time zone."""
        if self.deadline is None:
            return None
        return timezone.make_aware(dt.datetime.combine(self.deadline, dt.time.max))

    def is_late(self, first_published: dt.datetime | None, now: dt.datetime) -> bool:
        """Late ("försenad"): the deadline has passed and no version became public by its end.

        `first_published` is when the follow-up's first version became visible (None: never,
        see `UppfoljningQuerySet.with_first_publication()`); a follow-up never started is
        late the same way.
        """
        end = self.deadline_end()
        if end is None or now <= end:
            return False
        return first_published is None or first_published > end


class Uppdrag(models.Model):
    """A political assignment (politiskt uppdrag) in the kommunplan."""

    namn = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    beskrivning = models.TextField(_("description"), blank=True)
    kommunplan_ar = models.PositiveSmallIntegerField(_("municipal plan year"))
    overgripande = models.BooleanField(_("overarching"), default=False)
    ordning = models.PositiveSmallIntegerField(_("order"), default=0)
    omraden = models.ManyToManyField(
        Omrade, verbose_name=_("areas"), blank=True, related_name="uppdrag"
    )

    class Meta:
        verbose_name = _("political assignment")
        verbose_name_plural = _("political assignments")
        ordering = ["kommunplan_ar", "ordning"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommunplan_ar", "namn"], name="uppdrag_unikt_namn_per_plan"
            ),
        ]

    def __str__(self) -> str:
        return self.namn


class UppfoljningQuerySet(VisibleQuerySet["Uppfoljning"]):
    @staticmethod
    def visibility(viewer: Viewer, prefix: str = "") -> Q:
        """The working copies are staff's alone: residents see publications."""
        return Q() if viewer.staff else Q(pk__in=[])

    def with_first_publication(self) -> UppfoljningQuerySet:
        """Annotate `forsta_publicering`: when the first version became visible (None: never).

        One subquery, an index probe on `publicering_senaste` per row; with `skede()` and
        `Period.is_late()` it answers every state a cell, a list or a portfolio shows.
        """
        first = (
            Publicering.objects.filter(uppfoljning=models.OuterRef("pk"))
            .order_by("publicerad_at")
            .values("publicerad_at")[:1]
        )
        return self.annotate(forsta_publicering=models.Subquery(first))


class Skede(models.TextChoices):
    """A follow-up's place in the sign-off as staff see it: the state, and "scheduled"."""

    UTKAST = "utkast", _("Draft")
    KLAR = "klar", _("Ready for sign-off")
    GODKAND = "godkand", _("Approved by the sponsor")
    SCHEMALAGD = "schemalagd", _("Scheduled")
    PUBLICERAD = "publicerad", _("Published")


class Uppfoljning(models.Model):
    """The follow-up of one area or one assignment in one period: the working copy.

    What the public sees is the latest `Publicering`, never this working copy.
    """

    class Tillstand(models.TextChoices):
        UTKAST = "utkast", _("Draft")
        KLAR = "klar", _("Ready for sign-off")
        GODKAND = "godkand", _("Approved by the sponsor")
        PUBLICERAD = "publicerad", _("Published")

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="uppfoljningar"
    )
    omrade = models.ForeignKey(
        Omrade,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="uppfoljningar",
    )
    uppdrag = models.ForeignKey(
        Uppdrag,
        verbose_name=_("assignment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="uppfoljningar",
    )
    status = models.CharField(_("status"), max_length=4, choices=Status.choices, blank=True)
    sammanfattning = models.TextField(_("public summary"), blank=True)
    orsak = models.TextField(_("cause"), blank=True)
    atgarder = models.TextField(_("actions taken"), blank=True)
    # English versions (issue #24): optional, shown on /en/ (portal/templatetags/localized.py);
    # no status rule asks for them.
    sammanfattning_en = models.TextField(_("public summary in English"), blank=True)
    orsak_en = models.TextField(_("cause in English"), blank=True)
    atgarder_en = models.TextField(_("actions taken in English"), blank=True)
    intern_anteckning = models.TextField(
        _("internal note"), blank=True, help_text=_("Never shown outside the staff pages.")
    )
    tillstand = models.CharField(
        _("state"), max_length=10, choices=Tillstand.choices, default=Tillstand.UTKAST
    )
    publicera_fran = models.DateTimeField(_("publish from"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    andrad_at = models.DateTimeField(_("changed"), default=timezone.now)
    andrad_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = UppfoljningQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["period__ar", "period__tertial", "omrade__nummer", "uppdrag__ordning"]
        constraints = [
            status_rule("uppfoljning"),
            models.CheckConstraint(
                condition=Q(status__in=["", *Status.values]), name="uppfoljning_status_giltig"
            ),
            models.CheckConstraint(
                condition=(
                    Q(omrade__isnull=False, uppdrag__isnull=True)
                    | Q(omrade__isnull=True, uppdrag__isnull=False)
                ),
                name="uppfoljning_omrade_eller_uppdrag",
            ),
            models.UniqueConstraint(
                fields=["period", "omrade"],
                condition=Q(omrade__isnull=False),
                name="uppfoljning_en_per_period_och_omrade",
            ),
            models.UniqueConstraint(
                fields=["period", "uppdrag"],
                condition=Q(uppdrag__isnull=False),
                name="uppfoljning_en_per_period_och_uppdrag",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="uppfoljning_version_positiv"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} – {self.period}"

    def skede(self, now: dt.datetime) -> str:
        """Where the follow-up is in the sign-off, as staff are shown it (a `Skede` value).

        The state, except that a publication from a later date is "schemalagd" until then.
        """
        if (
            self.tillstand == self.Tillstand.PUBLICERAD
            and self.publicera_fran is not None
            and self.publicera_fran > now
        ):
            return Skede.SCHEMALAGD
        return Skede(self.tillstand)

    @property
    def subject(self) -> Omrade | Uppdrag:
        return self.omrade if self.omrade_id else self.uppdrag

    def clean(self) -> None:
        validate_status_rule(self.status, self.orsak, self.atgarder)


class _EqualsAny(models.Lookup):
    """`lhs = ANY(rhs)` for an array on the right (PostgreSQL)."""

    lookup_name = "equals_any"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


class PubliceringQuerySet(VisibleQuerySet["Publicering"]):
    @staticmethod
    def visibility(viewer: Viewer, prefix: str = "") -> Q:
        """Residents see every version due by `viewer.now` of a follow-up of an assignment or
        of a visible area; staff see every version, scheduled ones included."""
        if viewer.staff:
            return Q()
        return Q(**{f"{prefix}publicerad_at__lte": viewer.now}) & (
            Q(**{f"{prefix}uppfoljning__omrade__isnull": True})
            | OmradeQuerySet.visibility(viewer, f"{prefix}uppfoljning__omrade__")
        )

    def current(self, viewer: Viewer) -> PubliceringQuerySet:
        """Of each follow-up, the version `viewer` sees now: the one definition of "the
        visible version of a follow-up". A version is in force from `publicerad_at` until
        `ersatt_at`, the moment its successor falls due (kept by `save()`)."""
        return self.visible_to(viewer).filter(
            Q(publicerad_at__lte=viewer.now)
            & (Q(ersatt_at__isnull=True) | Q(ersatt_at__gt=viewer.now))
        )

    def mark_superseded(self) -> int:
        """Set `ersatt_at` of these publications from their follow-ups' other versions.

        A version is superseded from the earliest moment of a version after it (the later
        id wins a tie). save() applies it to a new version's
        follow-up; rows written without save() (bulk_create in seed_bench) call it
        themselves. Returns the number of rows updated.
        """
        later = Publicering.objects.filter(uppfoljning=models.OuterRef("uppfoljning")).filter(
            Q(publicerad_at__gt=models.OuterRef("publicerad_at"))
            | Q(publicerad_at=models.OuterRef("publicerad_at"), pk__gt=models.OuterRef("pk"))
        )
        first = (
            later.order_by()
            .values("uppfoljning")
            .annotate(first=models.Min("publicerad_at"))
            .values("first")
        )
        return self.update(ersatt_at=models.Subquery(first))

    def by_ids_from(self, ids: models.QuerySet[Any]) -> Q:
        """The rows whose id is among those a subquery of one column gives.

        On PostgreSQL `id = ANY(ARRAY(...))`, which fetches those rows by primary key: with
        `IN (...)` PostgreSQL hash-joins against a scan of every publication instead.
        """
        if connections[self.db].vendor == "postgresql":
            return Q(_EqualsAny(models.F("pk"), ArraySubquery(ids)))
        return Q(pk__in=ids)

    def newest_first(self) -> PubliceringQuerySet:
        return self.order_by(
            "-uppfoljning__period__ar", "-uppfoljning__period__tertial", "-publicerad_at", "-pk"
        )


class Publicering(models.Model):
    """An immutable published version of a follow-up: what residents see.

    Revising a published follow-up appends a new row; the old one stays, so a closed
    period's report can show exactly what was published and later corrections beside it.
    """

    uppfoljning = models.ForeignKey(
        Uppfoljning,
        verbose_name=_("follow-up"),
        on_delete=models.PROTECT,
        related_name="publiceringar",
    )
    version = models.PositiveIntegerField(_("version of the follow-up"))
    status = models.CharField(_("status"), max_length=4, choices=Status.choices)
    sammanfattning = models.TextField(_("public summary"), blank=True)
    orsak = models.TextField(_("cause"), blank=True)
    atgarder = models.TextField(_("actions taken"), blank=True)
    sammanfattning_en = models.TextField(_("public summary in English"), blank=True)
    orsak_en = models.TextField(_("cause in English"), blank=True)
    atgarder_en = models.TextField(_("actions taken in English"), blank=True)
    publicerad_at = models.DateTimeField(_("visible from"))
    # When a later version of the same follow-up becomes visible (the earliest such moment),
    # or NULL while none is published: the version is the one residents see from
    # `publicerad_at` until `ersatt_at`. Set by save() for every version added, so "the
    # version visible now" is a condition on the row itself (see `current()`), which an index
    # can serve: /sok/ finds the current versions that match without probing every follow-up.
    ersatt_at = models.DateTimeField(_("superseded from"), null=True, blank=True, editable=False)
    skapad_at = models.DateTimeField(_("published at"), default=timezone.now)
    publicerad_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PubliceringQuerySet.as_manager()

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["publicerad_at", "pk"]
        indexes = [
            # Each follow-up's versions newest first (the overview's and reports' probes).
            models.Index(
                fields=["uppfoljning", "-publicerad_at", "-id"], name="publicering_senaste"
            ),
            # The reports' snapshots (uppfoljning/reports.py): each follow-up's last
            # publication by creation, in one index probe.
            models.Index(
                fields=["uppfoljning", "-skapad_at", "-version"], name="publicering_skapad"
            ),
            # `current()`: the few versions that are superseded only in the future (a later
            # one is scheduled). The current versions with no successor have their own
            # partial search index (portal/migrations/0005_search_current_publications.py).
            models.Index(
                fields=["ersatt_at"],
                name="publicering_ersatt_at",
                condition=Q(ersatt_at__isnull=False),
            ),
            # The Atom feed: the newest visible versions first, read from the index and
            # stopped after the feed's entries instead of sorting every version (38 -> 1 ms
            # at 10,000 versions).
            models.Index(fields=["-publicerad_at", "-id"], name="publicering_publicerad_id"),
        ]
        constraints = [
            status_rule("publicering"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="publicering_status_giltig"
            ),
            models.UniqueConstraint(
                fields=["uppfoljning", "version"], name="publicering_en_per_version"
            ),
            models.CheckConstraint(
                condition=Q(ersatt_at__isnull=True) | Q(ersatt_at__gte=models.F("publicerad_at")),
                name="publicering_ersatt_efter_synlig",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.uppfoljning} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Add a version and set `ersatt_at` of the follow-up's versions, this one included.

        Publications are never changed once written (the admin is read-only), so only an
        insert moves the moments; the rule is `mark_superseded()`'s, applied to the
        follow-up's few versions.
        """
        if not self._state.adding:
            super().save(*args, **kwargs)
            return
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            versions = Publicering.objects.using(self._state.db).filter(
                uppfoljning_id=self.uppfoljning_id
            )
            versions.mark_superseded()
            self.ersatt_at = versions.filter(pk=self.pk).values_list("ersatt_at", flat=True).get()

    @property
    def symbol(self) -> str:
        return STATUS_SYMBOLS[Status(self.status)]

    @property
    def definition(self) -> str:
        return str(STATUS_DEFINITIONS[Status(self.status)])


class Historik(AppendOnlyModel):
    """An append-only log of every change of a follow-up's status, text or state."""

    class Handling(models.TextChoices):
        SKAPAD = "skapad", _("Created")
        ANDRAD = "andrad", _("Changed")
        KLAR = "klar", _("Marked ready for sign-off")
        GODKAND = "godkand", _("Approved")
        TILLBAKA = "tillbaka", _("Sent back")
        PUBLICERAD = "publicerad", _("Published")
        ATERKALLAD = "aterkallad", _("Scheduled publication withdrawn")

    uppfoljning = models.ForeignKey(
        Uppfoljning, verbose_name=_("follow-up"), on_delete=models.PROTECT, related_name="historik"
    )
    tid = models.DateTimeField(_("time"), default=timezone.now)
    av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handling = models.CharField(_("action"), max_length=20, choices=Handling.choices)
    version = models.PositiveIntegerField(_("version after the change"))
    fore = models.JSONField(_("before"), default=dict, blank=True)
    efter = models.JSONField(_("after"), default=dict, blank=True)
    # Why it was sent back (or any word that goes with a step of the sign-off).
    kommentar = models.TextField(_("comment"), blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["tid", "pk"]

    def __str__(self) -> str:
        return f"{self.uppfoljning} – {self.get_handling_display()} ({self.tid:%Y-%m-%d %H:%M})"


class Paminnelse(models.Model):
    """A reminder e-mail sent by `manage.py paminn`: at most one per period and person."""

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="paminnelser"
    )
    person = models.ForeignKey(
        "omraden.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="paminnelser",
    )
    epost = models.EmailField(_("e-mail"))
    skickad_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-skickad_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "person"], name="paminnelse_en_per_period_och_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.period}"


class IndikatorQuerySet(VisibleQuerySet["Indikator"]):
    @staticmethod
    def visibility(viewer: Viewer, prefix: str = "") -> Q:
        """Residents see the indicators of an assignment or of a visible area."""
        if viewer.staff:
            return Q()
        return Q(**{f"{prefix}omrade__isnull": True}) | OmradeQuerySet.visibility(
            viewer, f"{prefix}omrade__"
        )

    def with_values(self) -> IndikatorQuerySet:
        """Indicators with assignment, area and all their values: two queries in all."""
        return self.select_related("uppdrag", "omrade").prefetch_related(
            models.Prefetch("varden", queryset=Matvarde.objects.order_by("ar"))
        )


_year = attrgetter("ar")


class Punkt(NamedTuple):
    """One year of an indicator's series, as shown in charts, tables and summaries.

    `kalla` is a Matvarde.Kalla value, or "startlage" for the baseline of the municipal plan
    (used as the first point when no stored value exists for the baseline year). A named
    tuple, not a dataclass: the list of indicators makes a thousand of these per request.
    """

    ar: int
    kommun: Decimal | None
    riket: Decimal | None
    kalla: str


class Indikator(models.Model):
    class Horisont(models.TextChoices):
        KORT = "1-2ar", _("Within 1–2 years")
        MANDAT = "mandatperiod", _("Within the mandate period")

    class Enhet(models.TextChoices):
        PROCENT = "procent", _("Percent")
        ANTAL = "antal", _("Number")
        INDEX = "index", _("Index")
        BEDOMNING = "bedomning", _("Assessment (no figure)")

    class Riktning(models.TextChoices):
        OKA = "oka", _("Increase")
        BIBEHALLA = "bibehalla", _("Keep or increase")
        TOPP25 = "topp25", _("Among the 25 % best")
        BEDOMNING = "bedomning", _("Assessed")

    slug = models.SlugField(_("address"), max_length=80, unique=True)
    namn = models.CharField(_("name"), max_length=300)
    beskrivning = models.TextField(_("description"), blank=True)
    uppdrag = models.ForeignKey(
        Uppdrag,
        verbose_name=_("assignment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indikatorer",
    )
    omrade = models.ForeignKey(
        Omrade,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indikatorer",
    )
    horisont = models.CharField(_("horizon"), max_length=20, choices=Horisont.choices)
    enhet = models.CharField(_("unit"), max_length=20, choices=Enhet.choices)
    riktning = models.CharField(_("target direction"), max_length=20, choices=Riktning.choices)
    kalla = models.CharField(_("source"), max_length=200)
    startlage_ar = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    startlage_kommun = models.DecimalField(
        _("baseline, municipality"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    startlage_riket = models.DecimalField(
        _("baseline, national"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    kolada_kpi = models.CharField(_("Kolada KPI id"), max_length=20, blank=True)
    kolada_titel = models.CharField(_("Kolada KPI title"), max_length=300, blank=True)
    ordning = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = IndikatorQuerySet.as_manager()
    # Set by attach_values(): the values without Matvarde objects, for serie().
    attached_values: list[Punkt] | None = None

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["ordning"]
        constraints = [
            models.CheckConstraint(
                condition=Q(startlage_kommun__isnull=True) | Q(startlage_ar__isnull=False),
                name="indikator_startlage_har_ar",
            ),
        ]

    def __str__(self) -> str:
        return self.namn

    @property
    def has_figures(self) -> bool:
        """Assessed indicators ("bedomning") are judged in words, never with a figure."""
        return self.enhet != self.Enhet.BEDOMNING

    @property
    def accepts_manual_values(self) -> bool:
        """Staff type values only where no Kolada source exists: Kolada values are imported."""
        return self.has_figures and not self.kolada_kpi

    def serie(self) -> list[Punkt]:
        """The values year by year, oldest first, with the baseline as the first point.

        The baseline (startläge) is not stored as a Matvarde: it is part of the municipal
        plan, and keeping it in one place means an import can never overwrite it. It counts
        as a point only when no stored value exists for its year. Uses the values from
        `attach_values()`, else `self.varden.all()`, so a list built with either costs no
        further queries.
        """
        if self.attached_values is not None:
            punkter = list(self.attached_values)
        else:
            punkter = [Punkt(v.ar, v.kommun, v.riket, v.kalla) for v in self.varden.all()]
        if self.startlage_ar is not None and all(p.ar != self.startlage_ar for p in punkter):
            baseline = Punkt(
                self.startlage_ar, self.startlage_kommun, self.startlage_riket, "startlage"
            )
            punkter.append(baseline)
        punkter.sort(key=_year)
        return punkter

    def senaste(self) -> Punkt | None:
        """The newest point with a value for the municipality."""
        med_varde = [p for p in self.serie() if p.kommun is not None]
        return med_varde[-1] if med_varde else None

    def set_value(
        self, *, ar: int, kommun: Decimal | None, riket: Decimal | None, kalla: str
    ) -> tuple[Matvarde, str]:
        """Store one year's value; returns the row and "created", "updated" or "unchanged".

        An unchanged value keeps its row untouched (also its `hamtad_at`), so repeating an
        import or a form submission changes nothing.
        """
        existing = self.varden.filter(ar=ar).first()
        if existing is None:
            created = Matvarde.objects.create(
                indikator=self, ar=ar, kommun=kommun, riket=riket, kalla=kalla
            )
            return created, "created"
        if (existing.kommun, existing.riket, existing.kalla) == (kommun, riket, kalla):
            return existing, "unchanged"
        existing.kommun, existing.riket, existing.kalla = kommun, riket, kalla
        existing.hamtad_at = timezone.now()
        existing.save(update_fields=["kommun", "riket", "kalla", "hamtad_at"])
        return existing, "updated"


def attach_values(indikatorer: list[Indikator]) -> list[Indikator]:
    """Give each indicator its values as `Punkt`s, for `serie()`: one query for all of them.

    Lighter than `with_values()` (no Matvarde objects, only year, figures and source), for
    lists of indicators with a chart of their years (a page of `/indikatorer/`).
    """
    by_indikator: dict[int, list[Punkt]] = {i.pk: [] for i in indikatorer}
    rows = (
        Matvarde.objects.filter(indikator_id__in=by_indikator)
        .order_by("indikator_id", "ar")
        .values_list("indikator_id", "ar", "kommun", "riket", "kalla")
    )
    for indikator_id, ar, kommun, riket, kalla in rows:
        by_indikator[indikator_id].append(Punkt(ar, kommun, riket, kalla))
    for i in indikatorer:
        i.attached_values = by_indikator[i.pk]
    return indikatorer


class Matvarde(models.Model):
    """One year's value of an indicator, for the municipality and the national average (riket)."""

    class Kalla(models.TextChoices):
        KOLADA = "kolada", _("Kolada")
        MANUELL = "manuell", _("Entered by staff")
        EGEN = "egen", _("The portal's own calculation")

    indikator = models.ForeignKey(
        Indikator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="varden"
    )
    ar = models.PositiveSmallIntegerField(_("year"))
    kommun = models.DecimalField(
        _("municipality"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    riket = models.DecimalField(
        _("national"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    kalla = models.CharField(_("source"), max_length=10, choices=Kalla.choices)
    hamtad_at = models.DateTimeField(_("fetched"), default=timezone.now)

    class Meta:
        verbose_name = _("value")
        verbose_name_plural = _("values")
        ordering = ["indikator", "ar"]
        constraints = [
            models.UniqueConstraint(fields=["indikator", "ar"], name="matvarde_ett_per_ar"),
            # A year without any figure is a missing value, never a row (and never 0).
            models.CheckConstraint(
                condition=Q(kommun__isnull=False) | Q(riket__isnull=False),
                name="matvarde_har_ett_varde",
                violation_error_message=_(
                    "A value needs a figure for the municipality or the nation."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indikator} {self.ar}"

    def clean(self) -> None:
        """Friendly errors for what forms can get wrong: the future, and percentages."""
        errors: dict[str, Any] = {}
        if self.ar is not None and self.ar > timezone.localdate().year:
            errors["ar"] = _("The year cannot be in the future.")
        if self.indikator_id and self.indikator.enhet == Indikator.Enhet.PROCENT:
            for field in ("kommun", "riket"):
                value = getattr(self, field)
                if value is not None and not (0 <= value <= 100):
                    errors[field] = _("A percentage is between 0 and 100.")
        if errors:
            raise ValidationError(errors)


class RapportQuerySet(VisibleQuerySet["Rapport"]):
    @staticmethod
    def visibility(viewer: Viewer, prefix: str = "") -> Q:
        """Residents see public reports."""
        return Q() if viewer.staff else Q(**{f"{prefix}publik": True})


class Rapport(models.Model):
    """Kommundirektörens rapport (the chief executive's monthly report), as a summary."""

    slug = models.SlugField(_("address"), max_length=80, unique=True)
    titel = models.CharField(_("title"), max_length=200)
    datum = models.DateField(_("date"))
    sammanfattning = models.TextField(_("summary"))
    publik = models.BooleanField(_("public"), default=True)

    objects = RapportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-datum"]

    def __str__(self) -> str:
        return self.titel


def overview_areas(viewer: Viewer) -> models.QuerySet[Omrade]:
    """The areas `viewer` sees, with fadder, phase and `senaste_publicering_id`: the id of
    the current version of the area's newest follow-up. One query; `attach_latest_publications`
    fetches those versions in a second."""
    latest = (
        Publicering.objects.current(viewer)
        .filter(uppfoljning__omrade=models.OuterRef("pk"))
        .newest_first()
        .values("pk")[:1]
    )
    return (
        Omrade.objects.visible_to(viewer)
        .select_related("fadder", "fas")
        .annotate(senaste_publicering_id=models.Subquery(latest))
    )


def attach_latest_publications(omraden: list[Omrade]) -> list[Omrade]:
    """Set `omrade.senaste` to the publication `overview_areas` picked (or None): one query."""
    ids = [o.senaste_publicering_id for o in omraden if o.senaste_publicering_id]
    by_id = {
        p.pk: p
        for p in Publicering.objects.filter(pk__in=ids).select_related("uppfoljning__period")
    }
    for omrade in omraden:
        omrade.senaste = by_id.get(omrade.senaste_publicering_id)
    return omraden
