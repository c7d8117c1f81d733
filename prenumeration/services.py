"""Subscriptions and digests: every write of this app, and every e-mail it sends.

E-mail goes through the outbox only (prenumeration/outbox.py), each with a stable event key:
"prenumeration-bekrafta:<subscription>:<time>", "digest:<round>:<subscription>",
"nisa:<publication>:<input>" and "nisa:initiativ-<initiative>:<input>".
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from omraden.models import Aktivitet, Initiativ, Inspel, Omrade
from portal.viewer import Viewer
from prenumeration import links, outbox
from prenumeration.models import KINDS, Omgang, OmgangPublicering, Prenumeration
from uppfoljning.models import STATUS_SYMBOLS, Publicering, Rapport, Status

log = logging.getLogger(__name__)


# Subscribing, confirming, changing, cancelling


def normalise(epost: str) -> str:
    """One subscription per mailbox: the address compared without case."""
    return epost.strip().lower()


def prenumeration_subscribe(
    *, epost: str, alla_omraden: bool, omraden: Iterable[Omrade], kinds: Iterable[str]
) -> None:
    """Ask to follow: the address gets a confirmation link, and nothing else until it is used.

    The answer on the page is the same whatever the address, so the form tells nobody who
    subscribes. An address that already follows is not changed by someone typing it in: it
    gets a mail with its own link to change its choices.
    """
    epost = normalise(epost)
    kinds = set(kinds)
    now = timezone.now()
    try:
        with transaction.atomic():
            p = Prenumeration.objects.select_for_update().filter(epost=epost).first()
            if p is not None and p.is_active:
                outbox.queue(f"prenumeration-finns:{p.pk}:{_bucket(now)}", _already(p))
                return
            if p is None:
                p = Prenumeration(epost=epost)
            elif p.avslutad_at is not None:
                # Following again after cancelling: the old links stay dead.
                p.nonce = Prenumeration._meta.get_field("nonce").get_default()
            p.alla_omraden = alla_omraden
            for kind in KINDS:
                setattr(p, kind, kind in kinds)
            p.avslutad_at = None
            p.bekraftad_at = None
            p.bekraftelse_skickad_at = now
            p.save()
            p.omraden.set([] if alla_omraden else list(omraden))
            outbox.queue(f"prenumeration-bekrafta:{p.pk}:{_bucket(now)}", _confirmation(p))
    except IntegrityError:
        # The same address sent twice at the same moment: the other request made it.
        log.info("A subscription for the same address was made concurrently")


def _bucket(now: dt.datetime) -> str:
    """Ten minutes: the key of a confirmation (or "already following") mail names its
    ten-minute window, so however often an address is typed in, from however many
    connections, it gets at most one such mail per window (the outbox keeps one per key)."""
    return f"{now:%Y%m%d%H}{now.minute // 10}"


def prenumeration_confirm(*, p: Prenumeration) -> Prenumeration:
    """The confirmation link was used: the subscription is on (again: nothing changes)."""
    if p.bekraftad_at is None or p.avslutad_at is not None:
        p.bekraftad_at = timezone.now()
        p.avslutad_at = None
        p.save(update_fields=["bekraftad_at", "avslutad_at"])
    return p


def prenumeration_change(
    *, p: Prenumeration, alla_omraden: bool, omraden: Iterable[Omrade], kinds: Iterable[str]
) -> None:
    kinds = set(kinds)
    with transaction.atomic():
        p.alla_omraden = alla_omraden
        for kind in KINDS:
            setattr(p, kind, kind in kinds)
        p.save(update_fields=["alla_omraden", *KINDS])
        p.omraden.set([] if alla_omraden else list(omraden))


def prenumeration_cancel(*, p: Prenumeration) -> None:
    """Stop following. Idempotent; `gallra` deletes the row (and so the address) next."""
    Prenumeration.objects.filter(pk=p.pk, avslutad_at__isnull=True).update(
        avslutad_at=timezone.now()
    )


def _personal(p: Prenumeration, subject: str, body: str, tok: str) -> EmailMessage:
    return EmailMessage(subject, body, None, [p.epost], headers=links.unsubscribe_headers(tok))


def _confirmation(p: Prenumeration) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Confirm that you want to follow the joint areas")
        body = render_to_string(
            "prenumeration/email/bekrafta.txt",
            {
                "p": p,
                "url": links.bekrafta_url(p),
                "dagar": settings.PRENUMERATION_BEKRAFTA_DAGAR,
                "omraden": list(p.omraden.all()) if not p.alla_omraden else [],
            },
        )
    # No List-Unsubscribe here: nothing is subscribed yet, and ignoring the mail is enough.
    return EmailMessage(subject, body, None, [p.epost])


def _already(p: Prenumeration) -> EmailMessage:
    tok = links.token(p)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("You already follow the joint areas")
        body = render_to_string(
            "prenumeration/email/finns.txt",
            {"andra_url": links.andra_url(tok), "avsluta_url": links.avsluta_url(tok)},
        )
    return _personal(p, subject, body, tok)


# Publishing rounds


def published() -> None:
    """Called by uppfoljning.services after a publication's commit.

    With SAMMANDRAG_TYST=0 the round closes at once and its digests are queued by a task;
    otherwise `manage.py skicka_sammandrag` closes it after the quiet period. Never raises:
    the publication is committed whatever happens here, and cron catches up.
    """
    if settings.SAMMANDRAG_TYST > 0:
        return
    try:
        omgang = sammandrag_close_round(force=True)
        if omgang is not None:
            enqueue_round(omgang.pk)
    except Exception:
        log.exception("Could not close the publishing round; skicka_sammandrag will")


def enqueue_round(omgang_id: int) -> None:
    from prenumeration.tasks import queue_round

    queue_round.enqueue(omgang_id)


def _pending_publications(now: dt.datetime) -> list[tuple[int, dt.datetime]]:
    horizon = now - dt.timedelta(days=settings.SAMMANDRAG_HORISONT_DAGAR)
    return list(
        Publicering.objects.visible_to(Viewer.resident(now))
        .filter(publicerad_at__gt=horizon, sammandrag__isnull=True)
        .order_by("publicerad_at")
        .values_list("pk", "publicerad_at")
    )


def sammandrag_close_round(*, now: dt.datetime | None = None, force: bool = False) -> Omgang | None:
    """Close a publishing round if there is news and it has been quiet long enough.

    News: publications visible now and in no round yet (within SAMMANDRAG_HORISONT_DAGAR),
    input answered, initiatives changed, activities and reports added since the previous
    round. Quiet: no publication or answer for SAMMANDRAG_TYST seconds, or the first has
    waited SAMMANDRAG_MAX_VANTAN. `force` closes it now (the publishing request with
    SAMMANDRAG_TYST=0). Returns the new round, or None.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # One closer at a time: the latest round's row is locked until this one commits.
        previous = Omgang.objects.select_for_update().order_by("-till", "-pk").first()
        fran = (
            previous.till
            if previous
            else now - dt.timedelta(days=settings.SAMMANDRAG_HORISONT_DAGAR)
        )
        pubs = _pending_publications(now)
        answered = list(
            Inspel.objects.visible_to(Viewer.resident(now))
            .exclude(svar="")
            .filter(besvarad_at__gt=fran, besvarad_at__lte=now)
            .order_by("besvarad_at")
            .values_list("besvarad_at", flat=True)
        )
        marks = {
            "aktivitet": Aktivitet.objects.aggregate(m=Max("pk"))["m"] or 0,
            "rapport": Rapport.objects.aggregate(m=Max("pk"))["m"] or 0,
        }
        if previous is None:
            # The first round counts activities and reports from now on, not all there are.
            since = dict(marks)
        else:
            since = {"aktivitet": previous.aktivitet_till_id, "rapport": previous.rapport_till_id}
        changed_initiatives = Initiativ.objects.filter(andrad__gt=fran, andrad__lte=now).exists()
        times = [t for _pk, t in pubs] + answered
        other = (
            marks["aktivitet"] > since["aktivitet"]
            or marks["rapport"] > since["rapport"]
            or changed_initiatives
        )
        if not times and not other:
            if previous is None:
                # The very first run: a round with nothing in it, from which activities and
                # reports added later count as news.
                Omgang.objects.create(
                    fran=fran,
                    till=now,
                    aktivitet_fran_id=marks["aktivitet"],
                    aktivitet_till_id=marks["aktivitet"],
                    rapport_fran_id=marks["rapport"],
                    rapport_till_id=marks["rapport"],
                    antal=0,
                    klar_at=now,
                )
            return None
        if not force:
            quiet = dt.timedelta(seconds=settings.SAMMANDRAG_TYST)
            waited = dt.timedelta(seconds=settings.SAMMANDRAG_MAX_VANTAN)
            if times:
                ready = max(times) <= now - quiet or min(times) <= now - waited
            else:
                ready = fran <= now - waited
            if not ready:
                return None
        omgang = Omgang.objects.create(
            fran=fran,
            till=now,
            aktivitet_fran_id=since["aktivitet"],
            aktivitet_till_id=marks["aktivitet"],
            rapport_fran_id=since["rapport"],
            rapport_till_id=marks["rapport"],
        )
        # The one-to-one on the publication refuses a publication already in a round.
        OmgangPublicering.objects.bulk_create(
            [OmgangPublicering(omgang=omgang, publicering_id=pk) for pk, _t in pubs]
        )
    return omgang


