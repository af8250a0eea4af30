"""tongban settings. Everything that differs between machines comes from the environment.

TONGBAN_DATA_DIR      where the SQLite database, uploads and the generated secret live (./var)
TONGBAN_DATABASE_URL  postgres://user:password@host:port/name; SQLite in the data dir when unset
TONGBAN_REPLICA_DATABASE_URL  a streaming replica of it: the supervisors' figures, wide lists and
                      exports read there (tongban.lib.replica); unset: everything on the primary
TONGBAN_SECRET_KEY    (or _FILE); generated once into the data dir when unset
TONGBAN_DEBUG         false by default
TONGBAN_ALLOWED_HOSTS comma-separated; localhost names by default
TONGBAN_PROFILE       production turns on every control of the security block (README)
"""

import os
import secrets
from datetime import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from tongban.lib.crypto import keyring_load
from tongban.lib.env import envbool, envchoice, envint, envstr
from tongban.lib.files import UMASK, private_dir, private_file

# Every process of tongban imports this first (manage.py, tongban, gunicorn's workers): from
# here on what it creates, SQLite's files and Django's mail files included, is its user's only.
os.umask(UMASK)
BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = private_dir(Path(envstr("TONGBAN_DATA_DIR") or Path.cwd() / "var").resolve())


def _secret_key() -> str:
    if key := envstr("TONGBAN_SECRET_KEY"):
        return key
    path = private_file(DATA_DIR / "secret_key")  # created 0600, never readable by others
    if not path.read_text().strip():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _database(url: str | None) -> dict:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            # Created 0600 here: SQLite gives its -wal and -shm files the database's mode.
            "NAME": private_file(DATA_DIR / "tongban.sqlite3"),
            "OPTIONS": {
                # WAL lets the pages read while a worker writes; IMMEDIATE takes the write
                # lock at BEGIN, so two writers queue instead of failing on lock upgrade.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(
            f"TONGBAN_DATABASE_URL must be postgres://…, not {parts.scheme}://"
        )
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "tongban",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        # Connections stay open across requests: closing them per request cost 4-7x
        # throughput (docs/benchmarks.md).
        "CONN_MAX_AGE": envint("TONGBAN_CONN_MAX_AGE", 600),
        # A health check is a round trip per request; a dropped connection fails one request.
        "CONN_HEALTH_CHECKS": envbool("TONGBAN_CONN_HEALTH_CHECKS", False),
        # Short statements on indexed rows: JIT compilation costs more than it saves
        # (100-200 ms per query measured on the figures), and so does starting parallel
        # workers (the overdue list at ten million cases: 8 ms to start two for a page read
        # in 1 ms; they take the cores other requests need). The figures' rollup job, which
        # aggregates whole days, turns them on for its own transaction.
        "OPTIONS": {
            "options": "-c jit=off -c max_parallel_workers_per_gather=0",
            # A statement run twice on a connection is prepared, so PostgreSQL stops planning
            # the case queries again (planning ~1 ms, executing ~0.05 ms: bench/README.md).
            **(
                {"server_side_binding": True, "prepare_threshold": 2}
                if envbool("TONGBAN_PG_PREPARED", True)
                else {}
            ),
        },
    }


SECRET_KEY = _secret_key()
DEBUG = envbool("TONGBAN_DEBUG", False)
ALLOWED_HOSTS = (envstr("TONGBAN_ALLOWED_HOSTS") or "localhost,127.0.0.1,[::1],testserver").split(
    ","
)
CSRF_TRUSTED_ORIGINS = [o for o in (envstr("TONGBAN_CSRF_TRUSTED_ORIGINS") or "").split(",") if o]

INSTALLED_APPS = [
    # First: its createsuperuser (refused: tongban has no superuser) wins over django.contrib.auth's.
    "tongban.people",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI from our own static files: no CDN on a closed network
    "django_tasks_db",  # the task queue in the database (embedded default)
    "django_rq",  # the task queue on Redis (TONGBAN_BROKER_URL)
    "django_tasks_rq",
    "tongban.offices",
    "tongban.workdays",
    "tongban.catalog",
    "tongban.exchange",
    "tongban.cases",
    "tongban.audit",
    "tongban.evaluations",
    "tongban.projects",
    "tongban.crossregion",
    "tongban.supervision",
    "tongban.stats",
    "tongban.api",
    "tongban.consultations",
    "tongban.desk",
    "tongban.portal",
    "tongban.ops",
]

