"""The global options every command and the console take (`Options`), importable without click:
a console started with no command never loads click (cli/start.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Options:
    sandbox: bool = False
    fresh: bool = False
    api_url: str | None = None
    team: str | None = None
    read_only: bool = False
    no_cache: bool = False  # neither show nor keep the last numbers of each team
    keyring_may_prompt: bool = True  # False: a background helper, never the one asking for a password
    keyring_in_child: bool = False  # the console: keys through short-lived processes (core/keyring_process.py)
