"""Settings of one emulator instance; every field can also come from a STAGING_EMULATOR_* variable."""

from __future__ import annotations

import json
import os
from typing import Any, Literal

from pydantic import BaseModel, Field

from .core.engine import EngineConfig

ENV_PREFIX = "STAGING_EMULATOR_"
DEFAULT_STORE = ".staging-emulator/state.db"


class Settings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    clock: Literal["real", "manual"] = "real"
    speed: float = Field(1.0, ge=0, description="real clock: 10 = ten times faster, 0 = at once")
    seed: int | None = Field(None, description="makes ids and timing jitter repeatable")
    public_url: str | None = Field(None, description="base of every URL handed out")
    store: str = Field(DEFAULT_STORE, description="SQLite file, or 'memory'")
    default_credits: int = Field(10_000, ge=0)
    webhook_timeout: float = Field(5.0, gt=0)
    log_level: str = "info"
    # Per-vendor switches, by vendor slug, e.g. {"virtualstagingai": {"signature_header": "..."}}
    vendor_options: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            raw = os.environ.get(ENV_PREFIX + name.upper())
            if raw is not None and raw != "":
                values[name] = json.loads(raw) if name == "vendor_options" else raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)

    def resolved_public_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def engine_config(self) -> EngineConfig:
        return EngineConfig(
            clock=self.clock,
            speed=self.speed,
            seed=self.seed,
            store=":memory:" if self.store in ("memory", ":memory:") else self.store,
            public_url=self.resolved_public_url(),
            default_credits=self.default_credits,
            webhook_timeout=self.webhook_timeout,
            vendor_options=self.vendor_options,
        )
