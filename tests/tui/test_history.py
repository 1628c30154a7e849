"""History (screen 6) on the sandbox: audit events merged with this machine's journal, newest
first; `/` sends the query to the API; Enter opens an entry; pages load as you scroll; a failed
audit read still shows the journal; a team switch starts over for the new team."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

from xconsole.sandbox import simulation as sim
from xconsole.sandbox.clock import FROZEN_NOW
from xconsole.tui.screens.history import HistoryEntryScreen, HistoryScreen
from xconsole.tui.screens.spending_limit import SpendingLimitScreen
from tests.tui.harness import delayed_sandbox_app, embedded, plain, settle, type_text, wait_until


def history(app) -> HistoryScreen:
    screen = app.screen
    assert isinstance(screen, HistoryScreen)
    return screen


def status(app) -> str:
    return str(app.screen.query_one("#history-status").render())


async def open_history(pilot) -> None:
    """The first numbers, then `6`: the History screen with its first page."""
    await settle(pilot)
    await pilot.press("6")
    await settle(pilot)


async def set_limit(pilot, amount: str) -> None:
    """Through the Spend screen's dialog, as a person would: l, amount, Review, Confirm."""
    await pilot.press("1")
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)
    assert isinstance(pilot.app.screen, SpendingLimitScreen)
    await type_text(pilot, amount)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def audit_requests(app) -> list[dict[str, list[str]]]:
    return [parse_qs(r.url.query.decode()) for r in app.transport.requests if r.url.path.endswith("/events")]


async def test_audit_events_and_the_journal_newest_first_with_before_and_after():
    app = delayed_sandbox_app(embedded(), team="helix")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await set_limit(pilot, "2,500")
        await pilot.press("6")
        await settle(pilot)
        screen = history(app)
        entries = screen.entries
        times = [e.time for e in entries]
        assert times == sorted(times, reverse=True)
        # The write shows twice: the team's audit event, and this machine's journal row naming the
        # person and the limit the dialog showed (before=) → the new one.
        journal = [e for e in entries if e.source == "journal"]
        assert len(journal) == 1 and (journal[0].before, journal[0].after) == ("$2,000.00", "$2,500.00")
        assert journal[0].outcome == "done" and "@" in journal[0].who
        audit = next(e for e in entries if e.source == "audit" and "limit" in e.what.lower())
        assert (audit.before, audit.after) == ("$2,000.00", "$2,500.00") and audit.who == "admin@sandbox.example"
        assert {entries[0].source, entries[1].source} == {"audit", "journal"}  # the newest two
        assert screen.table.row_count == len(entries) and "all loaded" in status(app)

        # Enter: the entry in full, every field.
        screen.table.move_cursor(row=entries.index(journal[0]))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HistoryEntryScreen)
        shown = plain(app.screen.query_one("#entry-fields"))
        assert "$2,000.00" in shown and "$2,500.00" in shown and "journal" in shown and journal[0].who in shown
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)


async def test_filter_asks_the_api_with_a_new_pager_and_escape_clears_it():
    app = delayed_sandbox_app(embedded(), team="helix")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_history(pilot)
        everything = len(history(app).entries)
        first_pager = history(app).pager
        await pilot.press("slash")
        await type_text(pilot, "api key")
        await pilot.press("enter")
        await settle(pilot)
        screen = history(app)
        assert screen.pager is not first_pager and screen.filter_text == "api key"
        assert audit_requests(app)[-1]["eventFilter.query"] == ["api key"]
        assert 0 < len(screen.entries) < everything
        assert all("api key" in e.what.lower() for e in screen.entries)
        assert screen.table.row_count == len(screen.entries) and "matching “api key”" in status(app)

        await pilot.press("slash")
        await type_text(pilot, " nothing-like-this")
        await pilot.press("enter")
        await settle(pilot)
        assert history(app).entries == [] and "Nothing matching" in status(app)

        await pilot.press("escape")
        await settle(pilot)
        assert history(app).filter_text == "" and len(history(app).entries) == everything


