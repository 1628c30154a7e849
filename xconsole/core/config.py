"""Where xconsole keeps its files, and the config file itself (TOML, never a secret).

`config.toml` lives in `platformdirs.user_config_dir("xconsole")` (which honours
XDG_CONFIG_HOME); `XCONSOLE_CONFIG_FILE` points elsewhere (tests, fixtures). Writes are atomic
(temp file + rename) with mode 0600 from the first byte.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from datetime import datetime
from pathlib import Path

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from xconsole.core.paths import API_URL_ENV as API_URL_ENV  # re-exported
from xconsole.core.paths import CONFIG_ENV as CONFIG_ENV
from xconsole.core.paths import KEY_ENV as KEY_ENV
from xconsole.core.paths import config_path as config_path
from xconsole.core.paths import data_dir as data_dir

class ConfigError(Exception):
    """The config file cannot be read or written; the message says which file and why."""


class TeamEntry(BaseModel):
    """One registered team. The key itself lives in the keyring; only a masked hint is kept."""

    model_config = ConfigDict(extra="ignore")

    name: str
    team_id: str
    key_hint: str = ""
    api_url: str | None = None
    last_used: datetime | None = None


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    theme: str = "textual-dark"
    last_team: str | None = None
    #: Purchases of this many dollars or more are confirmed by typing the team's name.
    type_team_name_from: int = Field(1000, ge=0)
    #: On start, show what changed since this user last looked at the team (core.changes).
    changes_digest: bool = True


class Config(BaseModel):
    model_config = ConfigDict(extra="ignore")

    settings: Settings = Field(default_factory=Settings)
    teams: list[TeamEntry] = Field(default_factory=list)


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}") from None
    try:
        return Config.model_validate(tomllib.loads(raw.decode("utf-8")))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: {where}: {first['msg']}") from None


def save_config(config: Config, path: Path | None = None) -> Path:
    """Write atomically with mode 0600: a crash never leaves half a file, no other user reads it."""
    path = path or config_path()
    data = tomli_w.dumps(config.model_dump(mode="json", exclude_none=True)).encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ConfigError(f"Cannot write {path}: {exc.strerror}") from None
    return path