# The digests of a round


@dataclass
class Round:
    """What a round reports, read once: the same for every subscriber who follows it."""

    omgang: Omgang
    publiceringar: list[Publicering]
    svar: list[Inspel]
    aktiviteter: list[Aktivitet]
    rapporter: list[Rapport]
    # Area ids each item belongs to (None: no area, for those who follow all).
    areas_of: dict[tuple[str, int], frozenset[int | None]] = field(default_factory=dict)

    def area_ids(self) -> set[int]:
        return {a for areas in self.areas_of.values() for a in areas if a is not None}


def _read_round(omgang: Omgang) -> Round:
    resident = Viewer.resident(max(omgang.till, timezone.now()))
    pubs = list(
        Publicering.objects.visible_to(resident)
        .filter(sammandrag__omgang=omgang)
        .select_related("uppfoljning__omrade", "uppfoljning__uppdrag", "uppfoljning__period")
        .order_by("uppfoljning__omrade__nummer", "uppfoljning__uppdrag__ordning", "pk")
    )
    svar = list(
        Inspel.objects.visible_to(resident)
        .filter(besvarad_at__gt=omgang.fran, besvarad_at__lte=omgang.till)
        .exclude(svar="")
        .select_related("omrade")
        .order_by("besvarad_at", "pk")
    )
    aktiviteter = list(
        Aktivitet.objects.visible_to(resident)
        .filter(pk__gt=omgang.aktivitet_fran_id, pk__lte=omgang.aktivitet_till_id)
        .prefetch_related("omraden")
        .order_by("datum", "starttid", "pk")
    )
    rapporter = list(
        Rapport.objects.visible_to(resident)
        .filter(pk__gt=omgang.rapport_fran_id, pk__lte=omgang.rapport_till_id)
        .order_by("datum", "pk")
    )
    r = Round(omgang, pubs, svar, aktiviteter, rapporter)
    visible_areas = set(Omrade.objects.visible_to(resident).values_list("pk", flat=True))
    for p in pubs:
        r.areas_of[("p", p.pk)] = frozenset([p.uppfoljning.omrade_id])
    for i in svar:
        r.areas_of[("s", i.pk)] = frozenset([i.omrade_id])
    for a in aktiviteter:
        ids = [o.pk for o in a.omraden.all() if o.pk in visible_areas]
        r.areas_of[("a", a.pk)] = frozenset(ids or [None])
    for rapport in rapporter:
        r.areas_of[("r", rapport.pk)] = frozenset([None])
    return r


