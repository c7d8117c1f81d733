"""The sign-off: utkast → klar för beslut → godkänd av fadder → publicerad (now or from a date).

Who may take each step (portal.roles), what each step writes (history with its comment, the
audit log), who is e-mailed (uppfoljning.notify), and withdrawing a scheduled publication.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from granskning.models import Granskningslogg
from portal.viewer import Viewer
from tests.cast import Cast
from tests.conftest import make_user, sign_off
from uppfoljning import services
from uppfoljning.models import Historik, Publicering, Uppfoljning

H = Historik.Handling
A = Granskningslogg.Handling


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _url(uppf: Uppfoljning) -> str:
    # The Swedish address, also after a request under /en/ (which activates English).
    with translation.override("sv"):
        return reverse("arbetsyta:uppfoljning", args=[uppf.pk])


def _fresh(uppf: Uppfoljning) -> Uppfoljning:
    return Uppfoljning.objects.select_related("period").get(pk=uppf.pk)


@pytest.fixture
def draft(cast: Cast) -> Uppfoljning:
    """Area A's follow-up with a green status and a summary, as its ledartröja wrote it."""
    uppf, _ = services.uppfoljning_get_or_create(
        period=cast.period, omrade=cast.omrade_a, by=cast.users["ledartroja_a"]
    )
    return services.uppfoljning_save(
        uppfoljning=uppf,
        version=uppf.version,
        changes={"status": "gron", "sammanfattning": "Första versionen"},
        by=cast.users["ledartroja_a"],
    )


def _ready(cast: Cast, uppf: Uppfoljning) -> Uppfoljning:
    return services.uppfoljning_mark_ready(
        uppfoljning=uppf, version=uppf.version, by=cast.users["ledartroja_a"]
    )


def _approved(cast: Cast, uppf: Uppfoljning) -> Uppfoljning:
    return sign_off(uppf, by=cast.users["ledartroja_a"], approver=cast.users["fadder_a"])


# Who may take each step. The state is brought to where the step starts; then each role tries.

Prepare = Callable[[Cast, Uppfoljning], Uppfoljning]


def _scheduled(cast: Cast, uppf: Uppfoljning) -> Uppfoljning:
    uppf = _approved(cast, uppf)
    services.uppfoljning_publish(
        uppfoljning=uppf,
        version=uppf.version,
        by=cast.users["klg"],
        at=timezone.now() + dt.timedelta(days=5),
    )
    return _fresh(uppf)


