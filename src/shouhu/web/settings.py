"""Settings, all from the environment (a `*_FILE` variant reads a secret from a file).

SHOUHU_DATABASE_URL   sqlite:///path or postgresql://user@host:port/db (default: SQLite in var/)
SHOUHU_DATA_DIR       where the embedded database and uploads live (default: ./var)
SHOUHU_SECRET_KEY     Django secret key (a development key is generated into the data dir)
SHOUHU_DEBUG          1 for debug pages
SHOUHU_ALLOWED_HOSTS  comma-separated

Behind HTTPS (all off by default, for the local demo over http):
SHOUHU_SECURE_COOKIES      1: session and CSRF cookies only over HTTPS (`Secure`)
SHOUHU_HSTS_SECONDS        Strict-Transport-Security max-age (0: no header); e.g. 31536000
SHOUHU_SSL_REDIRECT        1: redirect http to https
SHOUHU_PROXY_SSL_HEADER    the header a trusted proxy sets to "https", e.g. X-Forwarded-Proto
SHOUHU_CLIENT_IP_HEADER    the header a trusted reverse proxy sets to the client address, e.g.
                           X-Real-IP (the last address of X-Forwarded-For is taken)
SHOUHU_CLIENT_CERT_HEADER  the header the proxy sets to the client certificate it verified (URL-
                           escaped PEM, nginx $ssl_client_escaped_cert), e.g. X-Client-Cert; read
                           only on connections from SHOUHU_TRUSTED_PROXIES (deploy/nginx/)
SHOUHU_TRUSTED_PROXIES     addresses or networks of the reverse proxy, comma-separated
                           (default 127.0.0.1,::1)

Sign-in and sessions:
SHOUHU_SESSION_IDLE_MINUTES    signed out after this long without a request (30)
SHOUHU_SESSION_HOURS           signed out this long after signing in, whatever happens (8)
SHOUHU_SIGNIN_WINDOW_MINUTES   sliding window of the sign-in limits (15)
SHOUHU_SIGNIN_LIMIT_PAIR       failures from one address for one user name (5)
SHOUHU_SIGNIN_LIMIT_ADDRESS    failures from one address for any user name (20)
SHOUHU_SIGNIN_LIMIT_ACCOUNT    failures for one user name from any address (50)
SHOUHU_API_LIMIT_PER_MINUTE    HTTP API requests per credential per minute (120)
SHOUHU_SEARCH_LIMIT_PER_MINUTE person searches per user per minute (20), against bulk collection
SHOUHU_SEARCH_LIMIT_PER_DAY    person searches per user per day (600)
SHOUHU_DEMO_SECOND_FACTOR      known (default): `shouhu demo` enrols the demo accounts that need a
                               second factor with known secrets; enrol: they enrol at first sign-in

Mail (reminders; without it reminders stay on each user's to-do list only):
SHOUHU_SMTP_URL     smtp://user:password@host:port (smtps:// for TLS, smtp+starttls:// for STARTTLS)
SHOUHU_MAIL_FROM    the sender, e.g. 守护平台 <shouhu@mzj.gov.cn>
SHOUHU_BASE_URL     the platform's address as users reach it, for links in mail
SHOUHU_REMIND_DAYS  remind departments this many days before an item is due (3)
SHOUHU_SHARE_PUBLISH_DAY  the day of the month outbound lists go out by themselves where anything
                    changed, the departments notified (7; 0: only by hand)
SHOUHU_SMS_GATEWAY  import path of the SMS gateway class for urgent notices (log only, masked)

Subsidies:
SHOUHU_BANK_LAYOUT             a TOML file with the columns of the bank batch file (default: the
                               example layout shipped in web/subsidies/layouts/example.toml)

Offline field work (docs/offline-data.md):
SHOUHU_FIELD_PHOTO_DIR      where visit photos uploaded from phones are kept (default: visit-photos
                            in the data dir)
SHOUHU_FIELD_RETRY_SECONDS  how often the phone retries to sync queued records (15)

Documents of applications and cases (证明材料; web/cases/documents.py):
SHOUHU_DOCUMENT_DIR   where the encrypted scans are kept (default: documents in the data dir)
SHOUHU_DOCUMENT_KEY   64 hex digits, the AES-256-GCM key the scans are encrypted with (use
                      SHOUHU_DOCUMENT_KEY_FILE in production); default: derived from the secret key,
                      for the embedded demo only

Keys kept outside the database (docs/operations.md "Keys"; both go into `shouhu backup --keys`):
SHOUHU_AUDIT_KEY_FILE  the audit log's SM3-HMAC key ring (default: audit.keys in the data dir)
SHOUHU_AUDIT_WITNESS   the append-only file of signed checkpoints (default: audit-witness.log)
SHOUHU_FIELD_KEY_FILE  the SM4 key ring that seals highly sensitive free text in facts (case
                       numbers, diseases…; default: field.keys in the data dir, made 0600 on
                       first use); rotate with `shouhu sealing rotate-key` / `reseal`

Query-only items (issue 19; src/shouhu/web/queries):
SHOUHU_QUERY_ONLY_ITEMS        comma-separated item codes this deployment does not accept pushed
                               lists for (e.g. justice_custody); answers come from queries
SHOUHU_QUERY_SERVED_ITEMS      on a department's instance: the items it answers queries about
SHOUHU_QUERY_PEERS             on civil affairs' instance: JSON {"item": {"url": "https://…/api/v1",
                               "token_file": "/run/secrets/…", "name": optional Chinese name of
                               the department asked, shown on the ask page and in the query log
                               (e.g. "市公安局"; default: the item's department type, e.g.
                               "司法行政部门"), "ca_file": optional CA bundle,
                               "cert_file"/"key_file": optional client certificate (PEM)}},
                               the department instance to ask (https; loopback http for tests)
SHOUHU_QUERY_PERSONS_PER_DAY   persons one credential may ask about per 24 hours (2000)

Running it (docs/operations.md):
SHOUHU_LOG_FORMAT       json (default: one JSON object a line, with the request id) or text
SHOUHU_LOG_LEVEL        INFO (default; every request is one line on `shouhu.request`) or WARNING
SHOUHU_METRICS_TOKEN    /metrics also answers `Authorization: Bearer <token>` (else loopback only)
SHOUHU_DB_CONN_MAX_AGE  seconds a PostgreSQL connection is reused (60; 0 = one per request)
SHOUHU_PG_SYNCHRONOUS_COMMIT  off: commits do not wait for the disk (default: the server's, on)
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse


def env(name: str, default: str = "") -> str:
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


DATA_DIR = Path(env("SHOUHU_DATA_DIR", str(Path.cwd() / "var"))).resolve()


def _owner_only_dir(path: Path) -> None:
    """The data directory holds children's health and criminal data: owner only (0700)."""
    path.mkdir(parents=True, exist_ok=True)
    if path.stat().st_uid == os.getuid():
        path.chmod(0o700)


