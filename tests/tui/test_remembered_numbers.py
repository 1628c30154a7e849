"""The first frame names the team and shows its last numbers (dated) while the live read runs."""

import asyncio
from datetime import datetime, timedelta, timezone

from xconsole.core import early_read
from xconsole.core import numbers_cache
from xconsole.core.numbers_cache import CachedNumbers
from xconsole.core.session import Session, TeamHandle
from xconsole.core.credentials import MemoryKeyStore
from xconsole.core.client import ManagementClient
from xconsole.sandbox.embedded import BASE_URL
from xconsole.tui.app import XConsoleApp
from xconsole.tui.widgets.team_header import TeamHeader
from xconsole.tui.widgets.team_summary import TeamSummary
from tests.fixtures import reference as ref
from tests.fixtures.strict_api import StrictApi
from tests.tui.harness import DelayTransport, embedded, settle, wait_until


def text_of(widget) -> str:
    return str(widget.render())


async def test_name_and_remembered_numbers_before_the_session_then_live_ones(monkeypatch, tmp_path):
    monkeypatch.setattr(numbers_cache, "cache_dir", lambda: tmp_path)
    strict = StrictApi()  # a real-API-shaped server: the sandbox's numbers are never kept
    transport = DelayTransport(strict.transport(), {ref.TEAM: None})  # the read hangs until released
    started = asyncio.Event()

    async def factory() -> Session:
        await started.wait()  # the session arrives only when the test says so
        return Session([TeamHandle("Prod", ref.TEAM, "keyring")], MemoryKeyStore({ref.TEAM: ref.KEY}),
                       lambda key, _url: ManagementClient(key, "https://management-api.x.ai", transport=transport))

    saved = CachedNumbers(ref.TEAM, 12_345, 678, 0, None, datetime.now(timezone.utc) - timedelta(minutes=7))
    app = XConsoleApp(factory, starting_team=("Prod", ref.TEAM), keep_numbers=True, remembered=[saved], changes_digest=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Prod" in text_of(app.screen.query_one(TeamHeader))  # no session yet
        summary = text_of(app.screen.query_one(TeamSummary))
        assert "Credits $123.45" in summary and "saved 7 min ago" in summary
        started.set()
        transport.delays.clear()
        await settle(pilot)
        await wait_until(pilot, lambda: app.store.data() is not None and app.store.data().snapshot is not None)
        await settle(pilot)
        live = text_of(app.screen.query_one(TeamSummary))
        assert "saved" not in live and "$123.45" not in live
    kept = numbers_cache.load(ref.TEAM)
    assert kept is not None and kept.live_balance == app.store.cache[ref.TEAM].snapshot.summary.live_balance == 5875


async def test_a_sandbox_served_over_http_is_never_kept(monkeypatch, tmp_path):
    monkeypatch.setattr(numbers_cache, "cache_dir", lambda: tmp_path)
    sandbox = embedded()
    lumen = sandbox.teams[0]

    async def factory() -> Session:  # not the embedded sandbox: known only from its answers
        return Session([TeamHandle(lumen.name, lumen.team_id, "keyring")], MemoryKeyStore({lumen.team_id: lumen.management_key}),
                       lambda key, _url: ManagementClient(key, BASE_URL, transport=sandbox.transport))

    app = XConsoleApp(factory, keep_numbers=True, changes_digest=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.store.data().snapshot is not None
    assert list(tmp_path.iterdir()) == []


async def test_no_cache_keeps_nothing(monkeypatch, tmp_path):
    from tests.tui.harness import sandbox_app

    monkeypatch.setattr(numbers_cache, "cache_dir", lambda: tmp_path)
    app = sandbox_app()  # keep_numbers is off unless asked (the CLI asks unless --sandbox or --no-cache)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
    assert list(tmp_path.iterdir()) == []


def test_the_cli_shows_the_registered_teams_last_numbers_unless_no_cache(monkeypatch, tmp_path):
    from xconsole.cli.options import Options
    from xconsole.cli.tui import build_app

    team = "3f1c9e2a-7b44-4d0e-9a61-0c2b5d8e4f17"
    config = tmp_path / "config.toml"
    config.write_text(f'[settings]\nlast_team = "{team}"\n\n[[teams]]\nname = "Prod"\nteam_id = "{team}"\n')
    monkeypatch.setenv("XCONSOLE_CONFIG_FILE", str(config))
    monkeypatch.delenv("XAI_MANAGEMENT_KEY", raising=False)
    monkeypatch.setattr(numbers_cache, "cache_dir", lambda: tmp_path / "cache")
    numbers_cache.save(CachedNumbers(team, 500, 100, 0, None, datetime.now(timezone.utc)))
    spawned: list[tuple[str, str | None]] = []
    monkeypatch.setattr(early_read, "spawn", lambda team_id, url: spawned.append((team_id, url)) or "early")

    app = build_app(Options())
    assert app.store.starting_team == ("Prod", team) and app.store.keep_numbers and team in app.store.remembered
    quiet = build_app(Options(no_cache=True))
    assert quiet.store.starting_team == ("Prod", team) and not quiet.store.keep_numbers and quiet.store.remembered == {}
    # The live numbers are read meanwhile either way (--no-cache is about keeping them, not reading).
    assert spawned == [(team, None), (team, None)] and app.early_read == "early"
    monkeypatch.setenv("XAI_MANAGEMENT_KEY", "xai-mgmt-" + "k" * 40)  # the key names the team: nothing to start early
    assert build_app(Options()).early_read is None and len(spawned) == 2


async def test_a_first_read_that_fails_keeps_the_remembered_numbers_dated_over_why(monkeypatch, tmp_path):
    # As a refresh that fails later keeps the numbers on hand ("Showing older data"), so does the
    # first read at start: the last numbers stay, dated (not "refreshing…"), above the error.
    monkeypatch.setattr(numbers_cache, "cache_dir", lambda: tmp_path)
    transport = DelayTransport(StrictApi().transport())
    transport.fail = "refused"

    async def factory() -> Session:
        return Session([TeamHandle("Prod", ref.TEAM, "keyring")], MemoryKeyStore({ref.TEAM: ref.KEY}),
                       lambda key, _url: ManagementClient(key, "https://management-api.x.ai", transport=transport,
                                                          max_attempts=1))

    saved = CachedNumbers(ref.TEAM, 12_345, 678, 0, None, datetime.now(timezone.utc) - timedelta(minutes=7))
    app = XConsoleApp(factory, starting_team=("Prod", ref.TEAM), keep_numbers=True, remembered=[saved], changes_digest=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.store.data() is not None and bool(app.store.data().error)
                         and not app.store.data().loading)
        await settle(pilot)
        shown = text_of(app.screen.query_one(TeamSummary))
        assert "Credits $123.45" in shown and "saved 7 min ago" in shown and "refreshing" not in shown
        assert app.store.data().error in shown


async def test_every_teams_last_numbers_show_on_a_switch_and_the_overview_when_the_api_fails(monkeypatch, tmp_path):
    from textual.widgets import Static

    monkeypatch.setattr(numbers_cache, "cache_dir", lambda: tmp_path)
    other = "0b7a3c1e-2f4d-4e8a-9c6b-5d1e2f3a4b5c"
    numbers_cache.save(CachedNumbers(other, 98_765, 4_321, 0, None, datetime.now(timezone.utc) - timedelta(hours=3)))
    transport = DelayTransport(StrictApi().transport())
    transport.fail = "refused"

    async def factory() -> Session:
        return Session([TeamHandle("Prod", ref.TEAM, "keyring"), TeamHandle("Other", other, "keyring")],
                       MemoryKeyStore({ref.TEAM: ref.KEY, other: ref.KEY}),
                       lambda key, _url: ManagementClient(key, "https://management-api.x.ai", transport=transport,
                                                          max_attempts=1))

    app = XConsoleApp(factory, starting_team=("Prod", ref.TEAM), keep_numbers=True, remembered=[], changes_digest=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: other in app.store.remembered)  # read off the UI loop at start
        await pilot.press("0")
        await wait_until(pilot, lambda: (d := app.store.data(other)) is not None and bool(d.error) and not d.loading)
        await settle(pilot)
        table = app.screen.query_one("#overview-table")
        row = " ".join(str(cell) for cell in table.get_row(other))
        assert "$987.65" in row and "saved 3 h ago" in row and "⚠" in row
        assert "Other: error — showing numbers saved 3 h ago" in str(app.screen.query_one("#overview-notes", Static).render())
        await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: app.team.team_id == other and app.store.data() is not None
                         and bool(app.store.data().error) and not app.store.data().loading)
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        shown = text_of(app.screen.query_one(TeamSummary))
        assert "Credits $987.65" in shown and "saved 3 h ago" in shown


async def test_kept_numbers_with_large_amounts_stay_on_one_line_at_80_columns():
    from datetime import datetime, timedelta, timezone

    from textual.app import App

    from xconsole.core.numbers_cache import CachedNumbers

    kept = CachedNumbers("t", 123_456_78, 98_765_43, 50_000_00, 3.0,
                         datetime.now(timezone.utc) - timedelta(minutes=12))

    class Host(App):
        CSS = "TeamSummary { height: auto; padding: 0 1; }"

        def compose(self):  # noqa: ANN202
            summary = TeamSummary()
            summary.show(None, kept)
            yield summary

    async with Host().run_test(size=(80, 24)) as pilot:
        summary = pilot.app.query_one(TeamSummary)
        await pilot.pause()
        line = text_of(summary)
        assert line.endswith("12 min ago…") and "$123,456.78" in line  # a shorter note, still dated
        assert summary.size.height == 1 and len(line) <= summary.content_size.width
