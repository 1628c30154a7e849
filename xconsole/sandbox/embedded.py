"""The sandbox inside the xconsole process: `xconsole --sandbox` talks to it through
`httpx.ASGITransport`, so no port is opened and nothing touches the keyring or the config."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from xconsole.sandbox.app import create_app
from xconsole.sandbox.clock import Clock
from xconsole.sandbox.keys import DemoTeamKeys, demo_teams
from xconsole.sandbox.store import Store

BASE_URL = "http://sandbox.xconsole.local"


@dataclass
class EmbeddedSandbox:
    app: object
    transport: httpx.ASGITransport
    teams: list[DemoTeamKeys]
    db_path: str


def open_embedded(
    db: Path | str | None = None, *, fresh: bool = False, frozen_at: datetime | None = None, large: bool = False
) -> EmbeddedSandbox:
    """A sandbox on `db` (":memory:" or a file; a fresh file is seeded), wall clock unless frozen."""
    path = str(db) if db is not None else ":memory:"
    if fresh and path != ":memory:":
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    store = Store(path)
    clock = Clock.frozen(frozen_at) if frozen_at else Clock()
    app = create_app(store, clock, large=large)
    return EmbeddedSandbox(app=app, transport=httpx.ASGITransport(app=app), teams=demo_teams(store), db_path=path)
