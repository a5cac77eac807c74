"""Kokeilu settings, driven by the environment (see .env.example and docs/configuration.md)."""

import datetime
from pathlib import Path

import environ
from csp import constants as csp_constants
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-kokeilu-development-key-change-me")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("KOKEILU_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # Before the admin: translated fields of the reference data (divisions, themes).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "csp",
    "simple_history",
    "viewflow",
    "viewflow.workflow",
    "cases",
    "workflows",
    "registry",
    "api",
    "contracts",
    "notifications",
    "languages",
    "insight",
    "calls",
    "django_celery_beat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After LocaleMiddleware (cookie, browser) and the user: a logged-in user's saved language.
    "languages.middleware.UserLanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # The mails a request writes reach the workers in one publish, after its commits.
    "notifications.middleware.OutboxBatchMiddleware",
    "workflows.middleware.PilotScopeMiddleware",
    # Last: answers a locked-out login with the lockout page (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cases.context_processors.roles",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'kokeilu.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time, waiting rather than failing (see RELIABILITY F3/F4).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: it pays off for long analytical queries, but this application's
    # queries are short and compiling them cost more than running them (a dashboard query:
    # 270 ms of JIT for 130 ms of work; bench/RESULTS.md). DJANGO_DB_JIT=on restores it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", f"-c jit={env.str('DJANGO_DB_JIT', default='off')}"
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The task deadlines' covering index (workflows.TaskDeadline) serves PostgreSQL; SQLite has no
# covering indexes and gets the plain index, as Django's warning W040 says on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
GUARDIAN_RAISE_403 = False

