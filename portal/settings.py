"""Settings for Kommungemensamt.

One module; production behaviour is switched by environment variables (see README.md).
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from portal.lib.env import cache_config, env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)


def _secret_key() -> str:
    key = env_secret("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: a key generated once per checkout, kept out of git (.gitignore).
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django's admin, open to the administratör role too (portal/admin_site.py).
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "portal",
    "kommun",
    "omraden",
    "uppfoljning",
    "granskning",
    "sok",
    "oppna_data",
    "backup",
    "datasets",
    "konto",
    "prenumeration",
    # The outbox (every e-mail, sent by a worker) and the tasks backend storing its tasks.
    "utskick",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Answers cached public pages before the rest of the stack runs (portal/page_cache.py).
    "portal.page_cache.PublicCacheMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # NUL in the path, a query parameter or a cookie: 400, in the page's language, before any
    # view puts it into a query (portal/middleware.py).
    "portal.middleware.BadInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Lets the audit log name who changed a role in the admin (granskning/signals.py).
    "granskning.middleware.CurrentRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A lost database connection in a view becomes a Swedish 503 page (see portal/middleware.py).
    "portal.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # {% csrf_token %}'s token, noted so that the page cache can cache the page.
                "portal.context_processors.csrf",
                "portal.context_processors.language_links",
                "portal.context_processors.site_urls",
                "kommun.context_processors.kommun",
            ],
        },
    },
]

# SQLite in the project folder is the embedded default; production sets DATABASE_URL.
# With DEBUG off a connection is kept for a minute (a new one per request cost PostgreSQL a
# fork and authentication each time); the health check run before a kept connection is
# reused replaces one lost to a database restart. DB_CONN_MAX_AGE=0 closes after each request.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_PREPARED_STATEMENTS", True
):
    # Planning, not running, is most of PostgreSQL's work for this portal's short queries
    # (0.5–1.4 ms to plan a five-table join that then runs in 0.2 ms). Server-side binding
    # lets psycopg prepare each query text once per connection (after `DB_PREPARE_THRESHOLD`
    # runs) and PostgreSQL reuse its plan: the generic plan is forced, because with `auto`
    # PostgreSQL kept re-planning every run. Queries whose best plan depends on the values
    # (full-text search) run with their values in the text instead (portal/lib/db.py).
    # Not for a transaction-pooling proxy (PgBouncer in transaction mode): set
    # DB_PREPARED_STATEMENTS=0 there. docs/performance.md has the figures.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "server_side_binding": True,
            "prepare_threshold": env_int("DB_PREPARE_THRESHOLD", 2),
            "options": "-c plan_cache_mode=force_generic_plan",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE avoids
    # "database is locked" upgrades in the middle of a write transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Production: CACHE_URL=redis://… (shared by every node). Without it, files in .django_cache/,
# which every process on this machine shares (runserver, a management command, a second
# server), so a write from any of them shows on the very next request.
CACHES = {"default": cache_config(env_str("CACHE_URL", f"file://{BASE_DIR / '.django_cache'}"))}
# Sessions live in the database, never in the cache: a Redis outage must not log staff out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Whole public pages for anonymous visitors, invalidated on every public write
# (portal/page_cache.py); with the cache unreachable, pages are rendered from the database.
# PUBLIC_CACHE=0 switches it off (the benchmark measures both ways). Every process that
# serves must see the same cache (Redis or the file cache), never a per-process locmem://.
PUBLIC_CACHE = env_bool("PUBLIC_CACHE", True)
PUBLIC_CACHE_TIMEOUT = env_int("PUBLIC_CACHE_TIMEOUT", 3600)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "arbetsyta:matris"
LOGOUT_REDIRECT_URL = "index"

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed attempts for one account
# from one address, that account is refused from that address (a colleague behind the same
# NAT, with an own account, still logs in); after AXES_ADDRESS_FAILURE_LIMIT failures from one
# address, over all accounts, that address is refused (portal/lockout.py). Both unlock by
# themselves AXES_COOLOFF_TIME after the last failure. Counted in the database, so every app
# process sees the same count and a Redis outage changes nothing.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 50)
AXES_HANDLER = "portal.lockout.AxesHandler"
# A refused attempt during a lockout is not counted: a colleague who tries while the office's
# address is locked does not lock their own account too, nor keep the address locked longer.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = env_bool("AXES_VERBOSE", False)
# Behind N reverse proxies, set AXES_PROXY_COUNT=N so that the client address is counted.
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0) or None

# Reminders (`manage.py paminn`): how many days before a period's deadline the ledartröjor
# and fadder of an area with an unpublished follow-up get an e-mail.
PAMINNELSE_DAGAR = env_int("PAMINNELSE_DAGAR", 7)

# A new year's periods (admin: Perioder → "Skapa ett års perioder"; `manage.py skapa_ar`): the
# default reporting deadline of T1, T2 and ÅR as MM-DD, changeable per period afterwards. T1
# (Jan–Apr) and T2 (May–Aug) two weeks after the tertial's books close; ÅR in the following year,
# once the annual accounts are closed. PERIOD_DEADLINES=05-15,09-15,02-15 sets all three.
PERIOD_DEADLINES = env_list("PERIOD_DEADLINES", ["05-15", "09-15", "02-15"])
try:
    # A year without 29 February, so that every year has each date.
    if len(PERIOD_DEADLINES) != 3:
        raise ValueError
    for _month_day in PERIOD_DEADLINES:
        dt.date.fromisoformat(f"2001-{_month_day}")
except ValueError:
    raise ImproperlyConfigured(
        "PERIOD_DEADLINES must be three dates as MM-DD (T1, T2, ÅR), e.g. 05-15,09-15,02-15."
    ) from None

# Swedish first; English through the language switch.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic's target; the benchmark points it at a temporary folder.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# In development whitenoise serves straight from the finders, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# E-mail through Django 6.1's MAILERS. Development prints mail to the console; production
# sets EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the EMAIL_* variables.
_email_backend = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _email_backend,
        "OPTIONS": (
            {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_secret("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                # A hung server must not outlast the outbox's claim (UTSKICK_LEASE).
                "timeout": env_int("EMAIL_TIMEOUT", 30),
            }
            if _email_backend.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
# Production sets its own (the municipality's domain); the default names no real one.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kommungemensamt@localhost")

# Tasks and e-mail (utskick/, docs/deploy.md "E-mail and the worker") ----------------------------
# Every e-mail goes into the outbox (utskick.queue) in the transaction that causes it and is sent
# by a task of Django's tasks framework. Production: the database backend (django-tasks-db) and
# its worker, `manage.py db_worker`. Development and tests: the immediate backend, which sends
# at commit in the process that queued (no worker to run). TASKS_BACKEND switches.
TASKS = {
    "default": {
        "BACKEND": env_str(
            "TASKS_BACKEND",
            "django.tasks.backends.immediate.ImmediateBackend"
            if DEBUG
            else "django_tasks_db.DatabaseBackend",
        ),
    }
}
# E-mails per minute, shared by all workers (0: no limit).
UTSKICK_PER_MINUT = env_int("UTSKICK_PER_MINUT", 0 if DEBUG else 600)
# A failed attempt is retried after this many seconds, doubled per attempt (at most an hour);
# after UTSKICK_MAX_FORSOK attempts the mail server's refusals are final.
UTSKICK_BACKOFF = env_int("UTSKICK_BACKOFF", 60)
UTSKICK_MAX_FORSOK = env_int("UTSKICK_MAX_FORSOK", 8)
# A claim older than this (seconds) belongs to a worker that died: sent again (at least once)
# with the same Message-ID, or, with UTSKICK_SKICKA_OM_OSAKRA=0, left for a person.
UTSKICK_LEASE = env_int("UTSKICK_LEASE", 300)
UTSKICK_SKICKA_OM_OSAKRA = env_bool("UTSKICK_SKICKA_OM_OSAKRA", True)
# Rows one task sends before it hands over to a new one, and tasks started for a large batch.
UTSKICK_PER_UPPGIFT = env_int("UTSKICK_PER_UPPGIFT", 200)
UTSKICK_PARALLELLA = env_int("UTSKICK_PARALLELLA", 2)
# End of tasks and e-mail ---------------------------------------------------------------------

# Security headers. Strict in every mode; HTTPS-only parts switch on when DEBUG is off.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Single sign-on -------------------------------------------------------------------------------
# Staff sign in with the municipality's accounts (docs/sso.md): OpenID Connect (konto/oidc.py)
# and SAML 2.0 (konto/saml*.py); roles come from the directory through the group mappings in
# the admin (konto/directory.py). A provider is offered when its client id is set.
#
# Local passwords: LOCAL_LOGIN=alla (everyone, the default), nodkonto (only the break-glass
# accounts named in LOCAL_LOGIN_USERS) or av (nobody). Refused server-side, the admin's login
# included, and sessions opened with a password end when it is switched off for the account.
LOCAL_LOGIN = env_str("LOCAL_LOGIN", "alla")
if LOCAL_LOGIN not in {"alla", "nodkonto", "av"}:
    raise ImproperlyConfigured("LOCAL_LOGIN must be alla, nodkonto or av.")
LOCAL_LOGIN_USERS = env_list("LOCAL_LOGIN_USERS", [])
# How long a login lasts, in seconds (Django's default: two weeks). A sign-in through a
# provider lasts as long; the provider's own session may be shorter or longer.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600)
# Replaces the list above: passwords through LOCAL_LOGIN's rule, then the providers.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "konto.backends.LocalPasswordBackend",
]
# The login page's provider buttons and each provider's logout, by the session's backend.
SSO_LOGIN_PROVIDERS = ["konto.oidc.login_provider"]
SSO_LOGOUT = {"konto.oidc.DirectoryOIDCBackend": "konto.oidc.logout"}

# OpenID Connect (mozilla-django-oidc): authorization code flow with PKCE (S256), state and
# nonce; ID tokens signed with RS256 and checked against the provider's JWKS, its issuer and
# our client id as audience. Endpoints as the provider's discovery document names them.
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_secret("OIDC_CLIENT_SECRET")
OIDC_ISSUER = env_str("OIDC_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_TOKEN_ENDPOINT", "")
# Optional: claims are read from the ID token; the userinfo endpoint adds to them when set.
OIDC_OP_USER_ENDPOINT = env_str("OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_JWKS_URI", "")
# Optional: the provider's logout (RP-initiated logout with id_token_hint).
OIDC_OP_END_SESSION_ENDPOINT = env_str("OIDC_END_SESSION_ENDPOINT", "")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
OIDC_USERNAME_CLAIM = env_str("OIDC_USERNAME_CLAIM", "preferred_username")
# The button's words: "Logga in med kommunens konto (<OIDC_PROVIDER_NAME>)".
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "Microsoft Entra ID")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
# Seconds of clock difference allowed between the provider and this server (exp, iat).
OIDC_CLOCK_SKEW = env_int("OIDC_CLOCK_SKEW", 60)
OIDC_AUTHENTICATION_CALLBACK_URL = "konto:oidc_callback"
LOGIN_REDIRECT_URL_FAILURE = "login"
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.append("konto.oidc.DirectoryOIDCBackend")
if OIDC_OP_END_SESSION_ENDPOINT:
    # The logout form's POST ends in a redirect to the provider: form-action must allow it.
    _end_session = urlsplit(OIDC_OP_END_SESSION_ENDPOINT)
    SECURE_CSP["form-action"].append(f"{_end_session.scheme}://{_end_session.netloc}")

# SAML ------------------------------------------------------------------------------------------
# SAML 2.0 (djangosaml2 on pysaml2, which needs Debian's xmlsec1): offered when the IdP's
# metadata is given, by URL (SAML_IDP_METADATA_URL, fetched again hourly; with
# SAML_IDP_METADATA_CERT only metadata signed by that certificate is read, as federations
# publish it) or as a file. konto/saml.py builds pysaml2's configuration from these: the IdP
# must sign its assertions; audience, destination, recipient and validity are checked, with
# SAML_CLOCK_SKEW_SECONDS of clock difference allowed; only answers to a request this browser
# started are taken, each once. docs/sso.md says what to give the IdP.
SAML_IDP_METADATA_URL = env_str("SAML_IDP_METADATA_URL", "")
SAML_IDP_METADATA_CERT = env_str("SAML_IDP_METADATA_CERT", "")
SAML_IDP_METADATA_FILE = env_str("SAML_IDP_METADATA_FILE", "")
# Required when the metadata lists several IdPs (a federation's does): the one accepted.
SAML_IDP_ENTITY_ID = env_str("SAML_IDP_ENTITY_ID", "")
# The portal's entity id; by default its metadata address, SITE_URL/konto/saml/metadata/.
SAML_SP_ENTITY_ID = env_str("SAML_SP_ENTITY_ID", "")
# The portal's key and certificate (PEM files): requests and logouts are signed with them and
# the IdP may encrypt assertions to them. Optional for an IdP that asks for neither.
SAML_SP_KEY_FILE = env_str("SAML_SP_KEY_FILE", "")
SAML_SP_CERT_FILE = env_str("SAML_SP_CERT_FILE", "")
SAML_CLOCK_SKEW_SECONDS = env_int("SAML_CLOCK_SKEW_SECONDS", 60)
# The attributes read from the assertion, by pysaml2's friendly name (urn:oid names are
# translated) or the full name of an unknown one (ADFS's claim URIs). The subject (the
# account's stable id) is the NameID unless transient, or SAML_ATTR_SUBJECT's value when set.
SAML_ATTRIBUTES = {
    "subject": env_str("SAML_ATTR_SUBJECT", ""),
    "username": env_str("SAML_ATTR_USERNAME", "eduPersonPrincipalName"),
    "email": env_str("SAML_ATTR_EMAIL", "mail"),
    "first_name": env_str("SAML_ATTR_FIRST_NAME", "givenName"),
    "last_name": env_str("SAML_ATTR_LAST_NAME", "sn"),
    "groups": env_str("SAML_ATTR_GROUPS", "isMemberOf"),
}
# The button's words: "Logga in med kommunens konto (<SAML_PROVIDER_NAME>)"; the name staff
# know the IdP by, e.g. "Exempelkommuns inloggning".
SAML_PROVIDER_NAME = env_str("SAML_PROVIDER_NAME", "SAML")
INSTALLED_APPS.append("djangosaml2")
# The SAML session (the outstanding requests, the IdP's session for logout) in its own cookie
# beside Django's, as djangosaml2 needs. SameSite=None lets the IdP's cross-site POST carry it;
# browsers take that only on a Secure cookie, so without HTTPS (development, tests) it is Lax.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "djangosaml2.middleware.SamlSessionMiddleware",
)
SAML_SESSION_COOKIE_SAMESITE = "None" if SESSION_COOKIE_SECURE else "Lax"
SAML_CONFIG_LOADER = "konto.saml.sp_config"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_LOGOUT_REQUEST_PREFERRED_BINDING = SAML_DEFAULT_BINDING
# Logging out here must not wait for the IdP: the local session ends whatever it answers.
SAML_IGNORE_LOGOUT_ERRORS = True
# No django-csp here: the portal's own CSP (Django's) applies to the SAML pages too.
SAML_CSP_HANDLER = ""
AUTHENTICATION_BACKENDS.append("konto.saml_backend.SamlBackend")
SSO_LOGIN_PROVIDERS.append("konto.saml.login_provider")
SSO_LOGOUT["konto.saml_backend.SamlBackend"] = "konto.saml_views.provider_logout"
# End of single sign-on ------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # pysaml2's schema library says "Resource 'XMLSchema.xsd' is already loaded" at INFO on
    # every start; only its warnings are worth a line.
    "loggers": {"xmlschema": {"level": "WARNING"}},
}

# The site's public root (https://host), for absolute links where no request gives the host:
# e-mail sent by commands and services. Required when DEBUG is off (portal/checks.py).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")

# Resident input (/tyck-till/) and sign-ups: rate limit per client address, counted in the
# default cache (django-ratelimit) so all app processes share one count when CACHE_URL is Redis.
# The rate is "<count>/<period>", e.g. "5/10m" = five submissions in ten minutes.
# With the cache unreachable the limit fails open: the submission is accepted and a warning
# logged (omraden/services.py, docs/security.md).
RATELIMIT_FAIL_OPEN = True
INSPEL_RATE = env_str("INSPEL_RATE", "5/10m")
ANMALAN_RATE = env_str("ANMALAN_RATE", "10/10m")
# Moderation decisions on one input (approve, reject, answer, link) reach its resident as one
# e-mail, sent this many seconds after the latest decision by `manage.py skicka_besked` (run
# every minute by cron). 0 sends at once after each decision's commit (docs/moderation.md).
INSPEL_MEDDELANDE_FONSTER = env_int("INSPEL_MEDDELANDE_FONSTER", 300)
# The client address is REMOTE_ADDR. Behind a reverse proxy set TRUSTED_PROXY_COUNT to the
# number of proxies in front of the app: the address is then read that many hops from the
# right of X-Forwarded-For (never trusted when 0, since any client can send that header).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Retention (gallring, `manage.py gallra`), in months, per kind of record. Contact details of
# input are removed that long after the input was closed (answered or rejected); the personal
# data of a sign-up that long after its activity. The records themselves are kept.
GALLRING = {
    "inspel_kontaktuppgifter_manader": env_int("GALLRING_INSPEL_MANADER", 12),
    "anmalan_manader": env_int("GALLRING_ANMALAN_MANADER", 3),
}

# Subscriptions (prenumeration/, docs/prenumeration.md) ---------------------------------------
# Residents follow areas by e-mail. An unconfirmed subscription (double opt-in) is removed by
# `gallra` this many days after it was made, and its confirmation link stops working then;
# a cancelled one is removed at the next `gallra`.
PRENUMERATION_BEKRAFTA_DAGAR = env_int("PRENUMERATION_BEKRAFTA_DAGAR", 7)
PRENUMERATION_RATE = env_str("PRENUMERATION_RATE", "5/10m")
# The digest: publications that become visible gather in one publishing round, closed by
# `manage.py skicka_sammandrag` (cron, every minute) once none has come for this many seconds
# (or the first has waited SAMMANDRAG_MAX_VANTAN); 0 closes the round in the publishing
# request itself. Publications older than SAMMANDRAG_HORISONT_DAGAR are never reported.
SAMMANDRAG_TYST = env_int("SAMMANDRAG_TYST", 600)
SAMMANDRAG_MAX_VANTAN = env_int("SAMMANDRAG_MAX_VANTAN", 3600)
SAMMANDRAG_HORISONT_DAGAR = env_int("SAMMANDRAG_HORISONT_DAGAR", 2)
# The mailto: half of List-Unsubscribe (RFC 2369); the https half is the one-click link.
PRENUMERATION_AVREGISTRERA_EPOST = env_str("PRENUMERATION_AVREGISTRERA_EPOST", DEFAULT_FROM_EMAIL)
# End of subscriptions -------------------------------------------------------------------------
