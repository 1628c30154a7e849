"""The sandbox inside the xconsole process: `xconsole --sandbox` talks to it through
`httpx.ASGITransport`, so no port is opened and nothing touches the keyring or the config.

The app runs on its own event loop in a daemon thread: the sandbox's work (routing, validation,
serialising, SQLite) never runs on the UI's loop, just as a remote API's would not.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from xconsole.sandbox.app import create_app
from xconsole.sandbox.clock import Clock
from xconsole.sandbox.keys import DemoTeamKeys, demo_teams
from xconsole.sandbox.store import Store

BASE_URL = "http://sandbox.xconsole.local"


class ThreadedASGITransport(httpx.AsyncBaseTransport):
    """`httpx.ASGITransport` served from a background event loop."""

    def __init__(self, app: object) -> None:
        # A crash is answered as the HTTP 500 a served sandbox gives, not raised into the client.
        self._inner = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="xconsole-sandbox", daemon=True)
        self._thread.start()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        future = asyncio.run_coroutine_threadsafe(self._serve(request), self._loop)
        return await asyncio.wrap_future(future)

    async def _serve(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        body = await response.aread()  # read on the sandbox's loop; hand over plain bytes
        return httpx.Response(response.status_code, headers=response.headers, content=body)


@dataclass
class EmbeddedSandbox:
    app: object
    transport: httpx.AsyncBaseTransport
    teams: list[DemoTeamKeys]
    db_path: str


def open_embedded(
    db: Path | str | None = None, *, fresh: bool = False, frozen_at: datetime | None = None, large: bool = False,
    teams: int = 0, template: Store | None = None,
) -> EmbeddedSandbox:
    """A sandbox on `db` (":memory:" or a file; a fresh file is seeded, or copied from
    `template`, a store seeded at the same frozen time), wall clock unless frozen."""
    path = str(db) if db is not None else ":memory:"
    if fresh and path != ":memory:":
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    store = Store(path)
    if template is not None:
        template.copy_to(store)
    clock = Clock.frozen(frozen_at) if frozen_at else Clock()
    app = create_app(store, clock, large=large, teams=teams)
    return EmbeddedSandbox(app=app, transport=ThreadedASGITransport(app), teams=demo_teams(store), db_path=path)
