"""The team the console opens on, read before anything heavy is imported (no pydantic, no httpx,
no FastAPI), so that its name is in the first painted frame.

This is only a preview: the session, built after that frame, decides for good with the same rule
(`Session.pick`: the team asked for, else the last used, else the first) and the header follows it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

Team = tuple[str, str]  # (name, team_id)


def find(teams: list[Team], wanted: str) -> Team | None:
    """`Session.find` on plain tuples: exact name or id, else the one team a prefix names."""
    key = wanted.strip().lower()
    exact = next((t for t in teams if t[0].lower() == key or t[1] == key), None)
    if exact is not None:
        return exact
    matches = [t for t in teams if t[1].startswith(key) or t[0].lower().startswith(key)]
    return matches[0] if len(matches) == 1 else None


def pick(teams: list[Team], wanted: str | None, last: str | None = None) -> Team | None:
    if wanted:
        return find(teams, wanted)
    return next((t for t in teams if t[1] == last), None) or (teams[0] if teams else None)


def read_config(path: Path) -> dict | None:
    """config.toml as plain TOML (no pydantic); None when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, ValueError):  # unreadable, not TOML, or not UTF-8: the session says why
        return None


def _entries(config: dict) -> list[dict]:
    entries = config.get("teams")
    return [t for t in entries if isinstance(t, dict)] if isinstance(entries, list) else []


def from_config(path: Path, wanted: str | None) -> Team | None:
    """From config.toml: the registered teams and the last used one."""
    config = read_config(path)
    if config is None:
        return None
    teams = [(str(t.get("name", "")), str(t.get("team_id", ""))) for t in _entries(config)]
    settings = config.get("settings")
    return pick(teams, wanted, settings.get("last_team") if isinstance(settings, dict) else None)


def registered(path: Path, team_id: str) -> dict | None:
    """The team's entry in config.toml (name, team_id, api_url, ...), None when not registered."""
    config = read_config(path)
    return next((t for t in _entries(config) if t.get("team_id") == team_id), None) if config else None


def from_sandbox_db(path: Path, wanted: str | None) -> Team | None:
    """From an already seeded sandbox database, read-only (a fresh one is seeded later)."""
    if not path.exists():
        return None
    import sqlite3  # only the sandbox's start needs it (~2 ms of a registered team's first frame)

    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2) as conn:
            teams = [(name, team_id) for team_id, name in conn.execute("SELECT team_id, name FROM teams ORDER BY position")]
    except sqlite3.Error:
        return None
    return pick(teams, wanted)
