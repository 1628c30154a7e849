"""File locations, importable without pydantic (the TUI reads the theme before its first frame)."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "xconsole"
CONFIG_ENV = "XCONSOLE_CONFIG_FILE"
API_URL_ENV = "XCONSOLE_API_URL"
KEY_ENV = "XAI_MANAGEMENT_KEY"


def config_path() -> Path:
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME)) / "config.toml"


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME))
