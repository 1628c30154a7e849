"""The last numbers seen for each team, shown at once on the next start, clearly marked with
their age, while the fresh read is in flight.

Balances and limits only: no key, nothing secret; still written like the config (mode 0600,
atomically). Read before the first frame, so no pydantic here. `--no-cache` neither reads nor
writes it; `--sandbox` does not use it (demo numbers move with the sandbox's clock).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from xconsole.core.paths import APP_NAME

VERSION = 1


@dataclass(frozen=True)
class CachedNumbers:
    team_id: str
    live_balance: int | None
    month_spend: int | None
    soft_limit: int | None
    runway_days: float | None
    saved_at: datetime
    #: Read at this start by the early-read process (cli/early_read.py), not kept from an earlier
    #: run: live numbers, drawn as such, only the rest of the team's data still to come.
    live: bool = False
    #: The server that answered said it is the sandbox (its own answer, never its URL).
    sandbox: bool = False

    def age(self, now: datetime | None = None) -> str:
        """"just now", "5 min ago", "3 h ago", "2 days ago"."""
        seconds = max(0.0, ((now or datetime.now(timezone.utc)) - self.saved_at).total_seconds())
        if seconds < 60:
            return "just now"
        if seconds < 3600:
            return f"{int(seconds // 60)} min ago"
        if seconds < 86400:
            return f"{int(seconds // 3600)} h ago"
        days = int(seconds // 86400)
        return f"{days} day{'s' if days != 1 else ''} ago"


def cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME)) / "numbers"


def _path(team_id: str, directory: Path | None) -> Path:
    safe = "".join(c for c in team_id if c.isalnum() or c == "-")[:64] or "unknown"
    return (directory or cache_dir()) / f"{safe}.json"


def load(team_id: str, directory: Path | None = None) -> CachedNumbers | None:
    """The team's last numbers, or None (never saved, unreadable, another version)."""
    try:
        raw = json.loads(_path(team_id, directory).read_text(encoding="utf-8"))
        if raw.pop("version", None) != VERSION or raw.get("team_id") != team_id:
            return None
        saved_at = datetime.fromisoformat(raw["saved_at"])
        money = [raw[k] for k in ("live_balance", "month_spend", "soft_limit")]
        runway = raw["runway_days"]
        # Anything but what `save` writes (hand-edited, truncated) is ignored, never drawn.
        if saved_at.tzinfo is None or not all(v is None or (type(v) is int) for v in money) \
                or not (runway is None or type(runway) in (int, float)):
            return None
        return CachedNumbers(team_id, *money, runway, saved_at)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def save(numbers: CachedNumbers, directory: Path | None = None) -> None:
    """Write atomically (temp file + rename) with mode 0600; a failure is not worth an error."""
    path = _path(numbers.team_id, directory)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        record = {"version": VERSION, **asdict(numbers), "saved_at": numbers.saved_at.isoformat()}
        del record["live"], record["sandbox"]  # what this run read, not what the next one loads
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".numbers-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(record, handle)
            os.chmod(temp, 0o600)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError:
        pass
