"""Every URL pattern × every role × GET/POST → the expected outcome.

The URL patterns are enumerated from the URLconf, so a new view fails this test until it has an
entry in EXPECTED below: one dict entry per URL name. Outcomes: 200 (page), LOGIN (redirect to
the login page), REDIRECT (another redirect, e.g. POST/redirect/GET), 403, 404, 405.

Adding a URL? Add `"namespace:name": ...` to EXPECTED (use the helpers `everyone`, `staff`
and `per_role`), and if it takes arguments, to KWARGS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.cast import ROLES
from tests.world import World, make_world

LOGIN = "login"
REDIRECT = "redirect"
Outcome = int | str
Expectation = dict[str, dict[str, Outcome]]

# Namespaces not enumerated, with why: the Django admin has its own table (ADMIN_MODELS,
# below), per model rather than per URL name.
SKIPPED_NAMESPACES = {"admin"}


def url_names() -> list[str]:
    """Every named URL pattern in the project, recursively (i18n patterns included)."""
    names: list[str] = []

    def walk(patterns: list[Any], namespace: str) -> Iterator[None]:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace or "") if x)
                if (p.namespace or "") in SKIPPED_NAMESPACES:
                    continue
                yield from walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern):
                assert p.name, f"The URL pattern {p.pattern} has no name: give it one."
                names.append(f"{namespace}:{p.name}" if namespace else p.name)
                yield None

    list(walk(get_resolver().url_patterns, ""))
    return sorted(set(names))


def everyone(get: Outcome, post: Outcome) -> Expectation:
    return {"GET": dict.fromkeys(ROLES, get), "POST": dict.fromkeys(ROLES, post)}


def staff(get: Outcome | dict[str, Outcome], post: Outcome | dict[str, Outcome]) -> Expectation:
    """Anonymous users are sent to login; logged-in roles get `get`/`post` (one or per role)."""

    def fill(value: Outcome | dict[str, Outcome]) -> dict[str, Outcome]:
        if isinstance(value, dict):
            return {"anonymous": LOGIN, **value}
        return {"anonymous": LOGIN, **{r: value for r in ROLES if r != "anonymous"}}

    return {"GET": fill(get), "POST": fill(post)}


def per_role(**outcomes: Outcome) -> dict[str, Outcome]:
    """Outcomes for the logged-in roles; every role must be named."""
    assert set(outcomes) == set(ROLES) - {"anonymous"}, set(ROLES) - set(outcomes)
    return outcomes


# Who may edit area A's follow-up in the open period: its ledartröja and fadder, KLG, admins.
EDITORS_OF_A = per_role(
    medarbetare=403,
    ledartroja_a=200,
    ledartroja_b=403,
    fadder_a=200,
    klg=200,
    moderator=403,
    admin=200,
)
# Moderation: moderators and admins everywhere; ledartröjor and fadder for their own area.
MODERATORS = per_role(
    medarbetare=403,
    ledartroja_a=200,
    ledartroja_b=200,
    fadder_a=200,
    klg=403,
    moderator=200,
    admin=200,
)

# Pages that only show something answer 405 to a POST (require_safe), so a stray or forged
# POST can never reach code written for GET.
EXPECTED: dict[str, Expectation] = {
    # Site-wide public pages
    "index": everyone(200, 405),
    "ordlista": everyone(200, 405),
    "personuppgifter": everyone(200, 405),
    "tillganglighet": everyone(200, 405),
    "sok": everyone(200, 405),
    # A new installation's set-up steps: administrators only (a page: POST is refused)
    "installation": {
        "GET": staff(
            per_role(
                medarbetare=403,
                ledartroja_a=403,
                ledartroja_b=403,
                fadder_a=403,
                klg=403,
                moderator=403,
                admin=200,
            ),
            405,
        )["GET"],
        "POST": everyone(405, 405)["POST"],
    },
    # Login and logout: a logged-in user is sent on from the login page; logout is POST only.
    "login": {
        "GET": {"anonymous": 200, **dict.fromkeys(ROLES[1:], REDIRECT)},
        "POST": {"anonymous": 200, **dict.fromkeys(ROLES[1:], REDIRECT)},
    },
    "logout": everyone(405, REDIRECT),
    # Single sign-on, OpenID Connect: not configured here, so not there (a GET only view).
    "konto:oidc_start": everyone(404, 405),
    "konto:oidc_callback": everyone(404, 405),
    # Single sign-on, SAML 2.0: not configured here either (tests/sso/saml configures it).
    "saml2_metadata": everyone(404, 405),
    "saml2_login": everyone(404, 405),
    "saml2_acs": everyone(404, 404),
    "saml2_ls": everyone(404, 404),
    # The workspace (issue 3)
    "arbetsyta:matris": {"GET": staff(200, 405)["GET"], "POST": everyone(405, 405)["POST"]},
    "arbetsyta:portfolj": {"GET": staff(200, 405)["GET"], "POST": everyone(405, 405)["POST"]},
    "arbetsyta:cell": {"GET": everyone(405, 405)["GET"], "POST": staff(405, EDITORS_OF_A)["POST"]},
    "arbetsyta:ny": {
        "GET": everyone(405, 405)["GET"],
        "POST": staff(405, {k: REDIRECT if v == 200 else v for k, v in EDITORS_OF_A.items()})[
            "POST"
        ],
    },
    "arbetsyta:uppfoljning": staff(200, EDITORS_OF_A),
    "arbetsyta:validera": {
        "GET": everyone(405, 405)["GET"],
        "POST": staff(405, {k: REDIRECT if v == 200 else v for k, v in EDITORS_OF_A.items()})[
            "POST"
        ],
    },
    # Areas and activities
    "omraden:detail": everyone(200, 405),
    "omraden:aktiviteter": everyone(200, 405),
    "omraden:aktivitet": everyone(200, 405),
    # Sign up (POST only; an empty form is shown again with its errors); cancel by token.
    "omraden:anmal": everyone(405, 200),
    "omraden:anmalan": everyone(200, REDIRECT),
    "omraden:aktivitet_uppfoljning": staff(EDITORS_OF_A, EDITORS_OF_A),
    # Resident input and its moderation
    "omraden:tyck_till": everyone(200, 200),
    "omraden:tyck_till_tack": everyone(200, 405),
    "omraden:moderering": {
        "GET": staff(MODERATORS, 405)["GET"],
        "POST": everyone(405, 405)["POST"],
    },
    # The input belongs to area A; an empty POST names no decision: 400.
    "omraden:moderera": staff(
        {**MODERATORS, "ledartroja_b": 403},
        {**{k: 400 if v == 200 else v for k, v in MODERATORS.items()}, "ledartroja_b": 403},
    ),
    "inspel_export": {"GET": staff(MODERATORS, 405)["GET"], "POST": everyone(405, 405)["POST"]},
    # Follow-up, assignments and reports (public)
    "uppfoljning:index": everyone(200, 405),
    "uppfoljning:period": everyone(200, 405),
    # The report as files: a closed period's for everyone (an open one's for staff only,
    # tests/uppfoljning/test_report_files.py)
    "uppfoljning:period_pdf": everyone(200, 405),
    "uppfoljning:period_docx": everyone(200, 405),
    "uppfoljning:uppdrag": everyone(200, 405),
    "uppfoljning:uppdrag_lista": everyone(200, 405),
    "uppfoljning:rapporter": everyone(200, 405),
    "uppfoljning:rapport": everyone(200, 405),
    # Indicators: public pages, and the staff pages for manual values
    "indikatorer:index": everyone(200, 405),
    "indikatorer:detail": everyone(200, 405),
    "indikatorer:workspace": {"GET": staff(200, 405)["GET"], "POST": everyone(405, 405)["POST"]},
    # Everyone on the staff reads; KLG and administrators enter manual values.
    "indikatorer:workspace_detail": staff(
        200,
        per_role(
            medarbetare=403,
            ledartroja_a=403,
            ledartroja_b=403,
            fadder_a=403,
            klg=200,
            moderator=403,
            admin=200,
        ),
    ),
    # Following areas by e-mail (prenumeration/): subscribe, and the personal links (a signed
    # token, no login). An empty POST shows the form's errors; confirming redirects to the
    # page that changes the choices; the one-click unsubscribe takes any POST (RFC 8058) and
    # redirects to a page saying so.
    "prenumeration:folj": everyone(200, 200),
    "prenumeration:tack": everyone(200, 405),
    "prenumeration:bekrafta": everyone(200, REDIRECT),
    "prenumeration:andra": everyone(200, 200),
    "prenumeration:avsluta": everyone(200, REDIRECT),
    "prenumeration:avslutad": everyone(200, 405),
    # Open data
    "open_data": everyone(200, 405),
    "open_data_csv": everyone(200, 405),
    "open_data_json": everyone(200, 405),
    "open_data_feed": everyone(200, 405),
    "open_data_ical": everyone(200, 405),
    "open_data_dcat": everyone(200, 405),
    "open_data_area_feed": everyone(200, 405),
    "open_data_area_ical": everyone(200, 405),
    # The municipality's colours and logo: public, read only
    "kommun:farger": everyone(200, 405),
    "kommun:logotyp": everyone(200, 405),
}

KWARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "arbetsyta:cell": lambda w: {
        "period_id": w.cast.period.pk,
        "kind": "omrade",
        "pk": w.cast.omrade_a.pk,
    },
    "arbetsyta:ny": lambda w: {
        "period_id": w.cast.period.pk,
        "kind": "omrade",
        "pk": w.cast.omrade_a.pk,
    },
    "arbetsyta:uppfoljning": lambda w: {"pk": w.uppf.pk},
    "arbetsyta:validera": lambda w: {"pk": w.uppf.pk},
    "omraden:detail": lambda w: {"slug": w.cast.omrade_a.slug},
    "omraden:aktivitet": lambda w: {"pk": w.aktivitet.pk},
    "omraden:anmal": lambda w: {"pk": w.aktivitet.pk},
    "omraden:anmalan": lambda w: {"token": w.anmalan.token},
    "omraden:aktivitet_uppfoljning": lambda w: {"pk": w.aktivitet.pk},
    "omraden:moderera": lambda w: {"pk": w.inspel.pk},
    "inspel_export": lambda w: {"fmt": "csv"},
    "prenumeration:bekrafta": lambda w: {"token": _prenumeration_token(w, confirm=True)},
    "prenumeration:andra": lambda w: {"token": _prenumeration_token(w)},
    "prenumeration:avsluta": lambda w: {"token": _prenumeration_token(w)},
    "uppfoljning:period": lambda w: {"slug": w.closed_period.slug},
    "uppfoljning:period_pdf": lambda w: {"slug": w.closed_period.slug},
    "uppfoljning:period_docx": lambda w: {"slug": w.closed_period.slug},
    "uppfoljning:uppdrag": lambda w: {"slug": w.cast.uppdrag.slug},
    "uppfoljning:rapport": lambda w: {"slug": w.rapport.slug},
    "indikatorer:detail": lambda w: {"slug": w.indikator.slug},
    "indikatorer:workspace_detail": lambda w: {"slug": w.indikator.slug},
    "open_data_csv": lambda w: {"slug": "omraden"},
    "open_data_json": lambda w: {"slug": "omraden"},
    "open_data_area_feed": lambda w: {"slug": w.cast.omrade_a.slug},
    "open_data_area_ical": lambda w: {"slug": w.cast.omrade_a.slug},
    "kommun:farger": lambda w: {"farg": "00507a"},
    "kommun:logotyp": lambda w: {"checksum": w.kommun.logotyp_hash, "ext": "png"},
}


def _prenumeration_token(w: World, *, confirm: bool = False) -> str:
    """A subscription's personal link (unconfirmed for the confirmation link), the same
    for every call in one world."""
    from prenumeration import links
    from tests.prenumeration.conftest import make_prenumeration

    key = f"prenumeration-{confirm}"
    if key not in w.extra:
        w.extra[key] = make_prenumeration(confirmed=not confirm)
    p = w.extra[key]
    return links.confirm_token(p) if confirm else links.token(p)


def outcome(response: Any) -> Outcome:
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith("/konto/logga-in/") else REDIRECT
    return response.status_code


@pytest.fixture
def world(db: None) -> World:
    return make_world()


@pytest.mark.parametrize("name", url_names())
def test_every_role_gets_the_expected_outcome(name: str, world: World) -> None:
    assert name in EXPECTED, (
        f"The URL '{name}' has no entry in EXPECTED in tests/portal/test_permission_matrix.py. "
        "Add one saying what each role gets on GET and POST (and its arguments to KWARGS)."
    )
    url = reverse(name, kwargs=KWARGS[name](world) if name in KWARGS else None)
    wrong = []
    for method in ("GET", "POST"):
        for i, role in enumerate(ROLES):
            # One address per request, so that rate limits on public forms do not kick in.
            client = Client(REMOTE_ADDR=f"10.{len(method)}.{i}.1")
            user = world.cast.users[role]
            if user is not None:
                client.force_login(user)
            response = client.get(url) if method == "GET" else client.post(url, {})
            got, want = outcome(response), EXPECTED[name][method][role]
            if got != want:
                wrong.append(f"{method} {url} as {role}: got {got}, expected {want}")
    assert not wrong, "\n".join(wrong)


def test_the_table_names_no_url_that_does_not_exist() -> None:
    assert sorted(set(EXPECTED) - set(url_names())) == []


# The Django admin, left out of the walk above: its index, and the list and the add page of
# every model registered in it, per role. The cast's administrator is a member of the
# administratör group only (no superuser, no is_staff): it gets what the group's permissions
# allow (portal/migrations/0007_administrator_permissions.py); every other role is sent to the
# admin's login. A model newly registered in the admin fails here until it is listed.
ADMIN_LOGIN = "admin login"
ADMIN_MODELS: dict[str, tuple[Outcome, Outcome]] = {
    # model: (list, add page) for the administrator
    "auth.user": (200, 200),
    "auth.group": (200, 403),  # roles are handed out on the user; groups are not edited
    "axes.accessattempt": (200, 403),  # deleting an attempt lifts a login lock
    "axes.accesslog": (403, 403),
    "axes.accessfailurelog": (403, 403),
    "omraden.person": (200, 200),
    "omraden.fas": (200, 200),
    "omraden.omrade": (200, 200),
    "omraden.ledartroja": (200, 200),
    "omraden.initiativ": (200, 200),
    "omraden.aktivitet": (200, 200),
    "omraden.inspel": (200, 403),  # moderated in the workspace
    "omraden.anmalan": (200, 403),  # made by residents
    "uppfoljning.period": (200, 200),
    "uppfoljning.uppdrag": (200, 200),
    "uppfoljning.uppfoljning": (200, 403),  # written in the workspace (version check, history)
    "uppfoljning.publicering": (200, 403),
    "uppfoljning.historik": (200, 403),
    "uppfoljning.paminnelse": (200, 403),
    "uppfoljning.indikator": (200, 200),
    "uppfoljning.matvarde": (200, 200),
    "uppfoljning.rapport": (200, 200),
    "portal.tillganglighetsredogorelse": (200, 200),
    "granskning.granskningslogg": (200, 403),
    "kommun.kommun": (REDIRECT, 403),  # one record: the list leads to it; no second one
    "konto.gruppmappning": (200, 200),  # which directory group gives which role
    "konto.katalogkonto": (200, 403),  # written by the sign-in
    "utskick.utskick": (200, 403),  # queued by the portal; "send again" is a list action
    "django_tasks_database.dbtaskresult": (403, 403),  # the worker's own bookkeeping
}


def admin_models() -> list[str]:
    from django.apps import apps
    from django.contrib import admin

    return sorted(m._meta.label_lower for m in apps.get_models() if admin.site.is_registered(m))


def admin_outcome(response: Any) -> Outcome:
    if response.status_code == 302 and response["Location"].startswith("/admin/login/"):
        return ADMIN_LOGIN
    return outcome(response)


def test_the_admin_table_names_every_model_in_the_admin() -> None:
    assert sorted(ADMIN_MODELS) == admin_models(), (
        "Say in ADMIN_MODELS what the administrator gets for each model in the admin (and "
        "grant the administratör group its permissions in a migration)."
    )


def test_only_the_administrator_reaches_the_admin_index(world: World) -> None:
    wrong = []
    for role in ROLES:
        client = Client()
        if world.cast.users[role] is not None:
            client.force_login(world.cast.users[role])
        got = admin_outcome(client.get("/admin/"))
        want = 200 if role == "admin" else ADMIN_LOGIN
        if got != want:
            wrong.append(f"GET /admin/ as {role}: got {got}, expected {want}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("model", sorted(ADMIN_MODELS))
def test_every_role_gets_the_expected_outcome_in_the_admin(model: str, world: World) -> None:
    app_label, model_name = model.split(".")
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    add = reverse(f"admin:{app_label}_{model_name}_add")
    wrong = []
    for role in ROLES:
        client = Client()
        if world.cast.users[role] is not None:
            client.force_login(world.cast.users[role])
        want_list, want_add = ADMIN_MODELS[model] if role == "admin" else (ADMIN_LOGIN,) * 2
        # An empty POST to the add page is shown again with its errors (200) and saves nothing.
        for method, url, want in [
            ("GET", changelist, want_list),
            ("GET", add, want_add),
            ("POST", add, want_add),
        ]:
            response = client.get(url) if method == "GET" else client.post(url, {})
            if (got := admin_outcome(response)) != want:
                wrong.append(f"{method} {url} as {role}: got {got}, expected {want}")
    assert not wrong, "\n".join(wrong)