# Login protection (django-axes): after KOKEILU_LOGIN_FAILURE_LIMIT failed logins for one
# username from one address, logins for that pair are refused for KOKEILU_LOGIN_COOLOFF_MINUTES;
# a successful login resets the count. An administrator may lift a lockout earlier
# (`manage.py axes_reset`, or the admin's access attempts).
AXES_ENABLED = env.bool("KOKEILU_LOGIN_PROTECTION", default=True)
AXES_FAILURE_LIMIT = env.int("KOKEILU_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("KOKEILU_LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False  # no banner on every manage.py command; lockouts are still logged
# The client's address: REMOTE_ADDR, or, behind KOKEILU_PROXY_COUNT reverse proxies, the
# address they forwarded (never a header the client could forge).
if env.int("KOKEILU_PROXY_COUNT", default=0):
    AXES_IPWARE_PROXY_COUNT = env.int("KOKEILU_PROXY_COUNT")
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Sessions end after KOKEILU_SESSION_IDLE_MINUTES without a request (each request renews the
# cookie), and when the browser closes if KOKEILU_SESSION_BROWSER_CLOSE is set.
SESSION_COOKIE_AGE = env.int("KOKEILU_SESSION_IDLE_MINUTES", default=60) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("KOKEILU_SESSION_BROWSER_CLOSE", default=False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# HTTPS (production: all on; `manage.py check --deploy` checks them, see `make check-deploy`).
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    # Behind a proxy that terminates TLS and sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): scripts only from the site itself (or with the
# request's nonce), no inline scripts or event attributes; inline styles are allowed because
# Viewflow's Material components set them. KOKEILU_CSP_REPORT_ONLY=true reports violations
# (to KOKEILU_CSP_REPORT_URI, if set) without enforcing.
_CSP_DIRECTIVES = {
    "default-src": [csp_constants.SELF],
    "script-src": [csp_constants.SELF, csp_constants.NONCE],
    "style-src": [csp_constants.SELF, csp_constants.UNSAFE_INLINE],
    "img-src": [csp_constants.SELF, "data:"],
    "font-src": [csp_constants.SELF, "data:"],
    "connect-src": [csp_constants.SELF],
    "object-src": [csp_constants.NONE],
    "base-uri": [csp_constants.SELF],
    "form-action": [csp_constants.SELF],
    "frame-ancestors": [csp_constants.NONE],
}
if env.str("KOKEILU_CSP_REPORT_URI", default=""):
    _CSP_DIRECTIVES["report-uri"] = [env.str("KOKEILU_CSP_REPORT_URI")]
if env.bool("KOKEILU_CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_DIRECTIVES}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fi", _("Finnish")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates, numbers and money follow the active language: Django's en and fi formats, and
# Swedish as written in Finland (config/formats/sv: 23.11.2026 rather than 2026-11-23).
FORMAT_MODULE_PATH = ["config.formats"]
# Division and theme names and descriptions in each language; when one is missing, English,
# then Finnish, then Swedish.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "fi", "sv")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en", "fi", "sv")
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "DJANGO_STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="kokeilu@example.org")
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=20)
# django-anymail's provider settings, as JSON, when DJANGO_EMAIL_BACKEND names an Anymail
# backend, e.g. {"MAILGUN_API_KEY": "...", "MAILGUN_SENDER_DOMAIN": "mg.example.org"}.
ANYMAIL = env.json("DJANGO_ANYMAIL", default={})

# Celery: eager in the web process unless a broker is configured.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="kokeilu")
CELERY_TIMEZONE = TIME_ZONE
# A web request publishes after commit and must never hang on a broker that is down
# (RELIABILITY 0.10): give up connecting after a second, without publish retries; the
# outbox relay on beat sends whatever was not published.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # no reconnect loop when publishing (workers and beat reconnect on their own)
    "max_retries": 0,
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    # Redis and SQS redeliver a task not acknowledged within this time; keep it above the
    # task time limit (RELIABILITY 1.3).
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
# acks_late tasks: one message at a time per worker process, and a task whose connection to
# the broker is lost is cancelled (it is redelivered) rather than acknowledged.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# The REST API (/api/v1/): Django REST framework, its OpenAPI schema by drf-spectacular.
# Integrations send "Authorization: Token <key>" (`manage.py api_token`); the browser uses its
# session (with CSRF). Throttle rates are per user (anonymous: per address), e.g. "600/minute".
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("KOKEILU_API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("KOKEILU_API_THROTTLE_USER", default="600/minute"),
    },
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kokeilu API",
    "DESCRIPTION": (
        "The pilots a user may see, their timelines, the user's tasks and the actions on them, "
        "through the same services and flow activations as the pages. Authenticate with "
        "`Authorization: Token <key>` or a browser session."
    ),
    "VERSION": "1",
    "LICENSE": {"name": "EUPL-1.2"},
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ScoreEnum": "cases.models.SCORE_CHOICES",
    },
}

# Kokeilu
KOKEILU_ATTACHMENT_MAX_BYTES = env.int("KOKEILU_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Generated contracts are also converted to PDF where LibreOffice is installed (in the
# background, after the contract is saved). KOKEILU_SOFFICE names its command; by default
# `soffice` or `libreoffice` is looked up on the PATH.
KOKEILU_CONTRACT_PDF = env.bool("KOKEILU_CONTRACT_PDF", default=True)
KOKEILU_SOFFICE = env.str("KOKEILU_SOFFICE", default="")
# Service level of each human node, in working days (weekends and Finnish public holidays
# do not count). Override any of them with KOKEILU_SERVICE_LEVELS, e.g. "screen=3,match=5".
KOKEILU_SERVICE_LEVELS = {
    "screen": 5,
    "request_information": 10,
    "match": 5,
    "review_match": 5,
    "prepare_contract": 10,
    "accept_contract": 10,
    "sign_contract": 5,
    "run_pilot": 130,
    "evaluate_division": 15,
    "evaluate_company": 15,
    "decide_scaling": 15,
}
KOKEILU_SERVICE_LEVELS.update(
    {key: int(value) for key, value in env.dict("KOKEILU_SERVICE_LEVELS", default={}).items()}
)
# Notifications: an overdue task is reminded to its owner at once, and to the pilot's
# innovation agent once it is this many working days overdue.
KOKEILU_OVERDUE_ESCALATION_DAYS = env.int("KOKEILU_OVERDUE_ESCALATION_DAYS", default=3)
# Days before a running pilot's planned end when the agent and the company are reminded.
KOKEILU_PLANNED_END_NOTICE_DAYS = env.int("KOKEILU_PLANNED_END_NOTICE_DAYS", default=14)
# The outbox relay tries a mail this many times, waiting base * 2^(n-1) seconds (at most an
# hour) after the n-th failure, then marks it failed for an administrator to retry.
KOKEILU_OUTBOX_MAX_ATTEMPTS = env.int("KOKEILU_OUTBOX_MAX_ATTEMPTS", default=5)
KOKEILU_OUTBOX_RETRY_SECONDS = env.int("KOKEILU_OUTBOX_RETRY_SECONDS", default=60)
# The dashboard of more than 2,000 pilots shows a snapshot of its figures at most this many
# seconds old; beat recomputes the snapshots people looked at in the last week before then.
KOKEILU_DASHBOARD_MAX_AGE = env.int("KOKEILU_DASHBOARD_MAX_AGE", default=900)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
