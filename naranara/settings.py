"""All run-time settings, read once from the environment (prefix ``NARA_``)."""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Every time a person sees is shown in Swedish local time; the database stores UTC.
DISPLAY_TIMEZONE = ZoneInfo("Europe/Stockholm")


class OIDCProvider(BaseModel):
    """One OpenID Provider a region signs people in with (see README)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")  # in the callback URL
    label: str = Field(min_length=1, max_length=40)  # on the button: "Logga in med …"
    issuer: str  # what ID tokens must carry in `iss`
    client_id: str
    client_secret: str
    audience: Literal["resident", "staff"]
    scope: str = "openid profile"
    # Discovery document; empty means ``{issuer}/.well-known/openid-configuration``.
    metadata_url: str = ""
    # The claim holding the person's personnummer (12 digits), matched against enrolled
    # residents so a sign-in never makes a second account for them; the Swedish OIDC
    # claims specification's name by default (ask for its scope in ``scope``).
    personnummer_claim: str = "https://id.oidc.se/claim/personalIdentityNumber"

    @field_validator("scope")
    @classmethod
    def _openid_scope(cls, scope: str) -> str:
        if "openid" not in scope.split():
            raise ValueError("scope must contain 'openid': without it there is no ID token")
        return scope

    @property
    def server_metadata_url(self) -> str:
        return self.metadata_url or f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"


_STAFF_ROLES = frozenset({"staff", "admin"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NARA_", env_file=".env", extra="ignore")

    data_dir: Path = PROJECT_ROOT / "data"
    # Empty means the embedded default: an SQLite file in ``data_dir``.
    database_url: str = ""
    # On for any deployment served over https: the session cookie then gets the
    # ``__Host-`` prefix and ``Secure``. Off for http://localhost.
    secure_cookies: bool = False
    # Residents and relatives use their own phone and stay signed in for long; staff
    # sessions are short (shared computers, access to many people's data).
    session_idle_minutes: int = 60 * 24 * 7
    session_absolute_hours: int = 24 * 30
    staff_session_idle_minutes: int = 30
    staff_session_absolute_hours: int = 12
    login_ticket_seconds: int = 60
    # Sensitive changes (sharing the record outside the app) need a sign-in this recent.
    reauthenticate_minutes: int = 15
    # JSON list of OIDCProvider objects; empty shows only the username form.
    oidc_providers: list[OIDCProvider] = []
    # Seconds of clock difference tolerated when checking ID token times.
    oidc_leeway_seconds: int = 60
    # The address people reach the app at, e.g. https://nara.region.se; empty means
    # the address of the request (fine without a rewriting proxy in front).
    public_url: str = ""
    # Reverse proxies in front that append to X-Forwarded-For (naranara/client_address.py):
    # 0 counts the socket's peer and ignores the header; behind nginx alone, 1.
    trusted_proxy_hops: int = Field(default=0, ge=0, le=10)
    # Signs cookies and keys hashes. Empty: generated once and kept in data_dir, outside git.
    secret_key: str = ""
    # Keys the hash of a personnummer (enrolment matching an identity provider's claim).
    # Empty: generated once and kept in data_dir; never change it once people are enrolled.
    personnummer_key: str = ""
    # Web Push (VAPID, RFC 8292): who push services can contact about our pushes,
    # "mailto:…" or "https://…". The private key (PEM or raw base64url) may come from
    # here; empty: generated once and kept in data_dir, outside git.
    vapid_subject: str = "mailto:nara@example.se"
    vapid_private_key: str = ""
    # Tests only: accept push endpoints on http://127.0.0.1 or localhost (a local
    # receiver); real push services are always https.
    push_allow_local_endpoints: bool = False
    # Operations (README: Operations). A reminder worker silent this long counts as gone:
    # /readyz fails and Aviseringar tells residents that reminders may be late.
    worker_stale_seconds: int = Field(default=120, ge=2)
    # "text" for people reading a terminal, "json" for one JSON object per line.
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Scale-out (README: Operations). Redis holds every tab's state when there is more
    # than one web worker or machine (given to Reflex as REFLEX_REDIS_URL), e.g.
    # redis://redis.internal:6379/0 or rediss://… for TLS.
    redis_url: str = ""
    # Web worker processes behind the one port (Granian's workers). Unset: 1 without
    # Redis, DEFAULT_WEB_WORKERS_WITH_REDIS with it. More than one needs Redis.
    web_workers: int | None = Field(default=None, ge=1, le=64)

    @field_validator("vapid_subject")
    @classmethod
    def _vapid_subject_is_contact(cls, subject: str) -> str:
        if not re.fullmatch(r"mailto:[^@\s]+@[^@\s]+\.[^@\s]+|https://[^\s/]+(/\S*)?", subject):
            raise ValueError("vapid_subject must be mailto:someone@example.se or https://…")
        return subject

    @property
    def worker_stale_after(self) -> timedelta:
        return timedelta(seconds=self.worker_stale_seconds)

    @property
    def worker_heartbeat_every(self) -> timedelta:
        """Often enough that one late beat never looks like a dead worker."""
        return timedelta(seconds=max(1.0, min(30.0, self.worker_stale_seconds / 4)))

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'nara.db'}"

    def session_idle_for(self, role: str) -> timedelta:
        """How long a session of this role survives without use."""
        staff = role in _STAFF_ROLES
        return timedelta(
            minutes=self.staff_session_idle_minutes if staff else self.session_idle_minutes
        )

    def session_absolute_for(self, role: str) -> timedelta:
        """How long a session of this role lasts at most, however busy."""
        staff = role in _STAFF_ROLES
        return timedelta(
            hours=self.staff_session_absolute_hours if staff else self.session_absolute_hours
        )

    @property
    def session_cookie_name(self) -> str:
        return "__Host-nara_session" if self.secure_cookies else "nara_session"

    @property
    def device_cookie_name(self) -> str:
        return "__Host-nara_device" if self.secure_cookies else "nara_device"

    @property
    def oidc_cookie_name(self) -> str:
        return "__Secure-nara_oidc" if self.secure_cookies else "nara_oidc"

    def oidc_provider(self, name: str) -> OIDCProvider | None:
        return next((p for p in self.oidc_providers if p.name == name), None)

    def oidc_provider_by_issuer(self, issuer: str) -> OIDCProvider | None:
        return next((p for p in self.oidc_providers if p.issuer == issuer), None)


@lru_cache
def get_settings() -> Settings:
    return Settings()


def get_secret_key() -> str:
    """The deployment's secret: NARA_SECRET_KEY, or a random one made on first start."""
    settings = get_settings()
    return settings.secret_key or _kept_secret(settings, "secret_key")


def get_personnummer_key() -> str:
    """The key of personnummer hashes: NARA_PERSONNUMMER_KEY, or a random one made on first
    start and kept next to the secret key (a separate key: rotating the secret key for
    cookies must not orphan every enrolled person's match)."""
    settings = get_settings()
    return settings.personnummer_key or _kept_secret(settings, "personnummer_key")


def _kept_secret(settings: Settings, name: str) -> str:
    """A random secret in ``data_dir/name`` (mode 0600), made the first time it is asked for."""
    path = settings.data_dir / name
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # O_EXCL: of two processes starting at once, one writes and the other reads.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
