"""The one typed configuration object. Entrypoints build it; the core receives plain values.

Sources, strongest first: explicit overrides (CLI flags), ``PASSBRIDGE_*`` environment variables, the TOML file
given with ``--config`` (keys as below), defaults. A wrong value fails at startup and names the key.
"""

from __future__ import annotations

import enum
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from passbridge.errors import ConfigurationError
from passbridge.pcf_settings import PcfSettings


class NodeRole(enum.Enum):
    """What a node does (DESIGN §3); a node may hold several."""

    COMPANY = "company"
    OURANOS_PLATFORM = "ouranos-platform"
    AUTHORITY = "authority"


class Settings(BaseSettings):
    """Node configuration (environment prefix ``PASSBRIDGE_``)."""

    model_config = SettingsConfigDict(env_prefix="PASSBRIDGE_", extra="forbid", frozen=True)

    data_dir: Path = Field(default=Path("."), description="where the SQLite file and the key store live")
    database_url: str = Field(default="", description="SQLAlchemy URL; empty = SQLite file in data_dir")
    roles: tuple[NodeRole, ...] = (NodeRole.COMPANY,)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str = Field(default="", description="how others reach this node; empty = http://host:port")
    node_name: str = "passbridge node"
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    token_ttl_seconds: int = Field(default=24 * 3600, ge=60)
    auto_migrate: bool = True
    workers: int = Field(default=1, ge=1, le=64)
    data_space: str = Field(default="catena-x", pattern="^[a-z0-9-]{2,32}$", description="catena-x | ouranos")
    authority_url: str = Field(default="", description="base URL of the data space authority whose trust list we use")
    allow_http_loopback: bool = Field(
        default=False, description="resolve did:web and fetch lists over http on loopback"
    )
    allowed_hosts: tuple[str, ...] = Field(default=(), description="hosts exempt from the private-address refusal")
    identity_cache_seconds: float = Field(default=300.0, ge=0, description="DID documents, status and trust lists")
    dsp_conformance: bool = Field(
        default=False, description="DSP TCK conformance mode: unauthenticated /tck routes; loopback or allowed_hosts"
    )
    pcf: PcfSettings | None = Field(default=None, description="our PCF declarations; offered over DSP once set")
    ouranos_url: str = Field(default="", description="Ouranos platform base URL (…/ouranos) for `ouranos sync`")
    ouranos_api_key: str = Field(default="", description="the apiKey the platform operator issued us")
    ouranos_account: str = Field(default="", description="our operatorAccountId (e-mail) on the platform")
    ouranos_password: str = Field(default="", description="its accountPassword (better: PASSBRIDGE_OURANOS_PASSWORD)")

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to ``sqlite:///<data_dir>/passbridge.db``."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'passbridge.db').resolve()}"

    @property
    def effective_public_url(self) -> str:
        """The node's base URL without a trailing slash."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def key_dir(self) -> Path:
        """The key store directory."""
        return self.data_dir / "keys"


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from a TOML file (optional), the environment and explicit overrides (None values are ignored).

    Raises:
        ConfigurationError: naming the first wrong key.
    """
    file_values: dict[str, Any] = {}
    if config_file is not None:
        try:
            file_values = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(f"--config {config_file}: {exc}") from None
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        env_only = Settings(**given)
        merged = {**file_values, **env_only.model_dump(exclude_unset=True), **given}
        return Settings(**merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise ConfigurationError(f"setting {key!r} (PASSBRIDGE_{key.upper()}): {first['msg']}") from None


__all__ = ["NodeRole", "Settings", "load_settings"]
