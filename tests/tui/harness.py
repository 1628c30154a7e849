"""Apps on a frozen, in-process sandbox for pilot and snapshot tests."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from xconsole.cli.options import Options
from xconsole.cli.wiring import sandbox_session
from xconsole.core.client import ManagementClient
from xconsole.core.credentials import KeyringUnavailable, MemoryKeyStore
from xconsole.core.session import Session, TeamHandle
from xconsole.core.teams import TeamRegistry
from xconsole.sandbox.clock import FROZEN_NOW
from xconsole.sandbox.embedded import BASE_URL, EmbeddedSandbox, open_embedded
from xconsole.tui.app import XConsoleApp


_seeded: EmbeddedSandbox | None = None


def embedded() -> EmbeddedSandbox:
    """A fresh demo sandbox on the frozen clock: seeded once per process, then copied (seeding
    13 months of hourly history takes ~0.4 s; a copy a few milliseconds)."""
    global _seeded
    if _seeded is None:
        _seeded = open_embedded(":memory:", frozen_at=FROZEN_NOW)
    return open_embedded(":memory:", frozen_at=FROZEN_NOW, template=_seeded.app.state.sandbox.store)


#: The "since you last looked" digest reads in the background and toasts on a first start: off in
#: tests (and snapshots) unless a test is about it (tests/tui/test_changes_digest.py).
DIGEST = False


def sandbox_app(sandbox: EmbeddedSandbox | None = None, *, read_only: bool = False, team: str | None = None,
                changes_digest: bool = DIGEST) -> XConsoleApp:
    sandbox = sandbox or embedded()

    async def factory() -> Session:
        return sandbox_session(Options(sandbox=True, read_only=read_only), sandbox)

    return XConsoleApp(factory, sandbox=True, read_only=read_only, initial_team=team, changes_digest=changes_digest)


class DelayTransport(httpx.AsyncBaseTransport):
    """Delays answers per team id (a slow team vs a fast one), or forever with None; records
    every request as (method, path) so tests can count what was sent. `fail` makes every request
    fail the way a network does ("refused" or "timeout"); `drop_answer` lists (method, path
    suffix) pairs whose request reaches the server but whose answer is lost on the way back.
    `hold(team_id)` keeps that team's requests in flight until `release(team_id)`: a test that
    needs a request in flight waits for `in_flight(team_id)` instead of hoping a delay is long
    enough."""

    def __init__(self, inner: httpx.AsyncBaseTransport, delays: dict[str, float | None] | None = None) -> None:
        self.inner = inner
        self.delays = delays or {}
        self.calls: list[tuple[str, str]] = []
        self.requests: list[httpx.Request] = []
        self.fail: str | None = None
        self.drop_answer: set[tuple[str, str]] = set()
        self.drop_request: set[tuple[str, str]] = set()
        self.held: dict[str, asyncio.Event] = {}
        self.waiting: list[str] = []  # request paths held right now

    def hold(self, team_id: str) -> None:
        self.held[team_id] = asyncio.Event()

    def release(self, team_id: str) -> None:
        self.held.pop(team_id).set()

    def in_flight(self, team_id: str) -> int:
        """Requests of the team held by `hold` right now."""
        return sum(1 for path in self.waiting if team_id in path)

    def sent(self, method: str, suffix: str) -> int:
        return sum(1 for m, path in self.calls if m == method and path.endswith(suffix))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.method, request.url.path))
        self.requests.append(request)
        if self.fail == "refused":
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if self.fail == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if any(request.method == m and request.url.path.endswith(suffix) for m, suffix in self.drop_request):
            raise httpx.ConnectError("[Errno 104] Connection reset by peer", request=request)
        gates = [gate for team_id, gate in self.held.items() if team_id in request.url.path]
        if gates:
            self.waiting.append(request.url.path)
            try:
                await gates[0].wait()
            finally:
                self.waiting.remove(request.url.path)
        for team_id, delay in self.delays.items():
            if team_id in request.url.path:
                if delay is None:
                    await asyncio.Event().wait()  # never answers
                await asyncio.sleep(delay)
        response = await self.inner.handle_async_request(request)
        if any(request.method == m and request.url.path.endswith(suffix) for m, suffix in self.drop_answer):
            raise httpx.ReadError("connection reset while reading the answer", request=request)
        return response


def failing_sandbox(monkeypatch) -> EmbeddedSandbox:  # noqa: ANN001
    """A sandbox whose every request fails, and no automatic retry during the test."""
    from xconsole.tui import store as store_module

    monkeypatch.setattr(store_module, "RETRY_FIRST_S", 3600)
    sandbox = embedded()
    sandbox.app.state.sandbox.faults.error_rate = 1.0
    return sandbox


def delayed_sandbox_app(sandbox: EmbeddedSandbox, delays: dict[str, float | None] | None = None, *,
                        read_only: bool = False, team: str | None = None) -> XConsoleApp:
    """A sandbox app whose requests go through a DelayTransport (`app.transport`)."""
    transport = DelayTransport(sandbox.transport, delays)

    async def factory() -> Session:
        session = sandbox_session(Options(sandbox=True, read_only=read_only), sandbox)
        session.make_client = lambda key, _url: ManagementClient(key, BASE_URL, transport=transport, sandbox=True)
        return session

    app = XConsoleApp(factory, sandbox=True, read_only=read_only, initial_team=team, changes_digest=DIGEST)
    app.transport = transport  # type: ignore[attr-defined]
    return app


def real_api_app(transport: httpx.AsyncBaseTransport, team: TeamHandle, key: str) -> XConsoleApp:
    """The console against the real API's shapes (respx), where console-only routes do not exist."""
    from xconsole.core.client import DEFAULT_API_URL

    async def factory() -> Session:
        return Session([team], MemoryKeyStore({team.team_id: key}),
                       lambda k, _url: ManagementClient(k, DEFAULT_API_URL, transport=transport))

    return XConsoleApp(factory, changes_digest=DIGEST)


