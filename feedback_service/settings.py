"""Settings from the environment (and an optional `.env`): the only place that reads it."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite://data/feedback.sqlite3"
    public_base_url: str = "http://127.0.0.1:8000"
    secret_key: str = ""
    smtp_url: str | None = None
    webhook_allow_private: bool = False
    data_dir: Path = Path("data")
    # How long a survey or review link stays valid.
    token_max_age_days: int = Field(default=30, ge=1)
    # Rendered review blocks kept in memory by each web process, in millions of characters.
    block_cache_mb: int = Field(default=32, ge=0)
    # Rate-limit counters shared by every web process (redis://host:port/db); in each
    # process's memory when unset.
    rate_limit_url: str | None = None
    # gzip text answers (HTML, XML, JSON) above COMPRESS_MIN_BYTES; false when the proxy or
    # CDN in front compresses (it then does it once, and may add brotli).
    compress_responses: bool = True

    @property
    def base_url(self) -> str:
        return self.public_base_url.rstrip("/")

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once into `data/` and kept there."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    if not settings.secret_key:
        settings.secret_key = settings.resolved_secret_key()
    return settings
