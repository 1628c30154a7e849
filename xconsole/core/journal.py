"""The action journal: one JSON line per billing write xconsole sends, kept by this OS user.

Why: billing changes affect every user of a team, and teams are often driven with one shared
management key, so the team's audit events name the key's owner, not the person at the keyboard.
The journal records who that was (OS user, host, over SSH or not), what they asked for, before →
after where it was known, and how it ended — done, failed (with the reason) or unknown (no clear
answer: it may have happened). `core.history` merges it with the audit events; `core.changes`
uses it to name who made a change.

The file lives in the user state dir (`journal.jsonl`, mode 0600, directory 0700). It is only
ever appended to: each entry is written with one `write()` on an `O_APPEND` descriptor while
holding an exclusive `flock`, so two xconsole processes writing at once never interleave or
tear lines. A reader skips lines it cannot parse (a disk that filled up mid-line) instead of
failing. No key, card number or CVC is ever put in an entry: the fields are fixed, and free text
(reasons, labels) has anything shaped like a key or a card number masked before it is written.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import logging
import os
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

log = logging.getLogger("xconsole.journal")

JOURNAL_ENV = "XCONSOLE_JOURNAL_FILE"  # another file (tests, several profiles); "off" disables it
FILE_NAME = "journal.jsonl"
VERSION = 1

DONE = "done"
FAILED = "failed"
UNKNOWN = "unknown"  # no clear answer: it may have happened


def default_path() -> Path | None:
    """Where the journal lives: `$XCONSOLE_JOURNAL_FILE`, else the user state dir (honours
    `XDG_STATE_HOME`). None when the variable says "off"."""
    override = os.environ.get(JOURNAL_ENV)
    if override:
        return None if override.strip().lower() == "off" else Path(override).expanduser()
    from platformdirs import user_state_dir

    return Path(user_state_dir("xconsole")) / FILE_NAME


@dataclass(frozen=True)
class Where:
    """Who is at the keyboard: the OS user, the host, and whether it is an SSH session."""

    user: str
    host: str
    ssh: bool
    ssh_from: str | None = None  # the client address from SSH_CONNECTION

    @classmethod
    def here(cls) -> Where:
        try:
            user = getpass.getuser()
        except Exception:  # no login name (containers): the uid says who
            user = f"uid{os.getuid()}"
        connection = os.environ.get("SSH_CONNECTION", "").split()
        return cls(user, socket.gethostname(), bool(connection), connection[0] if connection else None)

    def label(self) -> str:
        """"ana@build-01 (ssh)": how history shows the person behind a journal row."""
        return f"{self.user}@{self.host}{' (ssh)' if self.ssh else ''}"


@dataclass(frozen=True)
class JournalEntry:
    """One write as sent: what, for which team, by whom, and how it ended."""

    time: datetime  # this machine's clock, UTC
    team_id: str
    team_name: str
    action: str  # the write's name, e.g. "LIMIT" (core.actions.Write)
    what: str  # in words, e.g. "change the invoiced billing limit"
    outcome: str  # DONE | FAILED | UNKNOWN
    where: Where
    reason: str | None = None  # why it failed or is unknown; or what "done" amounted to
    before: str | None = None
    after: str | None = None
    amount_cents: int | None = None
    idempotency_key: str | None = None
    #: The server's clock when it answered (its Date header): the sandbox may run on a moved clock,
    #: and history orders journal rows next to audit events by the server's time.
    server_time: datetime | None = None
    api_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def when(self) -> datetime:
        """The time to order by: the server's when known, else ours."""
        return self.server_time or self.time

    def to_json(self) -> dict[str, Any]:
        return {
            "v": VERSION,
            "time": _iso(self.time),
            "serverTime": _iso(self.server_time) if self.server_time else None,
            "user": self.where.user,
            "host": self.where.host,
            "ssh": self.where.ssh,
            "sshFrom": self.where.ssh_from,
            "teamId": self.team_id,
            "teamName": self.team_name,
            "action": self.action,
            "what": self.what,
            "before": self.before,
            "after": self.after,
            "amountCents": self.amount_cents,
            "idempotencyKey": self.idempotency_key,
            "outcome": self.outcome,
            "reason": self.reason,
            "apiUrl": self.api_url,
            **({"extra": self.extra} if self.extra else {}),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> JournalEntry:
        return cls(
            time=_parse(raw["time"]),
            server_time=_parse(raw["serverTime"]) if raw.get("serverTime") else None,
            where=Where(str(raw.get("user") or "?"), str(raw.get("host") or "?"), bool(raw.get("ssh")), raw.get("sshFrom")),
            team_id=str(raw["teamId"]),
            team_name=str(raw.get("teamName") or ""),
            action=str(raw.get("action") or ""),
            what=str(raw.get("what") or raw.get("action") or ""),
            before=raw.get("before"),
            after=raw.get("after"),
            amount_cents=int(raw["amountCents"]) if raw.get("amountCents") is not None else None,
            idempotency_key=raw.get("idempotencyKey"),
            outcome=str(raw.get("outcome") or UNKNOWN),
            reason=raw.get("reason"),
            api_url=raw.get("apiUrl"),
            extra=dict(raw.get("extra") or {}),
        )


class Journal:
    """Append and read the journal file. `Journal()` is this user's; pass a path for another."""

    def __init__(self, path: Path | str | None = None) -> None:
        self._path = Path(path) if path is not None else None

    @property
    def path(self) -> Path | None:
        """Resolved on every use, so a changed environment (tests, `XDG_STATE_HOME`) is followed."""
        return self._path if self._path is not None else default_path()

    def append(self, entry: JournalEntry) -> None:
        """Append one line: one write() on O_APPEND under an exclusive lock; file mode 0600.

        Raises OSError when the file cannot be written: the caller decides (actions log it and
        carry on — a journal failure never turns a done write into a failed one).
        """
        path = self.path
        if path is None:
            return
        line = (json.dumps(_clean(entry.to_json()), ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            with _locked(fd):
                if os.fstat(fd).st_mode & 0o077:
                    os.fchmod(fd, 0o600)  # created by hand or restored from a backup: make it private
                view = memoryview(line)
                while view:  # a regular file takes it in one write; loop only for a short write
                    written = os.write(fd, view)
                    view = view[written:]
        finally:
            os.close(fd)

    def entries(self, team_id: str | None = None, *, since: datetime | None = None,
                until: datetime | None = None) -> list[JournalEntry]:
        """The journal's entries in file order (oldest first), for one team when given; `since`
        (inclusive) and `until` (exclusive) compare with `JournalEntry.when`."""
        return list(self.iter_entries(team_id, since=since, until=until))

    def iter_entries(self, team_id: str | None = None, *, since: datetime | None = None,
                     until: datetime | None = None) -> Iterator[JournalEntry]:
        path = self.path
        if path is None:
            return
        try:
            handle = path.open("r", encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return
        with handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    raw = json.loads(line)
                    if team_id is not None and raw.get("teamId") != team_id:
                        continue
                    entry = JournalEntry.from_json(raw)
                except (ValueError, KeyError, TypeError):
                    log.warning("journal %s: line %d is not a journal entry; skipped", path, number)
                    continue
                if since is not None and entry.when < since:
                    continue
                if until is not None and entry.when >= until:
                    continue
                yield entry


@contextlib.contextmanager
def _locked(fd: int) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not POSIX: O_APPEND alone keeps whole lines apart
        yield
        return
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


_KEY_RE = re.compile(r"xai-[A-Za-z0-9_\-]{8,}")
_CARD_RE = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_FREE_TEXT = ("before", "after", "reason", "what", "teamName", "extra")


def _clean(document: dict[str, Any]) -> dict[str, Any]:
    """Mask anything shaped like a key or a card number in the free-text fields (a server's error
    message may echo what it was sent)."""
    return {k: _mask(v) if k in _FREE_TEXT else v for k, v in document.items()}


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        from xconsole.core.secrets import mask_key

        value = _KEY_RE.sub(lambda m: mask_key(m.group(0)), value)
        return _CARD_RE.sub(lambda m: "··" + re.sub(r"\D", "", m.group(0))[-4:], value)
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

