"""The starting team's numbers before the rest of its data: from the early-read process while the
session starts, or from the team's own read as soon as its preview and limits are in. Always for
the team they were read for; never over the full read."""

from __future__ import annotations

import asyncio
import builtins
from datetime import datetime, timedelta, timezone

from xconsole.core.client import ManagementClient
from xconsole.core.credentials import MemoryKeyStore
from xconsole.core.numbers_cache import CachedNumbers
from xconsole.core.session import Session, TeamHandle
from xconsole.core.spend import load_spend
from xconsole.sandbox.embedded import BASE_URL
from xconsole.tui.app import XConsoleApp
from xconsole.tui.widgets.team_summary import TeamSummary
from tests.tui.harness import DelayTransport, delayed_sandbox_app, embedded, settle, wait_until


class FakeEarlyRead:
    """What core/early_read.EarlyRead gives the console: numbers when the test releases them."""

    def __init__(self, numbers: CachedNumbers | None) -> None:
        self._numbers = numbers
        self.answer = asyncio.Event()
        self.stopped = 0

    async def numbers(self) -> CachedNumbers | None:
        await self.answer.wait()
        return self._numbers

    def stop(self) -> None:
        self.stopped += 1


def summary_text(app: XConsoleApp) -> str:
    return str(app.screen.query_one(TeamSummary).render())


def live(team_id: str, cents: int) -> CachedNumbers:
    return CachedNumbers(team_id, cents, 4_200, 0, None, datetime.now(timezone.utc), live=True)


def held_app(numbers_for: int | None = 0):  # noqa: ANN201
    """The console on the sandbox's first team as a registered team, its session held until the
    test sets `ready`; the early read answers (when released) with $987.65 for the team at index
    `numbers_for` (None: nothing). Returns (app, ready, early, the first team)."""
    sandbox = embedded()
    lumen = sandbox.teams[0]
    early = FakeEarlyRead(None if numbers_for is None else live(sandbox.teams[numbers_for].team_id, 98_765))
    transport = DelayTransport(sandbox.transport)
    ready = asyncio.Event()

    async def factory() -> Session:
        await ready.wait()
        return Session([TeamHandle(lumen.name, lumen.team_id, "keyring")], MemoryKeyStore({lumen.team_id: lumen.management_key}),
                       lambda key, _url: ManagementClient(key, BASE_URL, transport=transport))

    app = XConsoleApp(factory, starting_team=(lumen.name, lumen.team_id), early_read=early, changes_digest=False)
    return app, ready, early, lumen


async def test_the_early_numbers_show_before_the_session_then_the_full_read_replaces_them():
    app, ready, early, lumen = held_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Loading this team's billing" in summary_text(app)
        early.answer.set()
        await wait_until(pilot, lambda: "$987.65" in summary_text(app))
        shown = summary_text(app)
        assert "reading the rest…" in shown and "saved" not in shown and app.store.session is None
        assert early.stopped == 1  # reaped as soon as it answered
        ready.set()
        await settle(pilot)
        full = summary_text(app)
        assert "$987.65" not in full and "reading the rest" not in full and ("Runway" in full or "Rejected" in full)
        # An answer arriving after the full read is not kept, let alone drawn.
        app.store.show_early(live(lumen.team_id, 11_111))
        assert lumen.team_id not in app.store.remembered


async def test_painting_the_early_numbers_needs_no_billing_models(monkeypatch):
    """They come while the session's thread imports pydantic and the wire models: the UI loop
    paints them without those (a handler imported them there first, and the numbers waited)."""
    app, _ready, early, _lumen = held_app()
    asked: list[str] = []
    real_import = builtins.__import__

    def watching(name, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if name.startswith(("pydantic", "xconsole.core.models", "xconsole.core.billing")):
            asked.append(name)
        return real_import(name, *args, **kwargs)

    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        monkeypatch.setattr(builtins, "__import__", watching)
        early.answer.set()
        await wait_until(pilot, lambda: "$987.65" in summary_text(app))
        await pilot.pause()
        monkeypatch.setattr(builtins, "__import__", real_import)
    assert asked == []


async def test_numbers_read_for_another_team_are_never_shown():
    app, ready, early, _lumen = held_app(numbers_for=1)
    async with app.run_test(size=(100, 30)) as pilot:
        early.answer.set()
        await wait_until(pilot, lambda: early.stopped == 1)
        await pilot.pause()  # the session is held: nothing else to wait for
        assert "$987.65" not in summary_text(app) and "Loading this team's billing" in summary_text(app)
        ready.set()
        await settle(pilot)
        assert "$987.65" not in summary_text(app)


async def test_quitting_before_the_early_read_answers_stops_it():
    app, _ready, early, _lumen = held_app(numbers_for=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: any(w.name == "early-read" for w in app.workers))
    assert early.stopped == 1  # the worker waiting for it ended with the app, and stopped it


async def test_the_preview_and_limits_show_while_the_usage_is_still_being_read():
    sandbox = embedded()
    app = delayed_sandbox_app(sandbox)
    transport = app.transport  # type: ignore[attr-defined]
    lumen = sandbox.teams[0]
    # Hold the usage reads only: the balance, month and limit are in, the runway is not.
    original = transport.handle_async_request
    usage_gate = asyncio.Event()

    async def slow_usage(request):  # noqa: ANN001, ANN202
        if request.url.path.endswith("/usage"):
            await usage_gate.wait()
        return await original(request)

    transport.handle_async_request = slow_usage
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: "reading the rest…" in summary_text(app))
        early = app.store.remembered[lumen.team_id]
        assert early.live and app.store.data().snapshot is None
        usage_gate.set()
        await settle(pilot)
        snapshot = app.store.data().snapshot
        assert (early.live_balance, early.month_spend, early.soft_limit) == \
            (snapshot.summary.live_balance, snapshot.summary.month_spend, snapshot.summary.soft_limit)
        assert "reading the rest" not in summary_text(app)