async def test_thousands_of_events_page_in_as_you_scroll_without_a_rebuild():
    sandbox = embedded()
    team = sandbox.teams[1]
    with sandbox.app.state.sandbox.store.tx() as conn:
        for minute in range(1500):
            sim.audit(conn, team.team_id, FROZEN_NOW - timedelta(days=400, minutes=minute),
                      f"API key 'bulk-{minute}' was created")
    app = delayed_sandbox_app(sandbox, team=team.team_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_history(pilot)
        screen = history(app)
        table = screen.table
        assert len(screen.entries) == 100 and table.row_count == 100  # one page: it fills the view
        assert "scroll for older" in status(app)
        cleared = []
        original_clear = table.clear
        table.clear = lambda *a, **k: cleared.append(1) or original_clear(*a, **k)
        first_row = table.get_row_at(0)
        for pages in range(2, 6):
            await pilot.press("G")  # the last row loaded: the next page comes in
            await wait_until(pilot, lambda pages=pages: len(screen.entries) >= pages * 100)
            await settle(pilot)
        assert table.row_count == len(screen.entries) == 500
        assert cleared == [] and table.get_row_at(0) == first_row  # appended, never rebuilt
        assert len(audit_requests(app)) == 5 and audit_requests(app)[-1].get("pageToken")
        times = [e.time for e in screen.entries]
        assert times == sorted(times, reverse=True)
        assert len({e.event_id for e in screen.entries}) == 500

        # The mouse wheel or page-down (scrolling without the cursor) pages in too.
        table.scroll_end(animate=False)
        await wait_until(pilot, lambda: len(screen.entries) >= 600)


async def test_a_failed_audit_read_still_shows_the_journal():
    app = delayed_sandbox_app(embedded(), team="helix")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await set_limit(pilot, "2,500")
        app.transport.drop_request.add(("GET", "/events"))
        await pilot.press("6")
        await settle(pilot)
        screen = history(app)
        assert [e.source for e in screen.entries] == ["journal"]
        assert screen.pager.audit_error is not None
        assert "audit events could not be read" in status(app) and "journal only" in status(app)


async def test_a_team_switch_starts_over_for_the_new_team():
    app = delayed_sandbox_app(embedded(), team="helix")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_history(pilot)
        helix = app.team.team_id
        assert history(app).entries and all(e.team_id == helix for e in history(app).entries)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        other = app.team.team_id
        assert other != helix
        entries = history(app).entries
        assert entries and all(e.team_id == other for e in entries)
        assert history(app).table.row_count == len(entries)


async def test_resizing_moves_before_and_after_and_measures_rows_again():
    app = delayed_sandbox_app(embedded(), team="helix")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_history(pilot)
        screen = history(app)
        table = screen.table
        assert not screen.wide
        narrow = [row.height for row in table.rows.values()]
        assert max(narrow) == 2  # "Default payment method: Visa ··1881 → Mastercard ··5100" wraps at 80
        await pilot.resize_terminal(130, 30)
        await settle(pilot)
        assert screen.wide and all(row.height == 1 for row in table.rows.values())
        assert "→" in plain_cell(table, 0, "change")
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert [row.height for row in table.rows.values()] == narrow


def plain_cell(table, row: int, column: str) -> str:
    cell = table.get_cell(str(row), column)
    return getattr(cell, "plain", None) or plain_text(cell)


def plain_text(renderable) -> str:
    import io

    from rich.console import Console

    console = Console(width=200, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.file.getvalue()


async def test_nothing_found_when_the_audit_read_failed_names_only_the_journal():
    app = delayed_sandbox_app(embedded(), team="helix")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.transport.drop_request.add(("GET", "/events"))
        await pilot.press("6")
        await settle(pilot)
        assert history(app).entries == []
        said = status(app)
        assert said.startswith("No history yet: nothing in this machine's journal.") and "audit events could not be read" in said