MIDDLEWARE = [
    # These two add their headers to every response: pages, API, static files, errors, the 503.
    "django.middleware.security.SecurityMiddleware",
    "tongban.lib.middleware.ContentSecurityPolicyMiddleware",  # Django's, leaner
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tongban.lib.middleware.LocaleMiddleware",  # Django's, leaner; the API's messages too
    "django.middleware.common.CommonMiddleware",
    "tongban.lib.middleware.DatabaseUnavailableMiddleware",  # 503, not a 500, when it is down
    "tongban.lib.middleware.BrowserMiddleware",  # runs the next list, but for bearer API calls
]
TONGBAN_BROWSER_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tongban.lib.replica.RecentWrite",  # a user's reads after their change: from the primary
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# The admin looks for sessions, auth and messages in MIDDLEWARE, and `check --deploy` for CSRF
# and the frame header; they run inside BrowserMiddleware for every request it serves.
# tongban.lib.middleware.browser_middleware_check runs the deploy checks again over that list.
# models.W040: SQLite builds a covering index (INCLUDE) without its extra columns, as meant:
# they only let PostgreSQL answer from the index alone (cases.Case, case_open_deadline_idx).
SILENCED_SYSTEM_CHECKS = [
    "admin.E408", "admin.E409", "admin.E410", "security.W002", "security.W003", "models.W040",
]  # fmt: skip

ROOT_URLCONF = "tongban.urls"
WSGI_APPLICATION = "tongban.wsgi.application"
AUTH_USER_MODEL = "people.User"
# A portal account also signs in by its mobile number (people.backends.PhoneBackend).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "tongban.people.backends.PhoneBackend",
]
LOGIN_URL = "desk:login"
# A stale form (a tab left open at a shared window PC) gets a page in the product's look.
CSRF_FAILURE_VIEW = "tongban.lib.error_pages.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",  # csp_nonce (SECURE_CSP)
                "tongban.desk.context.calendar_alert",
            ],
        },
    },
]

DATABASES = {"default": _database(envstr("TONGBAN_DATABASE_URL"))}
if _replica_url := envstr("TONGBAN_REPLICA_DATABASE_URL"):
    if not envstr("TONGBAN_DATABASE_URL"):
        raise ImproperlyConfigured(
            "TONGBAN_REPLICA_DATABASE_URL needs TONGBAN_DATABASE_URL: a replica of PostgreSQL"
        )
    # The tests' replica reads the primary's test database, replicated to it (same name).
    DATABASES["replica"] = {**_database(_replica_url), "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["tongban.lib.replica.Router"]
# After a browser user changes something, their reads stay on the primary this long (the
# replica's lag is far below it in normal running).
TONGBAN_REPLICA_STICKY_SECONDS = envint("TONGBAN_REPLICA_STICKY_SECONDS", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# 等保 password rules (people.passwords), for every account and every door that sets one:
# at least 10 characters of three of the four classes, none of the last
# TONGBAN_PASSWORD_HISTORY passwords again (0: only not the current one). A staff member's
# password (every role but applicant and agent) lasts TONGBAN_PASSWORD_MAX_DAYS (0: for
# ever): then signing in asks for a new one before anything else.
TONGBAN_PASSWORD_HISTORY = envint("TONGBAN_PASSWORD_HISTORY", 5)
TONGBAN_PASSWORD_MAX_DAYS = envint("TONGBAN_PASSWORD_MAX_DAYS", 90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tongban.people.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "tongban.people.passwords.PasswordHistoryValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tongban" / "locale"]
TIME_ZONE = "Asia/Shanghai"  # the city's day: dates, deadlines and daily figures
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "tongban" / "static"]  # the shared stylesheet
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at every request when it is missing
MEDIA_ROOT = private_dir(DATA_DIR / "media")
# Uploads and notices: the owner's only, as everything in the data dir (tongban/lib/files.py).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # the demo serves static files without collectstatic

# A body over 1 MiB is refused before it is read (issue #2: bad input).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

SESSION_COOKIE_AGE = envint("TONGBAN_SESSION_IDLE_SECONDS", 30 * 60)  # 等保: idle time-out
# 等保 lock-out (people.services.sign_in): failed sign-ins within TONGBAN_LOCKOUT_MINUTES
# that refuse further tries, counted per account and address, per account from anywhere,
# and per address for any account.
TONGBAN_LOCKOUT_FAILURES = envint("TONGBAN_LOCKOUT_FAILURES", 5)
TONGBAN_LOCKOUT_ACCOUNT_FAILURES = envint("TONGBAN_LOCKOUT_ACCOUNT_FAILURES", 20)
TONGBAN_LOCKOUT_ADDRESS_FAILURES = envint("TONGBAN_LOCKOUT_ADDRESS_FAILURES", 30)
TONGBAN_LOCKOUT_MINUTES = envint("TONGBAN_LOCKOUT_MINUTES", 15)
# 特殊群体: a person of this age or more is shown as elderly on every case and queue row.
TONGBAN_ELDERLY_AGE = envint("TONGBAN_ELDERLY_AGE", 70)
# An API token dies unused for this long, and this long after it was issued, whatever use.
TONGBAN_TOKEN_IDLE_MINUTES = envint("TONGBAN_TOKEN_IDLE_MINUTES", 120)
TONGBAN_TOKEN_MAX_HOURS = envint("TONGBAN_TOKEN_MAX_HOURS", 12)
# One-time codes by SMS (sign-up, sign-in by code, a forgotten password): valid this long,
# at most one a minute and TONGBAN_CODES_PER_DAY a day to a number, TONGBAN_CODES_PER_HOUR
# an hour from one address.
TONGBAN_CODE_MINUTES = envint("TONGBAN_CODE_MINUTES", 5)
TONGBAN_CODES_PER_DAY = envint("TONGBAN_CODES_PER_DAY", 10)
TONGBAN_CODES_PER_HOUR = envint("TONGBAN_CODES_PER_HOUR", 20)
# 实名核验: "demo" accepts the people and employers the database already holds; a city sets
# the dotted path of its identity service's class (people.identity.IdentityService).
TONGBAN_IDENTITY_BACKEND = envstr("TONGBAN_IDENTITY_BACKEND") or "demo"
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tongban.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["tongban.api.parsers.JSONParser"],  # with a depth limit
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "tongban.api.negotiation.SingleRenderer",
    "DEFAULT_SCHEMA_CLASS": "tongban.api.schemas.AutoSchema",  # states the server's limits
    "EXCEPTION_HANDLER": "tongban.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "tongban API",
    "DESCRIPTION": "全市通办: the service-item catalog, cases and their lifecycle.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge from validator.swagger.io: it would send the schema's address out, and the CSP
    # refuses its image (Swagger UI asks for it on every host but localhost).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
}