STEPS: dict[str, tuple[Prepare, Callable[..., Any], set[str]]] = {
    "mark_ready": (
        lambda cast, u: u,
        lambda u, by: services.uppfoljning_mark_ready(uppfoljning=u, version=u.version, by=by),
        {"ledartroja_a", "fadder_a", "klg", "admin"},
    ),
    "approve": (
        _ready,
        lambda u, by: services.uppfoljning_approve(uppfoljning=u, version=u.version, by=by),
        {"fadder_a", "klg"},
    ),
    "publish": (
        _approved,
        lambda u, by: services.uppfoljning_publish(uppfoljning=u, version=u.version, by=by),
        {"klg"},
    ),
    "send_back": (
        _ready,
        lambda u, by: services.uppfoljning_send_back(
            uppfoljning=u, version=u.version, by=by, kommentar="Skriv om"
        ),
        {"fadder_a", "klg"},
    ),
    "withdraw": (
        _scheduled,
        lambda u, by: services.uppfoljning_withdraw(
            uppfoljning=u, version=u.version, by=by, kommentar="Fel datum"
        ),
        {"klg"},
    ),
}
ROLES = ["medarbetare", "ledartroja_a", "ledartroja_b", "fadder_a", "klg", "moderator", "admin"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", list(STEPS))
def test_each_step_is_taken_only_by_those_roles_allow(
    cast: Cast, draft: Uppfoljning, step: str, role: str
) -> None:
    prepare, take, allowed = STEPS[step]
    uppf = _fresh(prepare(cast, draft))
    before = (uppf.version, Historik.objects.count())
    if role in allowed:
        take(uppf, cast.users[role])
        assert _fresh(uppf).version == before[0] + 1
    else:
        with pytest.raises(PermissionDenied):
            take(uppf, cast.users[role])
        assert (_fresh(uppf).version, Historik.objects.count()) == before


def test_the_whole_cycle_through_the_page(cast: Cast, draft: Uppfoljning) -> None:
    def post(role: str, handling: str, **data: str) -> int:
        uppf = _fresh(draft)
        fields = {"version": str(uppf.version), "handling": handling, "kommentar": "", **data}
        if handling == "klar":
            fields |= {"status": uppf.status, "sammanfattning": uppf.sammanfattning}
            fields |= {"orsak": "", "atgarder": "", "intern_anteckning": ""}
        return _client(cast.users[role]).post(_url(uppf), fields).status_code

    assert post("medarbetare", "klar") == 403
    assert post("ledartroja_a", "klar") == 302
    assert post("ledartroja_a", "godkann") == 403
    assert post("fadder_a", "godkann", kommentar="Bra skrivet") == 302
    assert post("fadder_a", "publicera") == 403
    assert post("ledartroja_a", "publicera") == 403
    assert post("klg", "publicera") == 302
    uppf = _fresh(draft)
    assert uppf.tillstand == Uppfoljning.Tillstand.PUBLICERAD
    history = list(Historik.objects.filter(uppfoljning=uppf).values_list("handling", "kommentar"))
    assert history == [
        (H.SKAPAD, ""),
        (H.ANDRAD, ""),
        (H.KLAR, ""),
        (H.GODKAND, "Bra skrivet"),
        (H.PUBLICERAD, ""),
    ]
    audited = Granskningslogg.objects.filter(
        objekt_typ="uppfoljning.uppfoljning", objekt_id=str(uppf.pk)
    ).order_by("pk")
    assert [(e.handling, e.av.username) for e in audited] == [
        (A.KLARMARKERING, "ledartroja_a"),
        (A.GODKANNANDE, "fadder_a"),
        (A.PUBLICERING, "klg"),
    ]
    assert audited[1].detalj["kommentar"] == "Bra skrivet"
    assert Publicering.objects.visible_to(Viewer.resident()).get().sammanfattning == (
        "Första versionen"
    )


def test_the_page_shows_the_steps_taken_and_the_buttons_allowed(
    cast: Cast, draft: Uppfoljning
) -> None:
    uppf = _ready(cast, draft)
    html = _client(cast.users["fadder_a"]).get(_url(uppf)).content.decode()
    assert 'aria-current="step"' in html
    assert 'value="godkann"' in html and 'value="tillbaka"' in html
    assert 'value="publicera"' not in html and 'value="aterkalla"' not in html
    # The ledartröja waits: no step after "ready" is theirs.
    html = _client(cast.users["ledartroja_a"]).get(_url(uppf)).content.decode()
    assert 'value="godkann"' not in html and 'value="tillbaka"' not in html
    assert 'value="klar"' not in html  # already ready
    # The history names who marked it ready.
    assert "Ledartröja ledartroja_a" in html


def test_publishing_a_follow_up_that_is_not_approved_is_refused_with_the_reason(
    cast: Cast, draft: Uppfoljning
) -> None:
    for uppf in (draft, _ready(cast, draft)):
        with pytest.raises(ValidationError) as info:
            services.uppfoljning_publish(
                uppfoljning=uppf, version=uppf.version, by=cast.users["klg"]
            )
        assert "faddern har godkänt" in str(info.value)
    assert not Publicering.objects.exists()


def test_a_change_to_an_approved_follow_up_makes_it_a_draft_again(
    cast: Cast, draft: Uppfoljning
) -> None:
    uppf = _approved(cast, draft)
    uppf = services.uppfoljning_save(
        uppfoljning=uppf,
        version=uppf.version,
        changes={"sammanfattning": "Ändrad efter godkännandet"},
        by=cast.users["klg"],
    )
    assert uppf.tillstand == Uppfoljning.Tillstand.UTKAST
    with pytest.raises(ValidationError):
        services.uppfoljning_publish(uppfoljning=uppf, version=uppf.version, by=cast.users["klg"])


# Sending back


def test_sending_back_needs_a_comment_and_writes_nothing_without_one(
    cast: Cast, draft: Uppfoljning
) -> None:
    uppf = _ready(cast, draft)
    before = (uppf.version, Historik.objects.count())
    r = _client(cast.users["fadder_a"]).post(
        f"/en{_url(uppf)}", {"version": uppf.version, "handling": "tillbaka", "kommentar": "  "}
    )
    assert r.status_code == 200
    assert "Write a comment" in r.content.decode()
    assert (_fresh(uppf).version, Historik.objects.count()) == before
    assert _fresh(uppf).tillstand == Uppfoljning.Tillstand.KLAR


@pytest.mark.parametrize("start", ["klar", "godkand"])
def test_sending_back_with_a_comment_makes_a_draft_and_tells_the_writers(
    cast: Cast,
    draft: Uppfoljning,
    start: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    uppf = _ready(cast, draft) if start == "klar" else _approved(cast, draft)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = _client(cast.users["fadder_a"]).post(
            _url(uppf),
            {"version": uppf.version, "handling": "tillbaka", "kommentar": "Orsaken saknas."},
        )
    assert r.status_code == 302
    uppf = _fresh(uppf)
    assert uppf.tillstand == Uppfoljning.Tillstand.UTKAST
    row = Historik.objects.filter(uppfoljning=uppf).last()
    assert (row.handling, row.kommentar, row.av) == (
        H.TILLBAKA,
        "Orsaken saknas.",
        cast.users["fadder_a"],
    )
    assert (
        Granskningslogg.objects.filter(handling=A.TILLBAKASKICKAD).get().detalj["kommentar"]
        == "Orsaken saknas."
    )
    # The ledartröja (who also marked it ready): one e-mail, with the comment; not the fadder.
    assert [m.to for m in mail.outbox] == [["ledartroja_a@tyreso.se"]]
    assert "Orsaken saknas." in mail.outbox[0].body
    assert cast.omrade_a.kortnamn in mail.outbox[0].subject
    assert f"/arbetsyta/uppfoljning/{uppf.pk}/" in mail.outbox[0].body
    # The history on the page shows the comment.
    html = _client(cast.users["ledartroja_a"]).get(_url(uppf)).content.decode()
    assert "Orsaken saknas." in html


def test_a_draft_cannot_be_sent_back(cast: Cast, draft: Uppfoljning) -> None:
    with pytest.raises(ValidationError):
        services.uppfoljning_send_back(
            uppfoljning=draft, version=draft.version, by=cast.users["klg"], kommentar="Nej"
        )


# Scheduled publications


def test_a_scheduled_publication_shows_as_scheduled_to_staff(
    cast: Cast, draft: Uppfoljning
) -> None:
    uppf = _approved(cast, draft)
    at = timezone.make_aware(dt.datetime(cast.period.ar, 12, 20))
    r = _client(cast.users["klg"]).post(
        f"/en{_url(uppf)}",
        {"version": uppf.version, "handling": "publicera", "publicera_fran": at.date().isoformat()},
    )
    assert r.status_code == 302
    expected = f"Scheduled: published 20 December {cast.period.ar}"
    page = _client(cast.users["klg"]).get(f"/en{_url(uppf)}").content.decode()
    # The state, the public version and the history.
    assert page.count(expected) >= 3
    assert f"scheduled it: to be published 20 December {cast.period.ar}" in page
    matrix = _client(cast.users["klg"]).get("/en/arbetsyta/").content.decode()
    cell = matrix.split(f'id="omrade-{cast.omrade_a.pk}"')[1].split("</article>")[0]
    assert expected in cell
    assert "Published" not in cell.split('class="state"')[1].split("</span>")[0]
    assert not Publicering.objects.visible_to(Viewer.resident()).exists()


def _publish_then_schedule(cast: Cast, draft: Uppfoljning) -> tuple[Uppfoljning, dt.datetime]:
    """Version 1 public since yesterday; version 2 approved and scheduled in five days."""
    uppf = _approved(cast, draft)
    services.uppfoljning_publish(uppfoljning=uppf, version=uppf.version, by=cast.users["klg"])
    uppf = services.uppfoljning_save(
        uppfoljning=_fresh(uppf),
        version=uppf.version,
        changes={"sammanfattning": "Andra versionen"},
        by=cast.users["ledartroja_a"],
    )
    uppf = _approved(cast, uppf)
    at = timezone.now() + dt.timedelta(days=5)
    services.uppfoljning_publish(
        uppfoljning=uppf, version=uppf.version, by=cast.users["klg"], at=at
    )
    return _fresh(uppf), at


def test_withdrawing_a_scheduled_publication_puts_the_previous_version_back_in_force(
    cast: Cast, draft: Uppfoljning, django_capture_on_commit_callbacks: Any
) -> None:
    uppf, at = _publish_then_schedule(cast, draft)
    first = Publicering.objects.get(sammanfattning="Första versionen")
    assert (
        first.ersatt_at == Publicering.objects.get(sammanfattning="Andra versionen").publicerad_at
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = _client(cast.users["klg"]).post(
            _url(uppf), {"version": uppf.version, "handling": "aterkalla", "kommentar": "Vänta"}
        )
    assert r.status_code == 302
    uppf = _fresh(uppf)
    # Still approved (the content is the approved one): KLG may publish it again later.
    assert (uppf.tillstand, uppf.publicera_fran) == (Uppfoljning.Tillstand.GODKAND, None)
    assert list(Publicering.objects.values_list("sammanfattning", flat=True)) == [
        "Första versionen"
    ]
    first.refresh_from_db()
    assert first.ersatt_at is None
    later = Viewer.resident(now=at + dt.timedelta(days=1))
    assert Publicering.objects.current(later).get().pk == first.pk
    row = Historik.objects.filter(uppfoljning=uppf).last()
    assert (row.handling, row.kommentar) == (H.ATERKALLAD, "Vänta")
    entry = Granskningslogg.objects.get(handling=A.ATERKALLAD)
    assert entry.detalj["kommentar"] == "Vänta" and len(entry.detalj["publicerad_at"]) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["ledartroja_a@tyreso.se"]
    assert "Vänta" in mail.outbox[0].body


def test_withdraw_and_send_back_makes_it_a_draft(cast: Cast, draft: Uppfoljning) -> None:
    uppf, _at = _publish_then_schedule(cast, draft)
    uppf = services.uppfoljning_send_back(
        uppfoljning=uppf, version=uppf.version, by=cast.users["klg"], kommentar="Skriv om"
    )
    assert uppf.tillstand == Uppfoljning.Tillstand.UTKAST
    assert Publicering.objects.count() == 1
    row = Historik.objects.filter(uppfoljning=uppf).last()
    assert (row.handling, row.efter["tillstand"]) == (H.ATERKALLAD, "utkast")


def test_nothing_to_withdraw_once_it_is_public(cast: Cast, draft: Uppfoljning) -> None:
    uppf = _approved(cast, draft)
    services.uppfoljning_publish(uppfoljning=uppf, version=uppf.version, by=cast.users["klg"])
    uppf = _fresh(uppf)
    with pytest.raises(ValidationError):
        services.uppfoljning_withdraw(
            uppfoljning=uppf, version=uppf.version, by=cast.users["klg"], kommentar="För sent"
        )
    assert Publicering.objects.count() == 1


def test_residents_get_the_right_page_from_the_cache_after_a_withdrawal(
    cast: Cast, draft: Uppfoljning, monkeypatch: pytest.MonkeyPatch
) -> None:
    uppf, at = _publish_then_schedule(cast, draft)
    resident = Client()
    url = cast.omrade_a.get_absolute_url()
    assert "Första versionen" in resident.get(url).content.decode()
    assert resident.get(url).headers.get("X-Public-Cache") == "hit"
    services.uppfoljning_withdraw(
        uppfoljning=uppf, version=uppf.version, by=cast.users["klg"], kommentar="Vänta"
    )
    html = resident.get(url).content.decode()
    assert "Första versionen" in html and "Andra versionen" not in html
    # After the withdrawn date the cache is renewed (its schedule knew that moment) and the
    # first version is still the one residents see.
    after = at + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: after)
    html = resident.get(url).content.decode()
    assert "Första versionen" in html and "Andra versionen" not in html


# E-mail to whoever acts next


def test_marked_ready_mails_the_fadder(
    cast: Cast, draft: Uppfoljning, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _ready(cast, draft)
    assert [m.to for m in mail.outbox] == [["fadder_a@tyreso.se"]]
    message = mail.outbox[0]
    assert cast.omrade_a.kortnamn in message.subject and str(cast.period) in message.subject
    assert "Ledartröja ledartroja_a" in message.body
    assert f"{settings.SITE_URL.rstrip('/')}/arbetsyta/uppfoljning/{draft.pk}/" in message.body


def test_a_refused_step_mails_nobody(
    cast: Cast, draft: Uppfoljning, django_capture_on_commit_callbacks: Any
) -> None:
    # Saving and marking ready is one step on the page: a refusal rolls both back.
    with django_capture_on_commit_callbacks(execute=True):
        r = _client(cast.users["ledartroja_a"]).post(
            _url(draft),
            {
                "version": draft.version,
                "handling": "klar",
                "status": "rod",
                "sammanfattning": "x",
                "orsak": "",
                "atgarder": "",
                "intern_anteckning": "",
            },
        )
    assert r.status_code == 200
    assert mail.outbox == []


def test_without_a_fadder_login_kommunledningsgruppen_is_mailed(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    # Area B's fadder has no login; the assignment has no fadder at all.
    second_klg = make_user("klg2", groups=("kommunledningsgruppen",))
    for kind, subject in (("omrade", cast.omrade_b), ("uppdrag", cast.uppdrag)):
        uppf, _ = services.uppfoljning_get_or_create(
            period=cast.period, **{kind: subject}, by=cast.users["klg"]
        )
        uppf = services.uppfoljning_save(
            uppfoljning=uppf, version=uppf.version, changes={"status": "gron"}, by=cast.users["klg"]
        )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.uppfoljning_mark_ready(
                uppfoljning=uppf, version=uppf.version, by=cast.users["admin"]
            )
        assert sorted(m.to[0] for m in mail.outbox) == ["klg2@tyreso.se", "klg@tyreso.se"]
    assert second_klg.pk


def test_approved_mails_kommunledningsgruppen_not_the_approver(
    cast: Cast, draft: Uppfoljning, django_capture_on_commit_callbacks: Any
) -> None:
    uppf = _ready(cast, draft)
    with django_capture_on_commit_callbacks(execute=True):
        services.uppfoljning_approve(
            uppfoljning=uppf, version=uppf.version, by=cast.users["fadder_a"], kommentar="OK!"
        )
    assert [m.to for m in mail.outbox] == [["klg@tyreso.se"]]
    assert "OK!" in mail.outbox[0].body


def test_people_without_an_address_are_skipped_and_logged(
    cast: Cast, draft: Uppfoljning, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    cast.users["fadder_a"].email = ""
    cast.users["fadder_a"].save()
    with caplog.at_level(logging.INFO, logger="uppfoljning.notify"):
        with django_capture_on_commit_callbacks(execute=True):
            _ready(cast, draft)
    assert mail.outbox == []
    assert "No e-mail address for Fadder 1" in caplog.text


def test_the_person_address_comes_before_the_login_address(
    cast: Cast, draft: Uppfoljning, django_capture_on_commit_callbacks: Any
) -> None:
    fadder = cast.users["fadder_a"].person
    fadder.epost = "fadder.a@example.se"
    fadder.save()
    with django_capture_on_commit_callbacks(execute=True):
        _ready(cast, draft)
    assert [m.to for m in mail.outbox] == [["fadder.a@example.se"]]


def test_a_step_from_an_old_version_is_refused_and_says_who_came_first(
    cast: Cast, draft: Uppfoljning
) -> None:
    uppf = _ready(cast, draft)
    seen = uppf.version  # KLG opens the page; meanwhile the fadder approves.
    services.uppfoljning_approve(uppfoljning=uppf, version=seen, by=cast.users["fadder_a"])
    r = _client(cast.users["klg"]).post(
        _url(uppf), {"version": seen, "handling": "tillbaka", "kommentar": "Skriv om"}
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "Inte sparat" in html and "Fadder 1" in html
    assert "Skriv om" in html  # the comment is kept
    assert _fresh(uppf).tillstand == Uppfoljning.Tillstand.GODKAND
    assert not Historik.objects.filter(handling=H.TILLBAKA).exists()


BAD_STEP_POSTS = [
    {},
    {"version": "abc"},
    {"version": "0"},
    {"version": "99999999999999999999999"},
    {"kommentar": "x\x00y"},
    {"kommentar": "x" * 5000},
    {"publicera_fran": "2000-01-01"},
    {"publicera_fran": "inte ett datum"},
]


@pytest.mark.parametrize("handling", ["godkann", "publicera", "tillbaka", "aterkalla"])
@pytest.mark.parametrize("bad", BAD_STEP_POSTS)
def test_a_spoilt_step_is_refused_and_writes_nothing(
    cast: Cast, draft: Uppfoljning, handling: str, bad: dict[str, str]
) -> None:
    uppf = _ready(cast, draft)
    before = (uppf.version, Historik.objects.count(), Publicering.objects.count())
    data = {"version": str(uppf.version), "handling": handling, "kommentar": "Ok", **bad}
    if not bad:
        del data["version"]
    r = _client(cast.users["klg"]).post(_url(uppf), data)
    assert r.status_code in (200, 403)
    assert (_fresh(uppf).version, Historik.objects.count(), Publicering.objects.count()) == before
