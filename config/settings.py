"""One settings module for every environment, read from environment variables.

With nothing set, the portal runs on embedded defaults: SQLite, Celery tasks executed
eagerly in-process, and mail printed to the console. Production sets DATABASE_URL,
REDIS_URL, EMAIL_URL, SECRET_KEY and DEBUG=false.
"""
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

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
    "anymail",
    # "Log in with Microsoft / Google" (OpenID Connect); accounts come only from invitations (portal/invitations.py).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
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
    "portal.middleware.StripControlCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.idle_sessions.IdleTimeoutMiddleware",
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

# Invitations to staff (portal/invitations.py): the link in the mail works once, for this many days.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)

# "Log in with Microsoft" and "Log in with Google" (django-allauth, OpenID Connect; portal/school_login.py).
# A button shows only when its client id is set. Nobody signs up this way: the address must belong to
# an account or to an open invitation. README.md says how to register the app in Entra ID and Google.
MICROSOFT_LOGIN_CLIENT_ID = env.str("MICROSOFT_LOGIN_CLIENT_ID", default="")
MICROSOFT_LOGIN_SECRET = env.str("MICROSOFT_LOGIN_SECRET", default="")
# A tenant id or domain for one school board's Entra ID; "organizations" for any school's work account.
MICROSOFT_LOGIN_TENANT = env.str("MICROSOFT_LOGIN_TENANT", default="organizations")
GOOGLE_LOGIN_CLIENT_ID = env.str("GOOGLE_LOGIN_CLIENT_ID", default="")
GOOGLE_LOGIN_SECRET = env.str("GOOGLE_LOGIN_SECRET", default="")
_school_login_apps = []
if MICROSOFT_LOGIN_CLIENT_ID:
    _school_login_apps.append({
        "provider_id": "microsoft", "name": "Microsoft", "client_id": MICROSOFT_LOGIN_CLIENT_ID,
        "secret": MICROSOFT_LOGIN_SECRET,
        "settings": {"server_url": f"https://login.microsoftonline.com/{MICROSOFT_LOGIN_TENANT}/v2.0"},
    })
if GOOGLE_LOGIN_CLIENT_ID:
    _school_login_apps.append({
        "provider_id": "google", "name": "Google", "client_id": GOOGLE_LOGIN_CLIENT_ID,
        "secret": GOOGLE_LOGIN_SECRET, "settings": {"server_url": "https://accounts.google.com"},
    })
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": _school_login_apps}}
SCHOOL_LOGIN_ORIGINS = sorted({"{0.scheme}://{0.netloc}".format(urlsplit(app["settings"]["server_url"]))
                               for app in _school_login_apps})
SOCIALACCOUNT_ADAPTER = "portal.school_login.SchoolLoginAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_LOGIN_ON_GET = False  # the buttons POST, so no other site can start a login in the user's name
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # portal/school_login.py links accounts itself, keeping passwords
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "portal.school_login.NoSignupAccountAdapter"

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