# --- Domain settings (docs/domain.md says what each sets and why) ---------------------------
# Counting starts the day after acceptance (民法典 §201); some local rules count the day itself.
TONGBAN_COUNT_FROM = envchoice("TONGBAN_COUNT_FROM", "next_day", ("next_day", "same_day"))
# An instant item handed in after this time, or on a rest day, is due the next working day.
TONGBAN_INSTANT_CUTOFF = time.fromisoformat(envstr("TONGBAN_INSTANT_CUTOFF") or "17:30")
# 行政许可法 §32: accept, refuse or ask for a supplement within 5 working days of receipt.
TONGBAN_PREREVIEW_DAYS = envint("TONGBAN_PREREVIEW_DAYS", 5)
# Working days an applicant has to hand in a requested supplement before the case ends.
TONGBAN_SUPPLEMENT_DAYS = envint("TONGBAN_SUPPLEMENT_DAYS", 20)
# 容缺受理 may be refused to applicants who let a promise lapse before (a local rule; off).
TONGBAN_RONGQUE_EXCLUDE_BROKEN_PROMISES = envbool("TONGBAN_RONGQUE_EXCLUDE_BROKEN_PROMISES", False)
# 延期: the most working days one extension may add (行政许可法 §42: ten, with the head's approval).
TONGBAN_EXTENSION_MAX_DAYS = envint("TONGBAN_EXTENSION_MAX_DAYS", 10)
# From this day of the year (MM-DD) until next year's holidays are loaded, the catalog
# administrators and the city's supervisors are told the calendar is missing (the State
# Council publishes it each November).
TONGBAN_CALENDAR_ALERT_FROM = envstr("TONGBAN_CALENDAR_ALERT_FROM") or "11-01"
# The office code of the city bureau; online applications are numbered under it.
TONGBAN_CITY_CODE = envstr("TONGBAN_CITY_CODE") or "371500"
# The portal's public address: every notice's QR code leads to its status lookup page there.
TONGBAN_PUBLIC_URL = envstr("TONGBAN_PUBLIC_URL") or "http://127.0.0.1:8000"
# The largest material file an applicant may upload (DATA_UPLOAD_MAX_MEMORY_SIZE does not
# count file data; uploads over FILE_UPLOAD_MAX_MEMORY_SIZE are streamed to temporary files).
TONGBAN_UPLOAD_MAX_BYTES = envint("TONGBAN_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)

# --- Background work and notifications -----------------------------------------------------
# Jobs (deadline scans, notifications, figures) are django.tasks tasks (tongban/ops/tasks.py).
# Without a broker they queue in the database (django-tasks-db) and `tongban serve` runs a
# worker beside the web server; with TONGBAN_BROKER_URL=redis://host:port/db they go through
# RQ on Redis (django-tasks-rq) and `tongban worker` processes run them.
TONGBAN_BROKER_URL = envstr("TONGBAN_BROKER_URL") or ""
if TONGBAN_BROKER_URL and not TONGBAN_BROKER_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"TONGBAN_BROKER_URL must be redis://… (RQ over Redis), not {TONGBAN_BROKER_URL!r}"
    )