class BrokenKeyStore(MemoryKeyStore):
    label = "keyring"

    async def get(self, team_id: str) -> str | None:
        raise KeyringUnavailable("No usable keyring backend (keyring's fail backend is active)")

    async def set(self, team_id: str, key: str) -> None:
        raise KeyringUnavailable("No usable keyring backend (keyring's fail backend is active)")


def registry_app(sandbox: EmbeddedSandbox, config: Path, *, keystore: MemoryKeyStore | None = None,
                 teams: list[TeamHandle] | None = None) -> XConsoleApp:
    """A registered-teams session (config file in tmp, keys in memory) against the sandbox."""

    async def factory() -> Session:
        registry = TeamRegistry.load(config)
        handles = teams if teams is not None else [
            TeamHandle(t.name, t.team_id, "keyring", t.key_hint) for t in registry.teams
        ]
        return Session(handles, keystore or MemoryKeyStore(),
                       lambda key, _url: ManagementClient(key, BASE_URL, transport=sandbox.transport, sandbox=True),
                       registry=registry)

    return XConsoleApp(factory, changes_digest=DIGEST)


async def palette(pilot, text: str) -> None:  # noqa: ANN001
    """Run the command palette's best match for `text`, as a person typing it would."""
    from textual.command import CommandInput, CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    screen = pilot.app.screen
    for ch in text:
        await pilot.press("space" if ch == " " else ch)
    await wait_until(pilot, lambda: screen.query_one(CommandInput).value == text)
    # The search for the whole text has run (settle: no search worker left, several quiet checks
    # in a row, so the last keystroke's search has started and ended) and its best hit is highlighted.
    await settle(pilot)
    hits = screen.query_one(CommandList)
    await wait_until(pilot, lambda: hits.option_count > 0 and hits.highlighted is not None)
    await pilot.press("enter")
    await settle(pilot)


async def goto_screen(pilot, key: str):  # noqa: ANN001, ANN201
    """Once the app is quiet, press a screen's key (`1`–`6`) and return that screen, drawn."""
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    return pilot.app.screen


async def type_text(pilot, text: str) -> None:  # noqa: ANN001
    """Type `text` key by key, as a person would."""
    names = {" ": "space", "-": "minus", ".": "full_stop", "/": "slash", ",": "comma"}
    await pilot.press(*[names.get(ch, ch) for ch in text])


async def open_buy(pilot, amount: str) -> None:  # noqa: ANN001
    """`p`, type `amount`, Enter: the purchase's confirmation (or the amount's error) is shown."""
    from xconsole.tui.screens.buy_credits import BuyCreditsScreen

    await pilot.press("p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, BuyCreditsScreen)
    await type_text(pilot, amount)
    await pilot.press("enter")
    await settle(pilot)


async def wait_until(pilot, condition, timeout: float = 15.0) -> None:  # noqa: ANN001
    """Let the app run until `condition()` holds; fail with the condition's source otherwise."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"still not true after {timeout} s")
        await pilot.pause(0.02)


def _busy(app) -> str | None:  # noqa: ANN001
    """What the app is still doing, or None when it is quiet."""
    from textual.screen import ModalScreen

    from xconsole.tui.widgets.console_table import VimTable

    if getattr(app, "session", True) is None and not isinstance(app.screen, ModalScreen):
        return "starting"
    if any(not worker.is_finished for worker in app.workers):
        return "workers"
    # Tables measure new rows when next idle: until then columns have their old widths.
    if any(not table.fully_drawn for screen in app.screen_stack for table in screen.query(VimTable)):
        return "tables"
    return None


async def settle(pilot, timeout: float = 30.0) -> None:  # noqa: ANN001
    """Let workers finish, tables lay out their rows and the screen repaint: several quiet
    checks in a row, so work that a finished worker schedules (a refresh after a save, say) is
    waited for too. Fails if the app is still busy after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    quiet = 0
    from textual.worker import WorkerCancelled

    while quiet < 4:
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            pass  # a newer load replaced it (exclusive workers): it is done too
        await pilot.pause(0.01)
        busy = _busy(pilot.app)
        quiet = 0 if busy else quiet + 1
        if busy and loop.time() > deadline:
            raise AssertionError(f"the app did not settle within {timeout} s: {busy}")


def still_cursors(app) -> None:  # noqa: ANN001
    """Stop text cursors blinking (shown, not toggled every 0.5 s), so a screenshot does not
    depend on how long the steps before it took."""
    from textual.widgets import Input

    for screen in app.screen_stack:
        for box in screen.query(Input):
            box.cursor_blink = False


def plain(widget) -> str:  # noqa: ANN001
    """A Static's content as plain text, Rich tables included."""
    import io

    from rich.console import Console

    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()
