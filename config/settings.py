"""One settings module for every environment, read from environment variables.

With nothing set, the portal runs on embedded defaults: SQLite, Celery tasks executed
eagerly in-process, and mail printed to the console. Production sets DATABASE_URL,
REDIS_URL, EMAIL_URL, SECRET_KEY and DEBUG=false.
"""
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "portal",
    "households",
    "lending",
    "reminders",
    "reports",
    "demo",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.LanguageFromCookieMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.twofactor.TwoStepGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into the lockout page.
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
                "portal.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
# django-axes first: it counts failed logins and refuses a locked user+IP before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff work in Dutch by default; parents get their household's language.
LANGUAGE_CODE = "nl"
LANGUAGES = [
    ("nl", "Nederlands"),
    ("fr", "Français"),
    ("en", "English"),
]
STAFF_LANGUAGES = ["nl", "en"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: console by default; EMAIL_URL in production, e.g. smtp+tls://user:pass@host:587 (STARTTLS).
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / ".test-artifacts" / "mail"))
for _key in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL"):
    if _key in _email:
        globals()[_key] = _email[_key]
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Uitleenportaal <noreply@uitleenportaal.local>")

# Text messages (portal/sms.py): the class that hands an SMS to a gateway. The default writes only
# that a message would leave; production needs a real gateway.
SMS_BACKEND = env.str("SMS_BACKEND", default="portal.sms.LogBackend")

# Celery: eager without a broker so `make run` needs nothing but Python.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker died before acknowledging it (acks_late) goes back to the queue after this
# many seconds (Redis broker). It must be longer than the longest task, or a slow task runs twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {}
# Nightly reminders: plan at 02:00 (Brussels), send every 15 minutes (quiet hours apply).
CELERY_BEAT_SCHEDULE["reminders-plan-nightly"] = {
    "task": "reminders.tasks.plan_nightly_reminders",
    "schedule": crontab(hour=env.int("REMINDERS_NIGHTLY_HOUR", default=2), minute=0),
}
CELERY_BEAT_SCHEDULE["reminders-send-due"] = {
    "task": "reminders.tasks.send_due_reminders",
    "schedule": crontab(minute="*/15"),
}
# Families get messages between these local hours only (Europe/Brussels): never at night.
REMINDERS_SEND_FROM_HOUR = env.int("REMINDERS_SEND_FROM_HOUR", default=8)
REMINDERS_SEND_UNTIL_HOUR = env.int("REMINDERS_SEND_UNTIL_HOUR", default=20)
if not 0 <= REMINDERS_SEND_FROM_HOUR < REMINDERS_SEND_UNTIL_HOUR <= 24:
    raise ImproperlyConfigured("REMINDERS_SEND_FROM_HOUR must be before REMINDERS_SEND_UNTIL_HOUR, both 0-24.")
# Personal data (privacy/retention.py): families' data goes this many months after the last loan
# ended and the pupils left; signature evidence this many months after the agreement's loan ended
# (the legal period: to be confirmed by the school board's DPO). Runs nightly at 03:30.
RETENTION_MONTHS = env.int("RETENTION_MONTHS", default=12)
SIGNATURE_EVIDENCE_MONTHS = env.int("SIGNATURE_EVIDENCE_MONTHS", default=60)
CELERY_BEAT_SCHEDULE["retention-nightly"] = {
    "task": "privacy.tasks.apply_retention",
    "schedule": crontab(hour=3, minute=30),
}
# Agreement PDFs whose render task was lost (a killed worker, see lending.tasks.render_missing_pdfs).
CELERY_BEAT_SCHEDULE["agreements-render-missing-pdfs"] = {
    "task": "lending.tasks.render_missing_pdfs",
    "schedule": crontab(minute="7,22,37,52"),
}
# The figures roll-up for the LOP and Flanders reports, recomputed for every school each night
# (writes refresh their own school at once; see reports/rollup.py).
CELERY_BEAT_SCHEDULE["reports-refresh-figures"] = {
    "task": "reports.tasks.refresh_all_figures",
    "schedule": crontab(hour=4, minute=15),
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# HTTPS behaviour. Production sits behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The container health check probes over plain HTTP from inside the stack.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content security policy (django-csp): only our own static files run; no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Bootstrap's icons (navbar toggler, form validation) are SVG data URIs in its CSS.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Login rate limiting (django-axes): AXES_FAILURE_LIMIT wrong passwords for one e-mail address
# from one IP address lock that pair for AXES_COOLOFF_MINUTES. Other users and addresses go on.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.login_limits.lockout_response"
AXES_CLIENT_IP_CALLABLE = "portal.login_limits.client_ip"
AXES_USERNAME_CALLABLE = "portal.login_limits.login_name"
AXES_VERBOSE = False
# Number of reverse proxies in front of the portal that append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Two-step login (django-otp, TOTP): the issuer name shown in the authenticator app.
OTP_TOTP_ISSUER = "Uitleenportaal"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Reports count pupils from this primary grade on (the Digisprong scope starts at the 5th year).
REPORT_FIRST_PRIMARY_GRADE = env.int("REPORT_FIRST_PRIMARY_GRADE", default=5)

# The demo: printed by `make run`, never enabled in production.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-uitlenen-2026")
