"""Settings, all read from the environment with safe defaults for local use.

Production sets DEBUG=False, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
import orjson
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


# Off unless asked for: a deployment that forgets a variable must not run in debug mode.
# `make run` and `make test` ask for it.
DEBUG = envbool("DEBUG", False)
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "axes",
    "pgtrigger",
    "pghistory",
    "workspaces",
    "journeys",
    "touchpoints",
    "moments",
    "feedback",
    "alerts",
    "maps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "workspaces.audit.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in.
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
                "workspaces.context_processors.workspace",
            ],
        },
    },
]

if not os.getenv("DATABASE_URL"):
    raise ImproperlyConfigured(
        "DATABASE_URL must name a PostgreSQL database: `make run` starts an embedded PostgreSQL"
        " and `make test` uses the one on 127.0.0.1:5432."
    )
DATABASES = {
    "default": dj_database_url.parse(
        os.environ["DATABASE_URL"],
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL")
DATABASES["default"]["ENGINE"] = "config.postgresql"  # its cheaper health check
# Parameters travel apart from the statement: psycopg's client-side binding quotes every value
# into the SQL in Python, which cost more than the database's own work on the thousand-id lists
# and arrays of scoring and ingestion.
DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.getenv("REDIS_URL", "")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # the feedback API's body limit
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 1024 * 1024 * 1024)
# An import still queued, or running with no batch counted, for this long lost its task or its
# worker: the sweep publishes it again.
IMPORT_STALE_SECONDS = envint("IMPORT_STALE_SECONDS", 45)
# Short socket timeouts: a Redis outage must not hang requests (throttling and debouncing
# tolerate a missing cache).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (django-axes), on the app's login and the admin's alike: after
# AXES_FAILURE_LIMIT wrong passwords for one username from one address, that pair is locked out
# for AXES_COOLOFF_MINUTES; a success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a proxy that sets X-Forwarded-For, the number of proxies in front of the app.
AXES_IPWARE_PROXY_COUNT = envint("AXES_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Invitations and alerts go by email (docs/alerts.md): the console unless EMAIL_URL says
# how to reach a mail server.
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "Truthmap <truthmap@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def email_settings(url: str) -> dict:
    """EMAIL_URL as Django's email settings: smtp://user:password@host:port (plain, port 25),
    smtp+starttls://… (port 587), smtps://… (TLS from the start, port 465), or console:
    (messages printed, the default)."""
    if not url or url.startswith("console:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    ports = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
    if parts.scheme not in ports or not parts.hostname:
        raise ImproperlyConfigured(
            "EMAIL_URL must be smtp://, smtp+starttls://, smtps://HOST[:PORT] or console:"
        )
    try:
        port = parts.port or ports[parts.scheme]
    except ValueError:
        raise ImproperlyConfigured(f"EMAIL_URL has an invalid port: {url!r}") from None
    timeout = parse_qs(parts.query).get("timeout", ["10"])[0]
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme == "smtp+starttls",
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_TIMEOUT": int(timeout) if timeout.isdigit() else 10,
    }


_email = email_settings(os.getenv("EMAIL_URL", ""))
# Without EMAIL_URL, EMAIL_BACKEND may name another backend by its dotted path.
EMAIL_BACKEND = (
    _email["EMAIL_BACKEND"]
    if os.getenv("EMAIL_URL")
    else os.getenv("EMAIL_BACKEND") or _email["EMAIL_BACKEND"]
)
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = _email.get("EMAIL_TIMEOUT", 10)

# The audit trail (django-pghistory): each event's own time rather than its transaction's, so
# the events of one edit (a move and the renumbered siblings) list in the order they happened.
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "maps:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.getenv("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed copies made by collectstatic, which every page then needs (make run,
    # make test and the Dockerfile run it); whitenoise serves hashed names as immutable.
    "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"},
}

# Security: strict by default in production; each can be relaxed from the environment.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
X_FRAME_OPTIONS = "DENY"
# No inline script and no eval anywhere (htmx runs with allowEval off). Styles allow inline
# because Plotly writes its chart styles into the page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "display-capture",
        "interest-cohort",
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Bearer first, so an anonymous API call gets 401 with a WWW-Authenticate header.
        "workspaces.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["drf_orjson_renderer.renderers.ORJSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    # JSON only: a generated client then sends JSON, not multipart (imports say so themselves).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["workspaces.auth.CallerRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"caller": os.getenv("API_THROTTLE_RATE", "20000/min")},
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Datetimes given as values (lists and maps) end in Z, as DRF's serializers write them;
    # errors of items in a list are keyed by their index.
    "ORJSON_RENDERER_OPTIONS": (orjson.OPT_UTC_Z, orjson.OPT_NON_STR_KEYS),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Truthmap API",
    "DESCRIPTION": "Customer journeys, touchpoints, moments of truth and their live health.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ChannelEnum": "touchpoints.models.Channel",
        "RoleEnum": "workspaces.models.Role",
        # Names the schema had before event types and delivery statuses came: kept for clients.
        "TypeEnum": "moments.models.MomentType",
        "StatusEnum": "feedback.models.ImportStatus",
        "EventTypeEnum": "alerts.api.EVENT_CHOICES",
        "DeliveredEventTypeEnum": "alerts.models.EventType",
        "DeliveryStatusEnum": "alerts.models.DeliveryStatus",
        "HistoryObjectTypeEnum": ["journey", "stage", "touchpoint", "moment"],
    },
}

# Celery: Redis when REDIS_URL is set; otherwise a broker on the local filesystem that needs no server.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if REDIS_URL:
    # An unacknowledged task (its worker died) is delivered again after this many seconds;
    # workers look for such tasks every few seconds.
    _visibility_timeout = envint("CELERY_VISIBILITY_TIMEOUT", 3600)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 1,
        # A broker that hangs (accepts, never answers) must not hold a request: a publish gives
        # up after this; above the worker's 1 s BRPOP, which it must outlast.
        "socket_timeout": 2,
        "visibility_timeout": _visibility_timeout,
        "unacked_restore_interval": min(10, _visibility_timeout),
        "unacked_restore_throttle": 1,
    }
else:
    _broker_dir = Path(os.getenv("VAR_DIR") or BASE_DIR / "var") / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
# Publishing gives up fast when the broker is down; dirty touchpoints are swept every minute.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# One queue per kind of work, each with its own worker processes (make run, docker-compose.yml),
# so that no kind waits behind another: an import never queues behind sentiment scoring, nor a
# rescore behind a slow webhook receiver. A worker started without -Q consumes them all (tests).
CELERY_TASK_DEFAULT_QUEUE = "scoring"
CELERY_TASK_QUEUES = {"scoring": {}, "imports": {}, "sentiment": {}, "deliveries": {}}
CELERY_TASK_ROUTES = {
    "feedback.tasks.import_feedback_task": {"queue": "imports"},
    "feedback.tasks.sweep_imports_task": {"queue": "imports"},
    "feedback.tasks.analyze_if_grown_task": {"queue": "imports"},
    "feedback.tasks.score_sentiment_task": {"queue": "sentiment"},
    "alerts.tasks.deliver_task": {"queue": "deliveries"},
    "alerts.tasks.deliver_pending_task": {"queue": "deliveries"},
    "alerts.tasks.email_followers_task": {"queue": "deliveries"},
}
CELERY_BEAT_SCHEDULE = {
    "sweep-dirty-touchpoints": {"task": "feedback.tasks.rescore_dirty_task", "schedule": 60},
    # Every 10 s: a delivery whose publish was lost starts within 10 s of the broker's return.
    "sweep-webhook-deliveries": {"task": "alerts.tasks.deliver_pending_task", "schedule": 10},
    "sweep-follower-emails": {"task": "alerts.tasks.email_followers_task", "schedule": 60},
    "sweep-pending-sentiment": {"task": "feedback.tasks.score_sentiment_task", "schedule": 60},
    "sweep-stale-at-risk": {"task": "feedback.tasks.refresh_at_risk_task", "schedule": 60},
    # Imports whose publish was lost (broker down at upload) or whose worker was killed.
    "sweep-lost-imports": {"task": "feedback.tasks.sweep_imports_task", "schedule": 20},
    "rescore-everything-daily": {
        "task": "feedback.tasks.rescore_all_task",
        "schedule": crontab(hour=0, minute=5),
    },
}

# Alerts (docs/alerts.md). Links in emails are absolute: SITE_URL is where users open the app.
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000")
# Webhooks may call private, loopback and link-local addresses only when this is on.
WEBHOOK_ALLOW_PRIVATE = envbool("WEBHOOK_ALLOW_PRIVATE", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    # django-axes says every successful sign-in at INFO; lockouts come at WARNING.
    "loggers": {"axes": {"level": "WARNING"}, "pgserver": {"level": "WARNING"}},
}