async def test_load_spend_hands_over_the_same_numbers_first_without_another_request():
    sandbox = embedded()
    lumen = sandbox.teams[0]
    transport = DelayTransport(sandbox.transport)
    client = ManagementClient(lumen.management_key, BASE_URL, transport=transport, sandbox=True)
    first: list = []
    async with client:
        await load_spend(client, lumen.team_id)  # learns the (frozen) sandbox clock: no re-read below
        before = len(transport.calls)
        snapshot = await load_spend(client, lumen.team_id, on_numbers=first.append)
        with_numbers = len(transport.calls) - before
        await load_spend(client, lumen.team_id)
        without = len(transport.calls) - before - with_numbers
    assert len(first) == 1 and first[0].live_balance == snapshot.summary.live_balance
    assert first[0].month_spend == snapshot.summary.month_spend and first[0].soft_limit == snapshot.summary.soft_limit
    assert with_numbers == without == 11  # the same requests with or without it


def test_an_older_answer_never_replaces_fresher_live_numbers():
    from xconsole.tui.store import TeamStore

    class NoApp:
        def post_message(self, message) -> None:  # noqa: ANN001
            pass

    store = TeamStore(NoApp())  # type: ignore[arg-type]
    fresher = live("T", 200)
    store.show_early(fresher)
    older = CachedNumbers("T", 100, 0, 0, None, fresher.saved_at.replace(microsecond=0) - timedelta(seconds=1), live=True)
    store.show_early(older)  # the early-read process, slower than the team's own first answers
    assert store.remembered["T"] is fresher


def first_team_held():  # noqa: ANN201
    """The sandbox console with the first team's requests held: (app, transport, first, others)."""
    sandbox = embedded()
    app = delayed_sandbox_app(sandbox)
    transport = app.transport  # type: ignore[attr-defined]
    transport.hold(sandbox.teams[0].team_id)
    return app, transport, sandbox.teams[0], sandbox.teams[1:]


def any_read(transport: DelayTransport, teams) -> bool:  # noqa: ANN001
    return any(t.team_id in path for t in teams for _m, path in transport.calls)


async def test_quitting_during_the_first_read_reads_no_other_team():
    app, transport, lumen, others = first_team_held()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: transport.in_flight(lumen.team_id) > 0)
    assert not any_read(transport, others)


async def test_other_teams_are_read_only_after_the_first_teams_own_read():
    app, transport, lumen, others = first_team_held()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: transport.in_flight(lumen.team_id) > 0)
        await wait_until(pilot, lambda: app.store.session is not None)
        assert not any_read(transport, others)
        transport.release(lumen.team_id)
        await settle(pilot)
        assert all(app.store.data(t.team_id) is not None and app.store.data(t.team_id).snapshot is not None for t in others)


async def test_the_first_frame_written_names_the_team_and_has_numbers_already_read():
    # The early-read process usually answers before the console's first frame: read from the
    # start, its numbers are in that frame.
    import re

    from textual.app import App

    app, _ready, early, lumen = held_app()
    early.answer.set()
    frames: list[str] = []

    def display(screen, renderable) -> None:  # noqa: ANN001
        if renderable is not None and not frames:
            frames.append(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", renderable.render_segments(app.console)))
        App._display(app, screen, renderable)

    app._display = display  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: bool(frames))
    assert lumen.name in frames[0] and "Credits $987.65" in frames[0]


async def test_keys_pressed_before_the_session_are_answered_not_refused():
    # The first frame names the team and may show its numbers well before the session is ready:
    # a key pressed then is heard ("Still starting…"), never "No team yet." or silence.
    app, ready, early, _lumen = held_app()
    early.answer.set()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for key in ("p", "o", "i", "r", "t", "right_square_bracket"):
            before = len(app.notices)
            await pilot.press(key)
            await wait_until(pilot, lambda: len(app.notices) > before)
            assert app.notices[-1] == ("Still starting…", "information"), key
        assert app.store.session is None
        ready.set()
        await settle(pilot)