_KIND_OF = {"p": "uppfoljningar", "s": "svar", "a": "aktiviteter", "r": "rapporter"}
# Replaced by each subscriber's own links in the body rendered once for all alike.
_ANDRA = "@@andra-url@@"
_AVSLUTA = "@@avsluta-url@@"


def _items_for(
    r: Round, alla: bool, areas: frozenset[int], kinds: frozenset[str]
) -> tuple[tuple[str, int], ...]:
    out = []
    for key, item_areas in r.areas_of.items():
        if _KIND_OF[key[0]] not in kinds:
            continue
        if key[0] == "r" or alla or (item_areas & areas):
            out.append(key)
    return tuple(out)


def _render_digest(r: Round, items: tuple[tuple[str, int], ...]) -> tuple[str, str]:
    chosen = set(items)
    pubs = [
        {
            "p": p,
            "amne": p.uppfoljning.subject,
            "symbol": STATUS_SYMBOLS[Status(p.status)],
            "ord": Status(p.status).label,
            "url": links.absolute(
                p.uppfoljning.omrade.get_absolute_url()
                if p.uppfoljning.omrade_id
                else reverse("uppfoljning:uppdrag", args=[p.uppfoljning.uppdrag.slug])
            ),
        }
        for p in r.publiceringar
        if ("p", p.pk) in chosen
    ]
    ctx = {
        "publiceringar": pubs,
        "svar": [
            {
                "i": i,
                "url": links.absolute(
                    i.omrade.get_absolute_url() if i.omrade_id else reverse("omraden:tyck_till")
                ),
            }
            for i in r.svar
            if ("s", i.pk) in chosen
        ],
        "aktiviteter": [
            {"a": a, "url": links.absolute(reverse("omraden:aktivitet", args=[a.pk]))}
            for a in r.aktiviteter
            if ("a", a.pk) in chosen
        ],
        "rapporter": [
            {"r": rap, "url": links.absolute(reverse("uppfoljning:rapport", args=[rap.slug]))}
            for rap in r.rapporter
            if ("r", rap.pk) in chosen
        ],
        "andra_url": _ANDRA,
        "avsluta_url": _AVSLUTA,
    }
    if pubs:
        subject = _("New follow-up: %(what)s") % {"what": pubs[0]["amne"]}
        if len(pubs) > 1:
            subject = _("New follow-ups of %(count)d areas and assignments") % {"count": len(pubs)}
    else:
        subject = _("News from the joint areas")
    return subject, render_to_string("prenumeration/email/sammandrag.txt", ctx)