def _owner_only_file(path: Path) -> None:
    """Create the SQLite file before SQLite does, as 0600: its -wal and -shm files take the same
    mode (SQLite copies it), where the process umask would give 0644."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    if path.stat().st_uid == os.getuid():
        path.chmod(0o600)


def _secret_key() -> str:
    configured = env("SHOUHU_SECRET_KEY")
    if configured:
        return configured
    _owner_only_dir(DATA_DIR)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


def _database(url: str) -> dict[str, object]:
    if not url:
        _owner_only_dir(DATA_DIR)
        url = f"sqlite:///{DATA_DIR / 'shouhu.sqlite3'}"
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = Path(unquote(parsed.path))
        if parsed.path and path.parent.is_dir():
            _owner_only_file(path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": unquote(parsed.path) or ":memory:",
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": _SQLITE_INIT,
            },
            # Tests use a file, not shared-cache memory: that mode raises "table is locked" at
            # once instead of waiting, so tests with a worker thread or live server are flaky.
            "TEST": {"NAME": str(DATA_DIR / "test-shouhu.sqlite3")},
        }
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "postgres",
            "USER": unquote(parsed.username or "") or "postgres",
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "127.0.0.1",
            "PORT": str(parsed.port or 5432),
            # 连接留用（每个请求新开一个 PostgreSQL 连接要几毫秒到几十毫秒的服务器进程开销）；
            # 每个请求开始时先检查连接还活着
            "CONN_MAX_AGE": int(env("SHOUHU_DB_CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": _pg_options(),
            # 每个检出各用一个测试库（按数据目录区分），同一台机器上并行跑的几份检出互不干扰
            "TEST": {"NAME": env("SHOUHU_PG_TEST_NAME", _pg_test_name())},
        }
    raise ValueError(f"SHOUHU_DATABASE_URL: unsupported scheme {parsed.scheme!r}")


def _pg_options() -> dict[str, str]:
    """SHOUHU_PG_SYNCHRONOUS_COMMIT=off: a commit does not wait for its WAL to reach the disk
    (PostgreSQL's synchronous_commit; SQLite's WAL with synchronous=NORMAL does so here too).
    Every audited request commits an audit entry under the chain's one head lock, so the disk's
    flush time bounds the whole platform's rate (bench/load/README.md). A crash can lose the last
    fraction of a second of commits; the database never becomes inconsistent."""
    value = env("SHOUHU_PG_SYNCHRONOUS_COMMIT")
    return {"options": f"-c synchronous_commit={value}"} if value in {"on", "off", "local"} else {}


def _pg_test_name() -> str:
    return "test_shouhu_" + hashlib.sha256(str(DATA_DIR).encode()).hexdigest()[:8]


_SQLITE_INIT = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"

SECRET_KEY = _secret_key()
DEBUG = env("SHOUHU_DEBUG") == "1"
ALLOWED_HOSTS = [
    h for h in env("SHOUHU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
DATABASES = {"default": _database(env("SHOUHU_DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "shouhu.web.accounts",
    "shouhu.web.registry",
    "shouhu.web.exchange",
    "shouhu.web.jobs",
    "shouhu.web.cases",
    "shouhu.web.subsidies",
    "shouhu.web.shares",
    "shouhu.web.comparison",
    "shouhu.web.objections",
    "shouhu.web.audit",
    "shouhu.web.grants",
    "shouhu.web.determination",
    "shouhu.web.statistics",
    "shouhu.web.field",
    "shouhu.web.queries",
    "shouhu.web.notifications",
    "shouhu.web.meetings",
    "shouhu.web.ui",
]

MIDDLEWARE = [
    "shouhu.web.ops.observe.RequestObserveMiddleware",  # 请求号、JSON 访问日志、指标（最外层）
    "shouhu.web.headers.ClientCertificateMiddleware",  # before the address is rewritten
    "shouhu.web.headers.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files answer here, cacheable
    "shouhu.web.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shouhu.web.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shouhu.web.accounts.middleware.SessionTimeoutMiddleware",  # says why on the sign-in page
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shouhu.web.errors.DomainErrorMiddleware",
]

ROOT_URLCONF = "shouhu.web.urls"
WSGI_APPLICATION = "shouhu.web.wsgi.application"
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

AUTH_USER_MODEL = "accounts.User"
# 会话用户连同辖区和部门一次读出。升级到这一版时，此前登录的会话（记的是 Django 的
# ModelBackend）须重新登录一次；不把 ModelBackend 留在表里，是因为那样输错的密码要验两遍。
AUTHENTICATION_BACKENDS = ["shouhu.web.accounts.backends.UserBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# ASVS V2.1.1: at least 12 characters. Applied at creation, reset and change
# (accounts.users.password_problems).
PASSWORD_MIN_LENGTH = 12
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["username", "full_name"]},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# Sign-in limits per address and per user name, in a sliding window (accounts.signin).
SIGNIN_WINDOW_MINUTES = int(env("SHOUHU_SIGNIN_WINDOW_MINUTES", "15"))
SIGNIN_LIMIT_PAIR = int(env("SHOUHU_SIGNIN_LIMIT_PAIR", "5"))
SIGNIN_LIMIT_ADDRESS = int(env("SHOUHU_SIGNIN_LIMIT_ADDRESS", "20"))
SIGNIN_LIMIT_ACCOUNT = int(env("SHOUHU_SIGNIN_LIMIT_ACCOUNT", "50"))
API_LIMIT_PER_MINUTE = int(env("SHOUHU_API_LIMIT_PER_MINUTE", "120"))
SEARCH_LIMIT_PER_MINUTE = int(env("SHOUHU_SEARCH_LIMIT_PER_MINUTE", "20"))
SEARCH_LIMIT_PER_DAY = int(env("SHOUHU_SEARCH_LIMIT_PER_DAY", "600"))
QUERY_ONLY_ITEMS = frozenset(
    c.strip() for c in env("SHOUHU_QUERY_ONLY_ITEMS").split(",") if c.strip()
)
QUERY_SERVED_ITEMS = frozenset(
    c.strip() for c in env("SHOUHU_QUERY_SERVED_ITEMS").split(",") if c.strip()
)
QUERY_PEERS = json.loads(env("SHOUHU_QUERY_PEERS") or "{}")
QUERY_PERSONS_PER_DAY = int(env("SHOUHU_QUERY_PERSONS_PER_DAY", "2000"))
DEMO_SECOND_FACTOR = env("SHOUHU_DEMO_SECOND_FACTOR", "known")

SESSION_COOKIE_HTTPONLY = True
SESSION_IDLE_SECONDS = int(env("SHOUHU_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_COOKIE_AGE = int(env("SHOUHU_SESSION_HOURS", "8")) * 3600
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env("SHOUHU_SECURE_COOKIES") == "1"
SECURE_HSTS_SECONDS = int(env("SHOUHU_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # the platform's host only; other hosts may be http
SECURE_SSL_REDIRECT = env("SHOUHU_SSL_REDIRECT") == "1"
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]  # 本机探针走 http
_proxy_ssl = env("SHOUHU_PROXY_SSL_HEADER")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_ssl.upper().replace("-", "_"), "https") if _proxy_ssl else None
)
CLIENT_IP_HEADER = env("SHOUHU_CLIENT_IP_HEADER")
CLIENT_CERT_HEADER = env("SHOUHU_CLIENT_CERT_HEADER")
TRUSTED_PROXIES = tuple(
    a.strip() for a in env("SHOUHU_TRUSTED_PROXIES", "127.0.0.1,::1").split(",") if a.strip()
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Every asset is served from here. Inline style attributes stay allowed (style-src-attr): progress
# bars set their width with one; scripts and <style> elements are never inline.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"  # display; storage is aware UTC
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from here after collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
# Offline packages (离线交换包): this platform's private key and the directory of trusted senders'
# public keys (*.pub.pem), both made by `shouhu package keygen`.
PACKAGE_KEY_FILE = env("SHOUHU_PACKAGE_KEY_FILE")
PACKAGE_TRUST_DIR = env("SHOUHU_PACKAGE_TRUST_DIR")
# The audit log's key ring (SHOUHU_AUDIT_KEY_FILE, one "id:hex" line per key, the last one signs)
# and its witness: an append-only file of signed checkpoints of the chain's head, kept outside the
# database (SHOUHU_AUDIT_WITNESS; put it on another disk or ship it). Both default to the data dir.
AUDIT_KEY_FILE = Path(env("SHOUHU_AUDIT_KEY_FILE", str(DATA_DIR / "audit.keys")))
AUDIT_WITNESS_FILE = Path(env("SHOUHU_AUDIT_WITNESS", str(DATA_DIR / "audit-witness.log")))
# The field-encryption key ring (SHOUHU_FIELD_KEY_FILE, same format as the audit keys, the last
# one seals new values): highly sensitive free text in facts is stored SM4-GCM sealed
# (exchange/sealing.py).
FIELD_KEY_FILE = Path(env("SHOUHU_FIELD_KEY_FILE", str(DATA_DIR / "field.keys")))
# The day of the month each county's comparison runs by itself, after the departments' due day.
MONTHLY_RUN_DAY = int(env("SHOUHU_MONTHLY_RUN_DAY", "6"))
# The day of the month the outbound lists (推送名单) are published by themselves where anything
# changed (0: only by hand).
SHARE_PUBLISH_DAY = int(env("SHOUHU_SHARE_PUBLISH_DAY", "7"))
# Offline field work (离线走访): where visit photos are kept, and how often the phone retries sync.
FIELD_PHOTO_DIR = Path(env("SHOUHU_FIELD_PHOTO_DIR", str(DATA_DIR / "visit-photos")))
FIELD_RETRY_SECONDS = int(env("SHOUHU_FIELD_RETRY_SECONDS", "15"))
# Documents (证明材料): scans encrypted at rest with AES-256-GCM. The demo derives its key from the
# secret key (one secret to keep for the embedded platform); production sets its own key file, so
# a copy of the data directory without the key file does not open the scans.
DOCUMENT_DIR = Path(env("SHOUHU_DOCUMENT_DIR", str(DATA_DIR / "documents")))
DOCUMENT_KEY = (
    bytes.fromhex(env("SHOUHU_DOCUMENT_KEY"))
    if env("SHOUHU_DOCUMENT_KEY")
    else (hashlib.sha256(b"shouhu-documents\0" + SECRET_KEY.encode()).digest())
)
# Largest file a department may upload through the web page (SHOUHU_UPLOAD_MAX_MB).
UPLOAD_MAX_BYTES = int(env("SHOUHU_UPLOAD_MAX_MB", "50")) * 1024 * 1024
# Whole source files kept to rebuild error reports (they hold every row, full IDs included) are
# dropped after this many days (SHOUHU_SOURCE_RETENTION_DAYS; 0 = drop at the next purge).
SOURCE_RETENTION_DAYS = int(env("SHOUHU_SOURCE_RETENTION_DAYS", "30"))
# 银行批量代发文件的列（补贴名册导出）；空：用 web/subsidies/layouts/example.toml
BANK_LAYOUT = env("SHOUHU_BANK_LAYOUT", "")
# A CSRF refusal is audited like any other denied attempt.
CSRF_FAILURE_VIEW = "shouhu.web.errors.csrf_failure"

METRICS_TOKEN = env("SHOUHU_METRICS_TOKEN")
# Per-process memory only (no Redis needed): a few counts that every user of the same subtree sees
# alike, for minutes (statistics.selectors). Nothing personal is cached.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "shouhu.web.ops.observe.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "text" if env("SHOUHU_LOG_FORMAT") == "text" else "json",
        }
    },
    # Never log personal data: request bodies, query strings and SQL parameters are not logged at
    # any level; the access log names the view, not the path (shouhu.web.ops.observe).
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "shouhu": {"level": env("SHOUHU_LOG_LEVEL", "INFO")},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
}


# ---------------------------------------------------------------- mail (reminders)


def _smtp(url: str) -> dict[str, object]:
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "MAIL_ENABLED": False,
        }
    parsed = urlparse(url)
    if parsed.scheme not in {"smtp", "smtps", "smtp+starttls"}:
        raise ValueError(f"SHOUHU_SMTP_URL: unsupported scheme {parsed.scheme!r}")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "127.0.0.1",
        "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
        "EMAIL_USE_TLS": parsed.scheme == "smtp+starttls",
        "EMAIL_TIMEOUT": 20,
        "MAIL_ENABLED": True,
    }


globals().update(_smtp(env("SHOUHU_SMTP_URL")))
DEFAULT_FROM_EMAIL = env("SHOUHU_MAIL_FROM", "守护平台 <shouhu@localhost>")
BASE_URL = env("SHOUHU_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
REMIND_DAYS = int(env("SHOUHU_REMIND_DAYS", "3"))
# 短信网关（紧急提醒）：网关类的 import 路径；默认只记日志（号码脱敏），见 web/sms.py
SMS_GATEWAY = env("SHOUHU_SMS_GATEWAY", "shouhu.web.sms.LogOnlyGateway")
