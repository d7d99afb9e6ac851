"""Settings from HOSHIN_ environment variables, with a secret key kept under var/ when none is given."""

from __future__ import annotations

import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.monitoring import access
from app.server import machinery

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_LENGTH = 32
MIN_METRICS_TOKEN_LENGTH = 16
INSECURE_SECRETS = {"", "changeme", "change-me", "secret", "dev"}


class Mode(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every setting Hoshin reads; the README's configuration table lists them."""

    model_config = SettingsConfigDict(env_prefix="HOSHIN_", extra="ignore")

    mode: Mode = Mode.DEVELOPMENT
    var_dir: Path = PROJECT_ROOT / "var"
    database_url: str = ""  # default: SQLite under var_dir
    secret_key: str = ""  # default: generated once into var_dir/secret_key (development only)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    default_locale: str = Field(default="en", pattern="^(en|ja)$")
    organisation_name: str = "Hoshin Demo Org"
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    https: bool = False  # set when served over https: cookies get Secure
    log_level: str = "info"
    # reading requests served at once per process (the rest queue); 0 = no limit. See ReadSlots.
    read_slots: int = Field(default=2, ge=0)
    # performance mechanisms turned off (comma list, "" = none; unset = the database's defaults):
    # app/server/machinery.py, docs/performance.md
    machinery_off: str | None = None
    # a PDF render taking longer is stopped (its process replaced): app/reports/render.py
    render_timeout_seconds: float = Field(default=60, gt=0)
    # PDF downloads a server process works on at once; more get 503 at once (0 = no limit). See PdfSlots.
    pdf_slots: int = Field(default=10, ge=0)
    # ... of them for one reader (one sign-in) at once; 0 = no limit of its own. See PdfSlots.
    pdf_slots_per_reader: int = Field(default=3, ge=0)
    # Where sources (MLflow servers, Git repositories) may be reached: app/signals/outbound.py.
    source_allowed_hosts: str = ""  # comma-separated host names or addresses; "*.example.com"; empty = none
    source_allow_private: bool = False  # private, loopback and link-local (cloud metadata) addresses
    git_allowed_root: Path | None = (
        None  # local repositories only under this folder; unset = var_dir/repositories
    )
    # one git clone or fetch may bring this many bytes (repositories outgrow an HTTP response's cap)
    git_max_bytes: int = Field(default=500_000_000, ge=1)
    # every enabled source is synced this often (app/signals/schedule.py); 0 = only on demand
    sync_interval_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)
    # /metrics (Prometheus) is off, a 404, unless one of these is set; both set: both must hold.
    # Its gauges name every team, so it is never open to all: app/monitoring/access.py
    metrics_token: str = ""  # scrapers send `Authorization: Bearer <token>`
    metrics_allow: str = ""  # comma-separated client addresses or networks (10.0.0.0/8, ::1)

    @field_validator("metrics_token")
    @classmethod
    def _guessable_token(cls, value: str) -> str:
        if value and len(value.strip()) < MIN_METRICS_TOKEN_LENGTH:
            raise ValueError(f"a metrics token needs at least {MIN_METRICS_TOKEN_LENGTH} characters")
        return value.strip()

    @field_validator("metrics_allow")
    @classmethod
    def _addresses(cls, value: str) -> str:
        access.networks(value)  # raises, naming the entry that is no address
        return value

    @field_validator("machinery_off")
    @classmethod
    def _known_mechanisms(cls, value: str | None) -> str | None:
        if value is not None:
            machinery.parse_off(value)  # raises, naming the unknown mechanism
        return value

    @model_validator(mode="after")
    def _defaults_under_var(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'hoshin.sqlite3'}"
        if self.git_allowed_root is None:  # only people with the server's disk can put a repository there
            self.git_allowed_root = self.var_dir / "repositories"
        return self

    @property
    def is_production(self) -> bool:
        return self.mode is Mode.PRODUCTION

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class ConfigurationError(RuntimeError):
    """A setting that makes it unsafe or impossible to start."""


def resolve_secret_key(settings: Settings) -> str:
    """Return the configured secret, or (outside production) one generated once and kept under var/."""
    configured = settings.secret_key.strip()
    if settings.is_production and (configured in INSECURE_SECRETS or len(configured) < MIN_SECRET_LENGTH):
        raise ConfigurationError(
            f"HOSHIN_SECRET_KEY must be set to a random value of at least {MIN_SECRET_LENGTH} characters "
            "in production mode"
        )
    if configured not in INSECURE_SECRETS:
        return configured
    path = settings.var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