TASKS = {
    "default": {
        "BACKEND": "django_tasks_rq.RQBackend"
        if TONGBAN_BROKER_URL
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
RQ_QUEUES = {
    "default": {"URL": TONGBAN_BROKER_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 900}
}
RQ_SHOW_ADMIN_LINK = False
# `tongban serve` starts a worker process beside the web server when no broker is configured.
TONGBAN_INPROCESS_WORKER = envbool("TONGBAN_INPROCESS_WORKER", True)
# Set by `tongban demo`: the supervisors' pages offer the demo clock.
TONGBAN_DEMO = envbool("TONGBAN_DEMO", False)


def _share(name: str, default: float) -> float:
    value = envstr(name) or str(default)
    try:
        share = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None
    if not 0 <= share < 1:
        raise ImproperlyConfigured(f"{name} must be between 0 and 1, not {value!r}")
    return share


# A yellow card when a case has at most this share of its time limit left (at least one day).
TONGBAN_YELLOW_SHARE = _share("TONGBAN_YELLOW_SHARE", 0.2)
# 好差评: ratings at or above this level are good (Shandong: 3+ good, 2 and below bad).
TONGBAN_GOOD_RATING_MIN = envint("TONGBAN_GOOD_RATING_MIN", 3)
# Working days after a case ends in which its applicant may rate it.
TONGBAN_RATING_DAYS = envint("TONGBAN_RATING_DAYS", 5)
# Working days an office has to rectify a bad rating (Shandong cities 5; elsewhere 15).
TONGBAN_RECTIFY_DAYS = envint("TONGBAN_RECTIFY_DAYS", 5)
# SMS to applicants: console (the worker's output), file (one file a day in the data dir), or
# the dotted path of a gateway class (tongban.lib.sms.SmsBackend).
TONGBAN_SMS_BACKEND = envstr("TONGBAN_SMS_BACKEND") or "console"
TONGBAN_SMS_DIR = DATA_DIR / "sms"
# E-mail to staff through Django's mailers (Django 6.1 MAILERS): console, file (data dir) or smtp.
_EMAIL = envchoice("TONGBAN_EMAIL_BACKEND", "console", ("console", "file", "smtp"))
MAILERS = {
    "default": {
        "BACKEND": f"django.core.mail.backends.{'filebased' if _EMAIL == 'file' else _EMAIL}.EmailBackend",
        "OPTIONS": {
            "console": {},
            "file": {"file_path": str(DATA_DIR / "mail")},
            "smtp": {
                "host": envstr("TONGBAN_EMAIL_HOST") or "localhost",
                "port": envint("TONGBAN_EMAIL_PORT", 25),
                "username": envstr("TONGBAN_EMAIL_USER") or "",
                "password": envstr("TONGBAN_EMAIL_PASSWORD") or "",
                "use_tls": envbool("TONGBAN_EMAIL_USE_TLS", False),
                "timeout": 30,
            },
        }[_EMAIL],
    }
}
DEFAULT_FROM_EMAIL = envstr("TONGBAN_EMAIL_FROM") or "tongban@localhost"
# --- end of background work and notifications ----------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("TONGBAN_LOG_LEVEL") or "WARNING"},
}

# --- Security (issue #12; README "Production") ---------------------------------------------
# TONGBAN_PROFILE=production turns on every control below; each also has its own variable,
# which wins over the profile. Development serves plain HTTP on localhost: no redirect, no HSTS,
# no Secure cookies. The headers of SecurityMiddleware and the CSP are on in every profile.
TONGBAN_PROFILE = envchoice("TONGBAN_PROFILE", "development", ("development", "production"))
_PRODUCTION = TONGBAN_PROFILE == "production"
# Staff (every role but applicant and agent) sign in with a TOTP code too; those without an
# authenticator enrol one before anything else (people.totp).
TONGBAN_REQUIRE_TOTP = envbool("TONGBAN_REQUIRE_TOTP", _PRODUCTION)
if _PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "TONGBAN_PROFILE=production refuses TONGBAN_DEBUG=true: debug pages show settings and code"
    )
