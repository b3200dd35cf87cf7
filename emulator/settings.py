"""Settings of one emulator instance, from (highest first) command-line flags, `STAGING_EMULATOR_*`
environment variables, `staging-emulator.toml` in the working folder, and `[tool.staging-emulator]`
in its `pyproject.toml`. Keys in both files are named like the flags (`port = 9000`,
`public-url = "..."`; underscores work too).

`Settings` itself is a plain model (building one reads nothing from the environment, which keeps
tests hermetic); `load_settings` is the one place the sources are read, through pydantic-settings.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from .core.engine import EngineConfig
from .core.http import load_json

ENV_PREFIX = "STAGING_EMULATOR_"
DEFAULT_STORE = ".staging-emulator/state.db"
CONFIG_FILE = "staging-emulator.toml"
PYPROJECT_TABLE = ("tool", "staging-emulator")


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description="interface to listen on")
    port: int = Field(8080, ge=0, le=65535, description="port to listen on; 0 picks a free one")
    clock: Literal["real", "manual"] = Field(
        "real", description="real: jobs take their time; manual: time moves only when advanced"
    )
    speed: float = Field(1.0, ge=0, description="real clock: 10 = ten times faster, 0 = at once")
    seed: int | None = Field(None, description="makes ids and timing jitter repeatable")
    public_url: str | None = Field(
        None, description="base of every URL handed out (default: the listen address)"
    )
    store: str = Field(DEFAULT_STORE, description="SQLite file, or 'memory'")
    seed_file: str | None = Field(
        None, description="state archive (from GET /_emulator/state) to load at start-up"
    )
    default_credits: int = Field(10_000, ge=0, description="credits a new account starts with")
    webhook_timeout: float = Field(5.0, gt=0, description="seconds per webhook attempt")
    allow_private_urls: bool = Field(
        False, description="let vendors fetch image URLs on localhost and private networks"
    )
    journal: bool = Field(True, description="keep the request journal (/_emulator/requests)")
    journal_size: int = Field(1000, ge=1, le=100_000, description="requests the journal keeps")
    journal_body_limit: int = Field(
        4096, ge=0, le=1 << 20, description="bytes of each request/response body the journal keeps"
    )
    log_level: Literal["critical", "error", "warning", "info", "debug", "trace"] = Field(
        "info", description="uvicorn log level"
    )
    tls: bool = Field(
        False, description="also serve HTTPS at the vendors' real hostnames (local CA made once)"
    )
    tls_port: int | None = Field(
        None, ge=0, le=65535, description="HTTPS port (default 443 when it may be bound, else 8443)"
    )
    tls_public_port: int | None = Field(
        None,
        ge=1,
        le=65535,
        description="port clients reach HTTPS at, for result URLs (default the HTTPS port; "
        "443 behind a port mapping)",
    )
    tls_dir: str | None = Field(
        None, description="folder of the CA and certificates (default: the store's folder)"
    )
    # Per-vendor switches, by vendor slug, e.g. {"virtualstagingai": {"signature_header": "..."}}
    vendor_options: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="JSON object of options per vendor slug"
    )

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Flags given as keyword arguments (None: not given) over every other source."""
        return load_settings(overrides)

    def resolved_public_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def engine_config(self) -> EngineConfig:
        values: dict[str, Any] = {
            "clock": self.clock,
            "speed": self.speed,
            "seed": self.seed,
            "store": ":memory:" if self.store in ("memory", ":memory:") else self.store,
            "public_url": self.resolved_public_url(),
            "default_credits": self.default_credits,
            "webhook_timeout": self.webhook_timeout,
            "vendor_options": self.vendor_options,
            "allow_private_urls": self.allow_private_urls,
        }
        known = {f.name for f in dataclasses.fields(EngineConfig)}
        return EngineConfig(**{k: v for k, v in values.items() if k in known})


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def flag_name(field: str) -> str:
    return "--" + field.replace("_", "-")


class SettingsProblem(Exception):
    """A setting that cannot be used, said in one line naming where it came from."""


def _file_values(folder: Path) -> tuple[str, dict[str, Any]] | None:
    """(where, values) from the config file in `folder`, else its pyproject table, else None."""
    config, pyproject = folder / CONFIG_FILE, folder / "pyproject.toml"
    if config.is_file():
        return CONFIG_FILE, _normalised(_read_toml(config), CONFIG_FILE)
    if pyproject.is_file():
        table: Any = _read_toml(pyproject)
        for key in PYPROJECT_TABLE:
            table = table.get(key, {}) if isinstance(table, dict) else {}
        if table:
            return "pyproject.toml [tool.staging-emulator]", _normalised(table, "pyproject.toml")
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsProblem(f"{path.name}: cannot read it as TOML ({exc})") from exc


def _normalised(values: dict[str, Any], where: str) -> dict[str, Any]:
    out = {key.replace("-", "_"): value for key, value in values.items()}
    unknown = sorted(set(out) - set(Settings.model_fields))
    if unknown:
        raise SettingsProblem(
            f"{where}: unknown setting {unknown[0]!r}; known: "
            + ", ".join(f.replace("_", "-") for f in Settings.model_fields)
        )
    return out


class _EnvSource(EnvSettingsSource):
    """`STAGING_EMULATOR_*` variables; JSON values (vendor options) read like any client's JSON,
    so nesting too deep is a parse error naming the variable, not a crash."""

    def decode_complex_value(self, field_name: str, field: FieldInfo, value: Any) -> Any:
        return load_json(value)


def load_settings(flags: dict[str, Any] | None = None, folder: Path | None = None) -> Settings:
    """Settings from every source; raises SettingsProblem naming the flag, variable or file key
    that holds a bad value."""
    given = {k: v for k, v in (flags or {}).items() if v is not None}
    file = _file_values(folder or Path.cwd())

    class _Sourced(Settings, BaseSettings):
        model_config = SettingsConfigDict(
            env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="forbid"
        )

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,  # replaced by _EnvSource
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            sources = [init_settings, _EnvSource(settings_cls)]
            if file is not None:
                sources.append(InitSettingsSource(settings_cls, init_kwargs=file[1]))
            return tuple(sources)

    try:
        loaded = _Sourced(**given)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        raise SettingsProblem(
            f"{_origin(field, given, file)}: {error['msg']} (got {error.get('input')!r})"
        ) from exc
    except SettingsError as exc:
        field = next((f for f in Settings.model_fields if f'"{f}"' in str(exc)), "")
        cause = f" ({exc.__cause__})" if exc.__cause__ else ""
        raise SettingsProblem(
            f"{_origin(field, given, file)}: cannot parse the value{cause}"
        ) from exc
    return Settings.model_validate(loaded.model_dump())


def _origin(field: str, flags: dict[str, Any], file: tuple[str, dict[str, Any]] | None) -> str:
    if field in flags:
        return flag_name(field)
    if os.environ.get(env_name(field)):
        return env_name(field)
    if file is not None and field in file[1]:
        return f"{file[0]}: {field.replace('_', '-')}"
    return field or "settings"
