"""Minimal Django settings for a django-helpdesk test server on loopback.

Everything that varies per test session comes from the environment: DH_DB
(the SQLite file, a copy of the migrated template) and DH_MAIL_DIR (outgoing
mail is written there as files, never sent). Not for production: the secret
key is fixed and DEBUG is on so a server error shows its traceback in the log.
"""

import os

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = "triage-tui-tests-only-not-secret"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SITE_ID = 1
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
    "triage_seed",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DH_DB", os.path.join(BASE_DIR, "helpdesk.sqlite3")),
        # The API and the seeding endpoint write at the same time: IMMEDIATE
        # transactions wait for the lock (up to the timeout) instead of failing
        # with "database is locked" when a read turns into a write.
        "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

STATIC_URL = "/static/"
MEDIA_ROOT = os.environ.get("DH_MEDIA", os.path.join(BASE_DIR, "media"))

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ.get("DH_MAIL_DIR", os.path.join(BASE_DIR, "mail"))
DEFAULT_FROM_EMAIL = "helpdesk@triage.test"

HELPDESK_TEAMS_MODE_ENABLED = False
HELPDESK_KB_ENABLED = True

# DRF Basic authentication checks the password on every request; with
# Django's default PBKDF2 (1 000 000 iterations) that is ~0.5 s each, which
# would dominate the suite. Django's own advice for test settings: MD5.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.BasicAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
}

LOGGING = {
    "version": 1,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
