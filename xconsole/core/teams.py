"""The team registry: which teams this user manages and which one is active. Never holds a key."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime, timezone
from pathlib import Path

from xconsole.core.config import Config, TeamEntry, load_config, save_config
from xconsole.core.secrets import looks_like_key


def unnamed(team_id: str) -> str:
    """What a team not in config.toml is called (XAI_MANAGEMENT_KEY, a credentials directory's key
    file): the API never says a team's name."""
    return f"team {team_id[:8]}"


MAX_NAME = 40


class TeamError(ValueError):
    """A registry operation that cannot be done (unknown team, duplicate name...)."""


def check_name(name: str) -> str:
    """A display name: 1-40 printable characters, no control characters, trimmed."""
    cleaned = name.strip()
    if not cleaned:
        raise TeamError("Team name cannot be empty")
    if len(cleaned) > MAX_NAME:
        raise TeamError(f"Team name is too long (at most {MAX_NAME} characters)")
    # Control, format and line/paragraph separator characters would break the one-line header.
    if any(unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp") for ch in cleaned):
        raise TeamError("Team name cannot contain control characters or newlines")
    if looks_like_key(cleaned):  # names are written to config.toml in the clear
        raise TeamError("That looks like a management key: it goes in the key field, never in the team's name")
    return cleaned


def check_team_id(team_id: str) -> str:
    try:
        return str(uuid.UUID(team_id.strip()))
    except ValueError:
        raise TeamError(f"Team id must be a UUID like 3f1c9e2a-7b44-4d0e-9a61-0c2b5d8e4f17, not {team_id.strip()!r}") from None


def short_id(team_id: str) -> str:
    return team_id[:8]


class TeamRegistry:
    """Teams in config.toml. Load, change, `save()`; names are unique case-insensitively."""

    def __init__(self, config: Config, path: Path | None = None) -> None:
        self.config = config
        self.path = path

    @classmethod
    def load(cls, path: Path | None = None) -> TeamRegistry:
        return cls(load_config(path), path)

    def save(self) -> Path:
        return save_config(self.config, self.path)

    @property
    def teams(self) -> list[TeamEntry]:
        return self.config.teams

    def find(self, name_or_id: str) -> TeamEntry | None:
        """By name (case-insensitive), full id, or an unambiguous id prefix of 8+ characters."""
        wanted = name_or_id.strip()
        lowered = wanted.lower()
        for team in self.teams:
            if team.name.lower() == lowered or team.team_id == lowered:
                return team
        if len(wanted) >= 8 and re.fullmatch(r"[0-9a-fA-F-]+", wanted):
            matches = [t for t in self.teams if t.team_id.startswith(lowered)]
            if len(matches) == 1:
                return matches[0]
        return None

    def get(self, name_or_id: str) -> TeamEntry:
        team = self.find(name_or_id)
        if team is None:
            known = ", ".join(t.name for t in self.teams) or "none registered"
            raise TeamError(f"No team {name_or_id!r} (known: {known})")
        return team

    def add(self, name: str, team_id: str, key_hint: str, api_url: str | None = None) -> tuple[TeamEntry, bool]:
        """Register a team, or update the key hint of an already registered id. (entry, created)."""
        team_id = check_team_id(team_id)
        existing = next((t for t in self.teams if t.team_id == team_id), None)
        # A new key for a registered team keeps its name as it is (whatever the rules were then).
        name = existing.name if existing is not None and name.strip() == existing.name else check_name(name)
        clash = self.find(name)
        if clash is not None and clash is not existing:
            raise TeamError(f"The name {name!r} is already used by team {short_id(clash.team_id)}")
        if existing is not None:
            existing.key_hint = key_hint
            existing.api_url = api_url or existing.api_url
            return existing, False
        entry = TeamEntry(name=name, team_id=team_id, key_hint=key_hint, api_url=api_url)
        self.teams.append(entry)
        return entry, True

    def remove(self, name_or_id: str) -> TeamEntry:
        team = self.get(name_or_id)
        self.teams.remove(team)
        if self.config.settings.last_team == team.team_id:
            self.config.settings.last_team = None
        return team

    def rename(self, old: str, new: str) -> TeamEntry:
        team = self.get(old)
        new = check_name(new)
        clash = self.find(new)
        if clash is not None and clash is not team:
            raise TeamError(f"The name {new!r} is already used by team {short_id(clash.team_id)}")
        team.name = new
        return team

    def touch(self, team: TeamEntry) -> None:
        team.last_used = datetime.now(timezone.utc).replace(microsecond=0)
        self.config.settings.last_team = team.team_id

    def initial(self, wanted: str | None = None) -> TeamEntry | None:
        """The team to start on: the one asked for, else the last used, else the first."""
        if wanted:
            return self.get(wanted)
        last = self.config.settings.last_team
        return next((t for t in self.teams if t.team_id == last), None) or (self.teams[0] if self.teams else None)