# Mail: console by default; EMAIL_URL in production. SMTP (smtp+tls://user:pass@host:587) works,
# but only a provider's API reports bounces back: brevo://API_KEY@ or mailjet://API_KEY:SECRET@
# (django-anymail; `?api_url=` points it elsewhere, as the tests do). Their tracking webhooks post to
# /anymail/<provider>/tracking/ with HTTP basic auth ANYMAIL_WEBHOOK_SECRET ("user:password").
_email_url = env.str("EMAIL_URL", default="consolemail://")
_email_parts = urlsplit(_email_url)
_email_query = dict(parse_qsl(_email_parts.query))
ANYMAIL = {"WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default="") or None}
if _email_parts.scheme in ("brevo", "mailjet"):
    _provider = _email_parts.scheme.upper()
    EMAIL_BACKEND = f"anymail.backends.{_email_parts.scheme}.EmailBackend"
    if _email_parts.scheme == "brevo":
        ANYMAIL["BREVO_API_KEY"] = unquote(_email_parts.username or "")
    else:
        ANYMAIL["MAILJET_API_KEY"] = unquote(_email_parts.username or "")
        ANYMAIL["MAILJET_SECRET_KEY"] = unquote(_email_parts.password or "")
    if "api_url" in _email_query:
        ANYMAIL[f"{_provider}_API_URL"] = _email_query["api_url"]
else:
    _email = env.email_url_config(_email_url)
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    for _key in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL"):
        if _key in _email:
            globals()[_key] = _email[_key]
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / ".test-artifacts" / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Uitleenportaal <noreply@uitleenportaal.local>")

# Text messages (portal/sms.py): twilio://SID:TOKEN@?from=..., json+https://TOKEN@gateway/path, or
# log:// (development: nothing leaves) and locmem:// (tests). `check --deploy` refuses log and locmem.
SMS_URL = env.str("SMS_URL", default="log://")
# The key that signs the JSON gateway's delivery receipts (X-Signature, HMAC-SHA256 of the body).
SMS_WEBHOOK_SECRET = env.str("SMS_WEBHOOK_SECRET", default="")
# The portal's public address (https://uitleen.example.be): providers post delivery receipts there.
PUBLIC_URL = env.str("PUBLIC_URL", default="")
# Key for the Smartschool access codes stored in the database (default: derived from SECRET_KEY,
# so a new SECRET_KEY means entering the codes again).
SMARTSCHOOL_ENCRYPTION_KEY = env.str("SMARTSCHOOL_ENCRYPTION_KEY", default="")

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

# The school's documents (portal/jobs.py): delete those past DOCUMENTS_KEEP_DAYS, queue lost jobs again.
CELERY_BEAT_SCHEDULE["jobs-housekeeping"] = {
    "task": "portal.tasks.jobs_housekeeping",
    "schedule": crontab(minute="*/10"),
}

CACHES = {
    "default": (
        # One Redis client per pool, not one per call: portal/redis_cache.py.
        {"BACKEND": "portal.redis_cache.KeptClientRedisCache", "LOCATION": REDIS_URL}
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
        # The "Log in with ..." buttons post here and are sent on to the provider's sign-in page.
        "form-action": ["'self'", *SCHOOL_LOGIN_ORIGINS],
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

# Password reset: at most this many requests per e-mail address and per client address an hour (the
# rest get a "try again later" page); the same answer whether or not the address has an account.
PASSWORD_RESET_PER_ADDRESS = env.int("PASSWORD_RESET_PER_ADDRESS", default=3)
PASSWORD_RESET_PER_IP = env.int("PASSWORD_RESET_PER_IP", default=10)
# Staff sessions end after this many hours without a request (portal/middleware.py), and on a
# password change (Django ends every other session of that user; the one that changed it goes on).
SESSION_IDLE_HOURS = env.int("SESSION_IDLE_HOURS", default=8)
SESSION_COOKIE_AGE = SESSION_IDLE_HOURS * 3600

# Two-step login (django-otp, TOTP): the issuer name shown in the authenticator app.
OTP_TOTP_ISSUER = "Uitleenportaal"

# Uploaded tables (portal/read_limits.py): a file past any of these limits is refused at once, whatever
# it claims about itself: rows per file, columns, characters in one cell, filled cells in all, and
# seconds of work (CPU time) spent reading it.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=100)
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=1_000)
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=400_000)
IMPORT_MAX_SECONDS = env.float("IMPORT_MAX_SECONDS", default=5.0)
# Imports of more rows than this run as a task with a progress bar, not in the request.
IMPORT_ROWS_IN_REQUEST = env.int("IMPORT_ROWS_IN_REQUEST", default=300)
# Days a school's generated documents (letters, label sheets, exports) stay on its documents page.
DOCUMENTS_KEEP_DAYS = env.int("DOCUMENTS_KEEP_DAYS", default=3)
for _name in ("IMPORT_MAX_ROWS", "IMPORT_MAX_COLUMNS", "IMPORT_MAX_CELL_CHARS", "IMPORT_MAX_CELLS",
              "IMPORT_MAX_SECONDS", "IMPORT_ROWS_IN_REQUEST", "DOCUMENTS_KEEP_DAYS"):
    if globals()[_name] <= 0:
        raise ImproperlyConfigured(f"{_name} must be a positive number.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No family's link token in any line ("Not Found: /s/<token>/"): portal/log_redaction.py.
    "filters": {"redact_link_tokens": {"()": "portal.log_redaction.RedactLinkTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["redact_link_tokens"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"},
                # runserver's request lines, through the same filtered handler.
                "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# Reports count pupils from this primary grade on (the Digisprong scope starts at the 5th year).
REPORT_FIRST_PRIMARY_GRADE = env.int("REPORT_FIRST_PRIMARY_GRADE", default=5)
# A pupil who left the school with a device still out shows on the coordinator's daily digest after
# this many school days (the leavers' worklist at /desk/leavers/ shows them at once).
LEAVER_GRACE_SCHOOL_DAYS = env.int("LEAVER_GRACE_SCHOOL_DAYS", default=5)

# The demo: printed by `make run`, never enabled in production.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-uitlenen-2026")
