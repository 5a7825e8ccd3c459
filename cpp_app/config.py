"""Configuration classes; every setting can be overridden by a CPP_* environment variable."""
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("CPP_INSTANCE_DIR", BASE_DIR / "instance"))


def _env(name, default=None):
    return os.environ.get(f"CPP_{name}", default)


def _instance_secret_key() -> str:
    """A key generated once per installation, kept out of the repository."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    ENV_NAME = "development"
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # The CSRF token lives as long as the session: a slow form-filler must not lose work.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    # Absolute lifetimes of a sign-in, and how long it may sit unused before it ends.
    REMEMBER_COOKIE_DURATION_DAYS = 30
    SESSION_LIFETIME_HOURS = 12
    SESSION_IDLE_MINUTES = 120
    REMEMBER_IDLE_DAYS = 14
    # The mailed one-time code of the second factor (methodologists and admins).
    LOGIN_CODE_TTL_MINUTES = 10
    LOGIN_CODE_MAX_ATTEMPTS = 5
    HSTS_SECONDS = 0
    LOG_FORMAT = "text"  # text | json
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    # The non-file part of a form (Flask's 500 kB default is too small): the program constructor may post five
    # 20,000-character sections and 2,000-character road-map texts, ~6 bytes a Cyrillic letter URL-encoded.
    MAX_FORM_MEMORY_SIZE = 4 * 1024 * 1024
    MAX_FORM_PARTS = 2000  # the constructor posts about eight fields per road-map action
    # Wall-clock budget for reading one uploaded register (CSV/XLSX), inline in the request: under gunicorn's timeout.
    TABULAR_PARSE_SECONDS = 10
    # Per signed-in user: file uploads (POSTs of a form with a file) and PDF/DOCX renders (stored copies are free).
    UPLOAD_RATE_LIMIT = "30/hour"
    RENDER_RATE_LIMIT = "20/minute"

    # argon2id with OWASP's first recommended configuration (46 MiB, one pass, one lane). The memory is what costs
    # an attacker's GPUs; more lanes only compete with the other workers on a 2-core server, and RFC 9106's
    # 64 MiB × 3 passes × 4 lanes took 170 ms of CPU per sign-in — the tail of the load test. Stored hashes with
    # other parameters are rehashed at the next sign-in.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 46 * 1024
    ARGON2_PARALLELISM = 1

    PASSWORD_RESET_MAX_AGE = 60 * 60
    # The link confirming an e-mail address; an account whose address stays unconfirmed is removed after the days.
    EMAIL_CONFIRMATION_MAX_AGE = 72 * 60 * 60
    UNCONFIRMED_ACCOUNT_DAYS = 7
    # The address people reach the service at: every link in mail and documents is built from it, never from the
    # request's Host header (which an attacker sets). Requests naming another host are refused (TRUSTED_HOSTS).
    PUBLIC_URL = "http://127.0.0.1:5000"
    # Hosts besides PUBLIC_URL's that may address the app: local health checks and the development server.
    EXTRA_TRUSTED_HOSTS = ("localhost", "127.0.0.1")
    # Account mail (password resets, lock-out and registration notices, confirmations) per recipient address.
    MAIL_RECIPIENT_LIMIT = "3/hour"
    MAIL_BACKEND = "file"  # file | smtp | memory
    MAIL_SENDER = "ЦПП КК ИПК <noreply@cpp.kipk.ru>"
    MAIL_DIR = None
    SMTP_HOST = "localhost"
    SMTP_PORT = 25

    # Campaign letters per run of `flask send-campaign-mail`; its timer's interval makes this the hourly throttle.
    CAMPAIGN_MAIL_BATCH = 500

    # `flask refresh-monitoring` rebuilds the monitoring figures every 10 minutes (a timer); a page finding them
    # older than this (the timer stopped, or `make run` has none) asks for a rebuild as a background job.
    MONITORING_MAX_AGE_SECONDS = 900

    # Background jobs go to an RQ queue on this Redis (CPP_REDIS_URL, shared with the rate limits); without it they
    # run in the same process right after the commit (see cpp_app/jobs.py).
    REDIS_URL = None
    JOB_TIMEOUT_SECONDS = 600

    # Uploads and generated documents (cpp_app/storage.py): None is <instance>/uploads. Several app servers and the
    # queue workers mount the same shared directory here, or keep the files in an S3-compatible object store
    # (STORAGE_URL s3://bucket/prefix; S3_ENDPOINT_URL for a store other than Amazon's).
    STORAGE_DIR = None
    STORAGE_URL = None
    S3_ENDPOINT_URL = None

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = True

    @classmethod
    def load(cls) -> dict:
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        settings["SECRET_KEY"] = _env("SECRET_KEY") or cls.default_secret_key()
        settings["SQLALCHEMY_DATABASE_URI"] = _env("DATABASE_URL") or cls.default_database_url()
        settings["MAIL_BACKEND"] = _env("MAIL_BACKEND", settings["MAIL_BACKEND"])
        settings["MAIL_DIR"] = _env("MAIL_DIR") or str(INSTANCE_DIR / "mail")
        settings["SMTP_HOST"] = _env("SMTP_HOST", settings["SMTP_HOST"])
        settings["SMTP_PORT"] = int(_env("SMTP_PORT", settings["SMTP_PORT"]))
        settings["CAMPAIGN_MAIL_BATCH"] = int(_env("CAMPAIGN_MAIL_BATCH", settings["CAMPAIGN_MAIL_BATCH"]))
        settings["PUBLIC_URL"] = (_env("PUBLIC_URL") or cls.default_public_url()).rstrip("/")
        extra_hosts = _env("TRUSTED_HOSTS")
        if extra_hosts is not None:
            settings["EXTRA_TRUSTED_HOSTS"] = tuple(h.strip() for h in extra_hosts.split(",") if h.strip())
        settings["TRUSTED_HOSTS"] = trusted_hosts(settings["PUBLIC_URL"], settings["EXTRA_TRUSTED_HOSTS"])
        for name in ("STORAGE_DIR", "STORAGE_URL", "S3_ENDPOINT_URL"):
            settings[name] = _env(name, settings[name])
        redis_url = _env("REDIS_URL")
        if redis_url:
            settings["RATELIMIT_STORAGE_URI"] = redis_url
            settings["REDIS_URL"] = redis_url
        return settings

    @classmethod
    def default_secret_key(cls):
        return _instance_secret_key()

    @classmethod
    def default_public_url(cls):
        return cls.PUBLIC_URL

    @classmethod
    def default_database_url(cls):
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE_DIR / 'cpp.sqlite3'}"


def trusted_hosts(public_url: str, extra: tuple[str, ...]) -> list[str]:
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RuntimeError(f"CPP_PUBLIC_URL must be an http(s) address such as https://cpp.example.ru, not {public_url!r}")
    return list(dict.fromkeys([parts.hostname, *extra]))


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    MAIL_BACKEND = "memory"
    # Cheap hashes keep the suite fast; production parameters are tested separately.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    MONITORING_MAX_AGE_SECONDS = 24 * 3600  # tests rebuild the figures themselves (figures.refresh) when they need to
    PUBLIC_URL = "http://localhost"  # the test client's own host

    @classmethod
    def default_secret_key(cls):
        return "testing-only-secret"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    MAIL_BACKEND = "smtp"
    HSTS_SECONDS = 365 * 24 * 60 * 60
    LOG_FORMAT = "json"

    @classmethod
    def default_secret_key(cls):
        raise RuntimeError("CPP_SECRET_KEY must be set in production")

    @classmethod
    def default_public_url(cls):
        raise RuntimeError("CPP_PUBLIC_URL must be set in production (e.g. https://cpp.kipk.ru): links in mail use it")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None) -> dict:
    name = name or _env("ENV", "development")
    try:
        return CONFIGS[name].load()
    except KeyError:
        raise RuntimeError(f"Unknown CPP_ENV {name!r}; expected one of {sorted(CONFIGS)}") from None