if _PRODUCTION and TONGBAN_DEMO:
    raise ImproperlyConfigured(
        "TONGBAN_PROFILE=production refuses TONGBAN_DEMO=true: the demo has known accounts and "
        "a clock that moves cases"
    )
if _PRODUCTION and TONGBAN_IDENTITY_BACKEND == "demo":
    raise ImproperlyConfigured(
        "TONGBAN_PROFILE=production needs the city's identity service in "
        "TONGBAN_IDENTITY_BACKEND (a class path): the demo one verifies nobody for real"
    )
# Plain http:// is redirected to https://. Behind a proxy that ends TLS (nginx), set
# TONGBAN_BEHIND_PROXY=true and have the proxy send X-Forwarded-Proto: https (and overwrite any
# the client sent), or every request is redirected again.
SECURE_SSL_REDIRECT = envbool("TONGBAN_SSL_REDIRECT", _PRODUCTION)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("TONGBAN_BEHIND_PROXY", False) else None
)
# HSTS on HTTPS responses: a year, subdomains too. `preload` only lets the domain's owner
# submit the domain to the browsers' list; on a subdomain it does nothing.
SECURE_HSTS_SECONDS = envint("TONGBAN_HSTS_SECONDS", 365 * 24 * 3600 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("TONGBAN_HSTS_INCLUDE_SUBDOMAINS", _PRODUCTION)
SECURE_HSTS_PRELOAD = envbool("TONGBAN_HSTS_PRELOAD", _PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Cookies: Secure over HTTPS only in production; never readable by scripts (nothing of ours
# reads the CSRF cookie: forms carry the token, Swagger UI gets it in its page); sent on
# top-level links from other sites (a link in an e-mail keeps the clerk signed in), never on
# their forms or frames (Lax), or not even on links (Strict).
_SECURE_COOKIES = envbool("TONGBAN_SECURE_COOKIES", _PRODUCTION)
_SAMESITE = envchoice("TONGBAN_COOKIE_SAMESITE", "Lax", ("Lax", "Strict"))
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = _SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = _SAMESITE
# Content-Security-Policy on every response: our own scripts and styles only, no inline code
# (the templates carry none: tests/test_csp_templates.py); a nonce for the pages we do not
# write, the admin (Django's templates carry it) and Swagger UI (templates/drf_spectacular/).
# `report-only` reports without blocking, for trying a change of policy on a live site.
# frappe-charts (the figures' charts) adds its stylesheet as a <style> element, first empty,
# and writes style="display: block;" in its tooltip's HTML: the hashes of the three texts
# ('unsafe-hashes' lets a hash match a style attribute). tests/test_csp_templates.py checks them
# against the file; stats/dashboard.js turns its other style attributes into CSSOM calls.
FRAPPE_CHARTS_CSS = [
    "'unsafe-hashes'",
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # ""
    "'sha256-CssDN67+wdcVeOo1+UBDlTtUvWjUmBJyiyqqRJHhrTQ='",  # .chart-container{…}
    "'sha256-qnVkQSG7pWu17hBhIw0kCpfEB3XGvt0mNRa6+uM6OUU='",  # display: block;
]
_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE, *FRAPPE_CHARTS_CSS],
    "img-src": [CSP.SELF, "data:"],  # the blank favicon (data:,), Swagger UI's icons
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
_CSP_MODE = envchoice("TONGBAN_CSP", "enforce", ("enforce", "report-only", "off"))
SECURE_CSP = _CSP if _CSP_MODE == "enforce" else {}
SECURE_CSP_REPORT_ONLY = _CSP if _CSP_MODE == "report-only" else {}
# --- end of security -----------------------------------------------------------------------

# --- Personal data keys (tongban/lib/crypto.py; README "Keys and backups") ------------------
# TONGBAN_DATA_KEY or TONGBAN_DATA_KEY_FILE: the ring, `id:base64` one a line, current first.
# Without it development and the demo generate one into the data dir; production refuses.
TONGBAN_DATA_KEYS = keyring_load(data_dir=DATA_DIR, generate=not _PRODUCTION)