def _subscribers(
    area_ids: set[int],
) -> Iterator[tuple[int, str, str, bool, frozenset[int], frozenset[str]]]:
    """Every active subscription: (pk, address, nonce, all areas, its areas among
    `area_ids`, its kinds). Two queries, whatever the number."""
    rows = list(
        Prenumeration.objects.active()
        .order_by("pk")
        .values_list("pk", "epost", "nonce", "alla_omraden", *KINDS)
    )
    areas: dict[int, set[int]] = defaultdict(set)
    through = Prenumeration.omraden.through.objects.filter(
        omrade_id__in=area_ids,
        prenumeration__bekraftad_at__isnull=False,
        prenumeration__avslutad_at__isnull=True,
    ).values_list("prenumeration_id", "omrade_id")
    for pk, omrade_id in through:
        areas[pk].add(omrade_id)
    for pk, epost, nonce, alla, *flags in rows:
        kinds = frozenset(k for k, on in zip(KINDS, flags, strict=True) if on)
        yield pk, epost, nonce, alla, frozenset(areas.get(pk, ())), kinds


def sammandrag_queue(*, omgang_id: int) -> int:
    """Put the round's digests (one per subscriber it concerns) and its "Ni sa – vi gjorde"
    notices in the outbox, in one transaction. Returns how many digests were new.

    Run again (a killed worker, cron catching up), it adds nothing: the event keys are
    already stored. Each digest's body is rendered once per distinct content and the
    subscriber's own links are put in by replacing two markers, so 10,000 subscribers cost
    a few template renders, not 10,000.
    """
    omgang = Omgang.objects.filter(pk=omgang_id).first()
    if omgang is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        r = _read_round(omgang)
        rendered: dict[tuple[tuple[str, int], ...], tuple[str, str]] = {}
        # Each address's links from the prefix of one reversed link (no reverse() per row).
        andra_prefix = links.andra_url("TOKEN").removesuffix("TOKEN/")
        avsluta_prefix = links.avsluta_url("TOKEN").removesuffix("TOKEN/")
        mailto = settings.PRENUMERATION_AVREGISTRERA_EPOST

        def digests() -> Iterator[tuple[str, EmailMessage]]:
            for pk, epost, nonce, alla, areas, kinds in _subscribers(r.area_ids()):
                items = _items_for(r, alla, areas, kinds)
                if not items:
                    continue
                if items not in rendered:
                    rendered[items] = _render_digest(r, items)
                subject, body = rendered[items]
                tok = links.token_of(pk, nonce)
                avsluta = f"{avsluta_prefix}{tok}/"
                body = body.replace(_ANDRA, f"{andra_prefix}{tok}/").replace(_AVSLUTA, avsluta)
                headers = {
                    "List-Unsubscribe": f"<{avsluta}>, <mailto:{mailto}?subject=avsluta%20{tok}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                }
                yield (
                    f"digest:{omgang.pk}:{pk}",
                    EmailMessage(subject, body, None, [epost], headers=headers),
                )

        with transaction.atomic():
            new = outbox.queue_many(digests())
            outbox.queue_many(_nisa(r))
            Omgang.objects.filter(pk=omgang.pk).update(
                klar_at=timezone.now(), antal=(omgang.antal or 0) + new
            )
    return new


# "Ni sa – vi gjorde": the resident whose input led somewhere is told when it is published


def _nisa(r: Round) -> Iterator[tuple[str, EmailMessage]]:
    """One notice per input linked to a publication of the round, or to an initiative that
    residents can see and that changed (was published) in the round after the input was
    linked to it. Only approved, visible input with an address (not removed by gallra),
    and only its published text: what the resident agreed to be contacted about."""
    resident = Viewer.resident(max(r.omgang.till, timezone.now()))
    inspel = Inspel.objects.visible_to(resident).exclude(epost="").select_related("omrade")
    by_uppf = {p.uppfoljning_id: p for p in r.publiceringar}
    for i in inspel.filter(uppfoljning_id__in=by_uppf).order_by("pk"):
        p = by_uppf[i.uppfoljning_id]
        subject = _("You said – we did: %(what)s") % {"what": p.uppfoljning.subject}
        body = render_to_string(
            "prenumeration/email/nisa.txt",
            {
                "inspel": i,
                "publicering": p,
                "symbol": STATUS_SYMBOLS[Status(p.status)],
                "ord": Status(p.status).label,
                "amne": p.uppfoljning.subject,
                "url": links.absolute(
                    p.uppfoljning.omrade.get_absolute_url()
                    if p.uppfoljning.omrade_id
                    else reverse("uppfoljning:uppdrag", args=[p.uppfoljning.uppdrag.slug])
                ),
            },
        )
        yield f"nisa:{p.pk}:{i.pk}", EmailMessage(subject, body, None, [i.epost])
    initiativ = Initiativ.objects.visible_to(resident).filter(
        andrad__gt=r.omgang.fran, andrad__lte=r.omgang.till
    )
    for i in inspel.filter(initiativ__in=initiativ).select_related("initiativ__fas").order_by("pk"):
        if i.kopplad_at is not None and i.initiativ.andrad <= i.kopplad_at:
            continue  # linked to it as it already was: the moderation notice told them
        subject = _("You said – we did: %(what)s") % {"what": i.initiativ.titel}
        body = render_to_string(
            "prenumeration/email/nisa.txt",
            {
                "inspel": i,
                "initiativ": i.initiativ,
                "url": links.absolute(
                    i.initiativ.omrade.get_absolute_url()
                    if i.initiativ.omrade_id
                    else reverse("omraden:tyck_till")
                ),
            },
        )
        yield (
            f"nisa:initiativ-{i.initiativ_id}:{i.pk}",
            EmailMessage(subject, body, None, [i.epost]),
        )


def sammandrag_run(*, now: dt.datetime | None = None) -> list[int]:
    """What cron does every minute: close a round if it is time, and hand every round whose
    digests are not all queued yet to the task (again). Returns the rounds handed over."""
    now = now or timezone.now()
    sammandrag_close_round(now=now)
    pending = list(
        Omgang.objects.filter(klar_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    for pk in pending:
        enqueue_round(pk)
    return pending


# Retention


def gallra(*, now: dt.datetime, dry_run: bool) -> tuple[int, int]:
    """Delete unconfirmed subscriptions older than PRENUMERATION_BEKRAFTA_DAGAR and every
    cancelled one: the address is gone with the row. Returns (unconfirmed, cancelled)."""
    cutoff = now - dt.timedelta(days=settings.PRENUMERATION_BEKRAFTA_DAGAR)
    unconfirmed = Prenumeration.objects.filter(
        Q(bekraftelse_skickad_at__lte=cutoff)
        | Q(bekraftelse_skickad_at__isnull=True, skapad__lte=cutoff),
        bekraftad_at__isnull=True,
        avslutad_at__isnull=True,
    )
    cancelled = Prenumeration.objects.filter(avslutad_at__isnull=False)
    counts = unconfirmed.count(), cancelled.count()
    if not dry_run:
        with transaction.atomic():
            unconfirmed.delete()
            cancelled.delete()
    return counts


def as_dict(p: Prenumeration) -> dict[str, Any]:
    """A subscription's choices as the form's initial data."""
    return {
        "alla_omraden": "alla" if p.alla_omraden else "valda",
        "omraden": list(p.omraden.all()),
        "typer": p.kinds(),
    }
