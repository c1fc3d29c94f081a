"""Settings read from the environment, with defaults that run on one machine with no server.

Every variable is documented in docs/configuration.md.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
APPLICATION_NAME = env.str("APPLICATION_NAME", default="Démarches")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "django_htmx",
    "django_celery_beat",
    "dsfr",
    "demarches.core",
    "demarches.audit",
    "demarches.accounts",
    "demarches.fields",
    "demarches.procedures",
    "demarches.dossiers",
    "demarches.instruction",
    "demarches.referentiels",
    "demarches.documents",
    "demarches.exports",
    "demarches.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # FR/EN switch: the language chosen in the header (cookie), French by default (see that module).
    "demarches.dossiers.langue.LangueMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "demarches.accounts.middleware.VerificationAppareilMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "demarches.urls"
WSGI_APPLICATION = "demarches.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "demarches.accounts.context_processors.profiles",
            ],
        },
    }
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}

# Memory of this process by default. The instructeurs' tab counters are remembered there
# (instruction/compteurs.py: each process reads what changed from the database, so a shared cache
# only saves the first count of each process), e.g. CACHE_URL=redis://127.0.0.1:6379/1.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
COMPTEURS_CACHE_SECONDS = env.int("COMPTEURS_CACHE_SECONDS", default=6 * 3600)
COMPTEURS_TRANCHE = env.int("COMPTEURS_TRANCHE", default=4096)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The JIT compiler costs more than it saves on the dossier list's counters (measured: +1 s on 100 000 dossiers).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "demarches.accounts.backends.LockingAuthenticationBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "demarches.accounts.password_strength.StrengthValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# Accounts (django-allauth)
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_CHANGE_EMAIL = True  # a confirmed new address replaces the old one (one address per account)
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_ADAPTER = "demarches.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "demarches.accounts.forms.SignupForm", "login": "demarches.accounts.forms.LoginForm"}
ACCOUNT_RATE_LIMITS = {"login_failed": False}
ACCOUNT_MAX_FAILED_LOGINS = env.int("ACCOUNT_MAX_FAILED_LOGINS", default=6)
ACCOUNT_LOCK_DURATION_MINUTES = env.int("ACCOUNT_LOCK_DURATION_MINUTES", default=60)

# --- FranceConnect (usagers) and ProConnect (agents): OpenID Connect through allauth.socialaccount ---------
# Each identity provider is enabled by its issuer URL; with an empty issuer its button is not shown.
# Callback URLs to declare at the provider: <SITE_URL>/comptes/oidc/franceconnect/login/callback/ and
# <SITE_URL>/comptes/oidc/proconnect/login/callback/. See docs/configuration.md.
INSTALLED_APPS += ["allauth.socialaccount", "allauth.socialaccount.providers.openid_connect"]
FRANCECONNECT_ISSUER = env.str("FRANCECONNECT_ISSUER", default="")
FRANCECONNECT_CLIENT_ID = env.str("FRANCECONNECT_CLIENT_ID", default="")
FRANCECONNECT_CLIENT_SECRET = env.str("FRANCECONNECT_CLIENT_SECRET", default="")
PROCONNECT_ISSUER = env.str("PROCONNECT_ISSUER", default="")
PROCONNECT_CLIENT_ID = env.str("PROCONNECT_CLIENT_ID", default="")
PROCONNECT_CLIENT_SECRET = env.str("PROCONNECT_CLIENT_SECRET", default="")


def _oidc_app(provider_id: str, name: str, issuer: str, client_id: str, secret: str) -> list[dict]:
    """One allauth openid_connect app, or none when the provider has no issuer."""
    if not issuer:
        return []
    return [{
        "provider_id": provider_id, "name": name, "client_id": client_id, "secret": secret,
        "settings": {"server_url": issuer, "token_auth_method": "client_secret_post"},
    }]


SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            *_oidc_app("franceconnect", "FranceConnect", FRANCECONNECT_ISSUER, FRANCECONNECT_CLIENT_ID,
                      FRANCECONNECT_CLIENT_SECRET),
            *_oidc_app("proconnect", "ProConnect", PROCONNECT_ISSUER, PROCONNECT_CLIENT_ID, PROCONNECT_CLIENT_SECRET),
        ],
    }
}
# The e-mail given by these State identity providers is trusted (verified on their side). An address that
# already has an account is never merged silently: demarches.accounts.social asks for the password or an
# e-mailed link first.
SOCIALACCOUNT_ADAPTER = "demarches.accounts.social.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
# --- end of FranceConnect / ProConnect ---------------------------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "langue"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules/htmx.org/dist"),
    # Map champs (fields/types/carte.py): loaded by fields/static/fields/carte.js from fields/vendor/.
    ("fields/vendor/leaflet", BASE_DIR / "node_modules/leaflet/dist"),
    ("fields/vendor/leaflet-geoman", BASE_DIR / "node_modules/@geoman-io/leaflet-geoman-free/dist"),
    ("fields/vendor/togeojson", BASE_DIR / "node_modules/@tmcw/togeojson/dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": env.str("FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": env.str("STATIC_STORAGE", default="django.contrib.staticfiles.storage.StaticFilesStorage")},
}
# S3-compatible storage (FILE_STORAGE=storages.backends.s3.S3Storage) reads AWS_* variables.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None

# Called after commit with (dossier_id, transition_name) on every state change of a dossier, by
# dotted path so that apps downstream of dossiers (webhooks, documents) hook in without the
# dossiers app importing them.
DOSSIER_STATE_CHANGE_HANDLERS = env.list(
    "DOSSIER_STATE_CHANGE_HANDLERS",
    default=[
        "demarches.documents.handlers.dossier_etat_change",
        "demarches.api.webhooks.on_state_change",
        "demarches.fields.types.titre_identite.dossier_etat_change",
    ],
)

# The instructeurs' « gestion des notifications » filters the instant e-mails the dossiers app sends them.
INSTRUCTEURS_NOTIFICATIONS_FILTRE = "demarches.instruction.notifications.sans_refus"

# Reference data and external services (demarches/referentiels). Adapters are offline by default:
# {"adresse": "ban", "entreprise": "api", "association": "api", "cadastre": "apicarto"} switches to the real services.
REFERENTIELS_SOURCE = env.str("REFERENTIELS_SOURCE", default="")
REFERENTIELS_ADAPTATEURS = env.dict("REFERENTIELS_ADAPTATEURS", default={})
REFERENTIELS_TIMEOUT = env.float("REFERENTIELS_TIMEOUT", default=3.0)
REFERENTIELS_LIMITE_PAR_MINUTE = env.int("REFERENTIELS_LIMITE_PAR_MINUTE", default=120)
REFERENTIELS_CADASTRE_URL = env.str("REFERENTIELS_CADASTRE_URL", default="")  # API Carto; empty: https://apicarto.ign.fr/api
# Map champs: background tiles (empty: no tiles, the drawn geometries on a plain background, fully offline).
CARTE_TUILES_URL = env.str("CARTE_TUILES_URL", default="")  # e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png
CARTE_TUILES_ATTRIBUTION = env.str("CARTE_TUILES_ATTRIBUTION", default="")
PREFILL_API_LIMITE_PAR_MINUTE = env.int("PREFILL_API_LIMITE_PAR_MINUTE", default=20)

# Limits from the reference platform (seeds), configurable.
PIECE_JUSTIFICATIVE_MAX_SIZE = env.int("PIECE_JUSTIFICATIVE_MAX_SIZE", default=200 * 1024 * 1024)
PIECE_JUSTIFICATIVE_MAX_FILES = env.int("PIECE_JUSTIFICATIVE_MAX_FILES", default=10)
INVITATION_DOSSIER_VALIDITE_JOURS = env.int("INVITATION_DOSSIER_VALIDITE_JOURS", default=30)  # co-editor invitations
MESSAGE_ATTACHMENT_MAX_SIZE = env.int("MESSAGE_ATTACHMENT_MAX_SIZE", default=20 * 1024 * 1024)
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=400)
ATTESTATION_IMAGE_MAX_SIZE = env.int("ATTESTATION_IMAGE_MAX_SIZE", default=1024 * 1024)
JUSTIFICATIF_MOTIVATION_MAX_SIZE = env.int("JUSTIFICATIF_MOTIVATION_MAX_SIZE", default=20 * 1024 * 1024)
DUREE_CONSERVATION_DOSSIERS_MAX = env.int("DUREE_CONSERVATION_DOSSIERS_MAX", default=36)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# E-mail: every message is recorded (core.OutgoingEmail) then delivered by a background job.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Démarches <ne-pas-repondre@demarches.localhost>")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)

# Background jobs. The default broker is a SQLite file: no server to install.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # Periodic jobs live here; the database scheduler copies them so operators can tune them in the admin.
    "relancer-emails-en-attente": {"task": "demarches.core.tasks.deliver_pending_emails", "schedule": 300.0},
    "purger-et-reprendre-exports": {"task": "demarches.exports.tasks.exports_purger", "schedule": 300.0},
    "retention-dossiers-usagers": {"task": "demarches.dossiers.tasks.dossiers_retention", "schedule": 3600.0},
    "purger-dossiers-supprimes-administration": {
        "task": "demarches.instruction.tasks.dossiers_supprimes_purger", "schedule": crontab(minute=0, hour=2),
    },
    "clore-demarches-date-limite": {"task": "demarches.procedures.tasks.procedures_clore_a_date_limite", "schedule": 3600.0},
    "recapitulatif-quotidien-instructeurs": {
        "task": "demarches.instruction.tasks.recapitulatifs_quotidiens_envoyer",
        "schedule": crontab(minute=0, hour=9, day_of_week="mon-fri"),
    },
    "bilan-hebdomadaire-instructeurs": {
        "task": "demarches.instruction.tasks.bilans_hebdomadaires_envoyer",
        "schedule": crontab(minute=5, hour=4, day_of_week="mon"),
    },
    "reprendre-actions-groupees": {"task": "demarches.instruction.liste.tasks.actions_groupees_reprendre", "schedule": 60.0},
    "purger-journal-compteurs": {"task": "demarches.instruction.tasks.compteurs_journal_purger", "schedule": 3600.0},
    "reconcilier-index-liste": {"task": "demarches.instruction.liste.tasks.liste_index_reconcilier", "schedule": 86400.0},
    "prevenir-expiration-jetons-api": {"task": "demarches.api.tasks.api_tokens_expiration_prevenir", "schedule": 3600.0},
    "renouveler-connexions-securisees": {
        "task": "demarches.accounts.tasks.appareils_renouvellements_envoyer",
        "schedule": 3600.0,
    },
}

# Agents confirm each new browser through an e-mailed link; the browser is then trusted this many days.
TRUSTED_DEVICE_ENABLED = env.bool("TRUSTED_DEVICE_ENABLED", default=True)
TRUSTED_DEVICE_DAYS = env.int("TRUSTED_DEVICE_DAYS", default=30)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
