"""The overview (screen 0): every team's numbers side by side, one failing team does not hide
the others, Enter switches team."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from xconsole.core.credentials import MemoryKeyStore
from xconsole.core.session import TeamHandle
from xconsole.tui.screens.overview import OverviewScreen
from tests.tui.harness import delayed_sandbox_app, embedded, plain, registry_app, sandbox_app, settle


async def open_overview(pilot):
    await settle(pilot)
    await pilot.press("0")
    await settle(pilot)
    return pilot.app.screen


def rows(screen):
    from xconsole.tui.widgets.console_table import VimTable

    table = screen.query_one("#overview-table", VimTable)
    return {str(table.get_row_at(i)[0]).strip(): [str(c).strip() for c in table.get_row_at(i)] for i in range(table.row_count)}


async def test_every_team_with_numbers_warnings_and_enter_switches():
    app = sandbox_app(team="lumen")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_overview(pilot)
        assert isinstance(screen, OverviewScreen)
        table = rows(screen)
        assert set(table) == {"Lumen Labs", "Orbit Robotics", "Helix Health"}
        orbit = app.store.cache[next(t.team_id for t in app.session.teams if t.name.startswith("Orbit"))].snapshot
        assert table["Orbit Robotics"][1] == f"${orbit.summary.live_balance / 100:,.2f}"
        assert table["Orbit Robotics"][7] == "⚠" and table["Lumen Labs"][7] == ""
        # Soonest rejection first (Orbit runs out; auto top-up keeps Lumen going; Helix's limit
        # outlasts its month), then the registry's order.
        assert list(table) == ["Orbit Robotics", "Lumen Labs", "Helix Health"]
        assert table["Orbit Robotics"][2] in ("< 1 day", "~1 day") and table["Lumen Labs"][2] == "—"
        assert all(len(table[name][6]) == 14 and set(table[name][6]) <= set("▁▂▃▄▅▆▇█ ") for name in table)
        notes = plain(screen.query_one("#overview-notes"))
        assert "Orbit Robotics: API requests will be rejected soon" in notes
        await pilot.press("j", "enter")  # Lumen (highlighted) -> Helix
        await settle(pilot)
        assert app.team.name.startswith("Helix") and app.current_mode == "spend"


async def test_a_team_whose_key_is_rejected_shows_the_error_in_its_row(tmp_path):
    sandbox = embedded()
    teams = [TeamHandle(t.name, t.team_id, "keyring") for t in sandbox.teams]
    keys = {t.team_id: t.management_key for t in sandbox.teams}
    keys[teams[1].team_id] = "xai-revokedrevokedrevoked0000"
    app = registry_app(sandbox, tmp_path / "c.toml", keystore=MemoryKeyStore(keys), teams=teams)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_overview(pilot)
        table = rows(screen)
        assert table[teams[1].name][1] == "error"
        assert "Key rejected" in plain(screen.query_one("#overview-notes"))
        for team in (teams[0], teams[2]):
            assert table[team.name][1].startswith("$")
        assert "xai-revoked" not in plain(screen.query_one("#overview-notes"))


async def test_teams_whose_read_failed_are_read_again_when_the_overview_is_shown(monkeypatch):
    from tests.tui.harness import failing_sandbox

    sandbox = failing_sandbox(monkeypatch)
    faults = sandbox.app.state.sandbox.faults
    app = sandbox_app(sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_overview(pilot)
        assert all(row[1] == "error" for row in rows(screen).values())
        faults.error_rate = 0.0  # the server is back
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("0")
        await settle(pilot)
        assert not any(row[1] == "error" for row in rows(app.screen).values())


async def test_r_refreshes_every_team():
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_overview(pilot)
        before = {tid: data.generation for tid, data in app.store.cache.items()}
        await pilot.press("r")
        await settle(pilot)
        assert all(app.store.cache[tid].generation > gen for tid, gen in before.items())


async def test_while_teams_are_read_it_says_so_never_that_nothing_needs_attention():
    import asyncio

    from tests.tui.harness import delayed_sandbox_app, wait_until

    sandbox = embedded()
    helix = next(t for t in sandbox.teams if t.name.startswith("Helix"))
    app = delayed_sandbox_app(sandbox)
    ready = asyncio.Event()
    factory = app.session_factory

    async def held():  # noqa: ANN202 - the session comes when the test says
        await ready.wait()
        return await factory()

    app.session_factory = held
    app.transport.hold(helix.team_id)  # type: ignore[attr-defined]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("0")
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen))
        notes = lambda: plain(app.screen.query_one("#overview-notes"))  # noqa: E731
        await wait_until(pilot, lambda: "Starting…" in notes())
        await pilot.press("right_square_bracket")  # heard, and answered, before the teams are in
        await wait_until(pilot, lambda: any(m == "Still starting…" for m, _ in app.notices))
        ready.set()
        await wait_until(pilot, lambda: app.transport.in_flight(helix.team_id))  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: "Reading 1 of 3 teams…" in notes())
        assert "Nothing needs attention" not in notes()
        app.transport.release(helix.team_id)  # type: ignore[attr-defined]
        await settle(pilot)
        assert "Reading" not in notes()


async def test_an_invoice_that_could_not_be_charged_needs_attention():
    from textual.widgets import Static

    from xconsole.core.money import format_cents
    from xconsole.tui.widgets.balance_panel import BalancePanel

    app = delayed_sandbox_app(embedded(), team="helix")  # October's invoice: its charge failed
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        failed = app.store.data().snapshot.unpaid
        assert failed and failed[0].invoice_status.value == "FAILED"
        said = f"Invoice {failed[0].invoice_number} ({format_cents(failed[0].total)}) could not be charged"
        assert f"{said}: see Invoices (4)" in str(app.screen.query_one(BalancePanel).render())
        await pilot.press("0")
        await settle(pilot)
        notes = str(app.screen.query_one("#overview-notes", Static).render())
        assert f"Helix Health: {said}" in notes
        assert "Nothing needs attention" not in notes


async def test_invoices_that_could_not_be_read_are_not_nothing_to_look_at():
    from textual.widgets import Static

    from xconsole.core.billing import UNPAID_UNKNOWN
    from xconsole.tui.widgets.balance_panel import BalancePanel

    app = delayed_sandbox_app(embedded(), team="helix")  # a failed charge this read would miss
    app.transport.drop_request = {("GET", "/invoices")}  # type: ignore[attr-defined]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.store.data().snapshot.unpaid is None
        assert UNPAID_UNKNOWN in str(app.screen.query_one(BalancePanel).render())
        await pilot.press("0")
        await settle(pilot)
        notes = str(app.screen.query_one("#overview-notes", Static).render())
        assert f"Helix Health: {UNPAID_UNKNOWN}" in notes
        assert "Nothing needs attention" not in notes


def test_a_rejection_only_known_as_the_earliest_is_sorted_by_its_time_after_a_sure_one_on_a_tie():
    from types import SimpleNamespace

    from xconsole.core.forecast import ForecastInput, forecast
    from xconsole.core.hourly import HourlyUsage
    from xconsole.tui.screens.overview import _rejected_in, _soonest

    now = datetime(2026, 11, 18, 15, tzinfo=timezone.utc)
    usage = HourlyUsage(now - timedelta(days=28), (100,) * (28 * 24))

    def team(credits: int, **known: object) -> SimpleNamespace:
        fc = forecast(usage, ForecastInput(credits=credits, month_spend=0, **known), now)
        return SimpleNamespace(snapshot=SimpleNamespace(forecast=fc))

    # Real API, auto top-ups in the ledger: rejected in 2 days at the earliest. It may be the most
    # urgent (its auto top-up may have stopped), so its time places it; its cell says it is a floor.
    topped_up = team(4_800, auto=None, auto_known=False, seen_top_ups=3)
    sure = team(9_600)  # rejected in 4 days, no auto top-up to doubt it
    sure_too = team(4_800)
    assert sorted([sure, topped_up], key=_soonest) == [topped_up, sure]
    assert sorted([topped_up, sure_too], key=_soonest) == [sure_too, topped_up]
    assert _rejected_in(topped_up.snapshot) == "2+ days" and _rejected_in(sure.snapshot) == "~4 days"
    # The summary line every screen shows says the same.
    from xconsole.core.billing import SpendSummary
    from xconsole.tui.widgets.team_summary import TeamSummary

    summary = SpendSummary(live_balance=4_800, month_spend=0, beyond_prepaid=0, pending_purchases=None, soft_limit=0,
                           hard_limit=0, runway_days=2.0)
    assert TeamSummary._rejection(summary, topped_up.snapshot.forecast) == ("Rejected", "≥ Fri 20 Nov ~15:00")
    assert TeamSummary._rejection(summary, sure_too.snapshot.forecast) == ("Rejected", "Fri 20 Nov ~15:00")
