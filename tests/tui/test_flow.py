"""The one flow of the TUI: failures always end in a visible state, styles stay with their screen,
help and palette come from the bindings, large or risky writes ask for the team's name, and
every write's outcome is announced (WriteFinished) for the team it was made for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import Input

from xconsole.core.actions import Write
from xconsole.tui.screens.buy_credits import BuyCreditsScreen
from xconsole.tui.screens.confirm import ConfirmActionScreen
from xconsole.tui.store import WriteFinished
from tests.tui.harness import (delayed_sandbox_app, embedded, goto_screen, open_buy, palette, plain, sandbox_app, settle,
                               type_text, wait_until)


async def test_a_loader_that_fails_unexpectedly_shows_an_error_not_endless_loading(monkeypatch):
    import xconsole.core.invoices as invoices

    async def broken(*_args, **_kwargs):
        raise RuntimeError("the answer could not be handled")

    monkeypatch.setattr(invoices, "load_invoices", broken)
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        status = plain(app.screen.query_one("#invoice-status"))
        assert "Loading" not in status
        assert "RuntimeError" in status and "r retries" in status
        monkeypatch.undo()  # fixed: r reads again and the list appears
        await pilot.press("r")
        await settle(pilot)
        assert "invoices (since" in plain(app.screen.query_one("#invoice-status"))


async def test_a_screens_styles_do_not_leak_into_dialogs():
    """Visiting Auto top-up (narrow money fields) leaves the Add card dialog's fields wide."""
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for key in ("2", "3", "a"):
            await pilot.press(key)
            await settle(pilot)
        assert app.screen.query_one("#card-expiry", Input).size.width > 16
        assert app.screen.query_one("#card-cvc", Input).size.width > 16


async def test_palette_lists_each_action_once_and_runs_a_screen_action_from_anywhere():
    from xconsole.tui.commands import ConsoleCommands

    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        provider = ConsoleCommands(app.screen)
        titles = [title for title, _run, _help in provider.commands()]
        assert len(titles) == len(set(titles)), [t for t in titles if titles.count(t) > 1]
        assert [t.lower() for t in titles].count("spend: buy credits") == 1
        assert "Payments: Make default" in titles and "Go: Payment methods" in titles
        await palette(pilot, "Spend: Buy credits")
        assert isinstance(app.screen, BuyCreditsScreen) and app.current_mode == "spend"


async def test_help_lists_this_screens_bindings_and_the_apps_once():
    from xconsole.tui.keys import documented, help_rows
    from xconsole.tui.screens.help import HelpScreen

    app = sandbox_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        rows = help_rows(app, app.screen)
        descriptions = [what for _key, what in rows]
        for binding in documented(app.screen.BINDINGS):
            assert (binding.tooltip or binding.description) in descriptions
        assert len(rows) == len(set(rows))
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(plain(s) for s in app.screen.query(".help-keys"))
        assert "Remove the highlighted method" in text and "Team switcher" in text
        assert "Leave the text field" not in text  # Payments has no text field of its own
        await pilot.press("escape")
        await pilot.press("5")  # inherited keys too: every team screen's Esc, where there are fields
        await settle(pilot)
        assert "Leave the text field, so the screen's keys work again" in [what for _k, what in help_rows(app, app.screen)]
        await pilot.press("6")  # History rebinds Esc (clear the filter): its own, listed once
        await settle(pilot)
        history = [what for key, what in help_rows(app, app.screen) if key == "Esc"]
        assert len(history) == 1 and "Leave" not in history[0]
        await pilot.press("0")  # Overview: no text field, no such key listed
        await settle(pilot)
        assert not [what for key, what in help_rows(app, app.screen) if key in ("escape", "Esc")]
        assert [key for key, _what in help_rows(app, app.screen)].count("r") == 1  # its own r (refresh all) only
        await pilot.press("4")  # a table's own / filter is listed
        await settle(pilot)
        assert "/" in [key for key, _what in help_rows(app, app.screen)]


async def test_help_marks_the_keys_read_only_mode_turns_off_and_says_why_once():
    from xconsole.tui.keys import help_rows

    app = sandbox_app(read_only=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        rows = dict(help_rows(app, app.screen))
        assert rows["p"].endswith("(off)") and rows["l"].endswith("(off)") and not rows["/"].endswith("(off)")
        assert [what for key, what in help_rows(app, app.screen) if not key] == [
            "(off) Read-only mode (started with --read-only): nothing can be changed."]


async def test_escape_with_no_field_focused_is_left_to_others():
    app = sandbox_app()
    async with app.run_test(size=(100, 34)) as pilot:
        screen = await goto_screen(pilot, "5")
        assert screen.check_action("leave_field", ()) is False
        screen.query_one("#bill-name").focus()
        await pilot.pause()
        assert screen.check_action("leave_field", ()) is True


async def test_a_purchase_from_the_threshold_needs_the_team_name_typed():
    app = delayed_sandbox_app(embedded())
    finished: list[WriteFinished] = []
    async with app.run_test(size=(100, 34), message_hook=lambda m: isinstance(m, WriteFinished) and finished.append(m)) as pilot:
        await settle(pilot)
        await open_buy(pilot, "1000")
        assert isinstance(app.screen, ConfirmActionScreen) and app.screen.type_to_confirm == app.team.name
        assert app.screen.type_what == "name"
        await pilot.press("enter")  # nothing typed: nothing sent
        await type_text(pilot, "Lumen")
        await pilot.press("enter")  # half the name: still nothing
        await settle(pilot)
        assert app.transport.sent("POST", "/prepaid/top-up") == 0 and isinstance(app.screen, ConfirmActionScreen)
        await type_text(pilot, app.team.name.removeprefix("Lumen"))
        await pilot.press("enter")
        await settle(pilot)
        assert app.transport.sent("POST", "/prepaid/top-up") == 1
        # The app and every listening screen heard of it, for the team it was made for.
        bought = [m for m in finished if m.write is Write.BUY]
        assert bought and all(m.team.team_id == app.team.team_id and m.error is None for m in bought)
        assert any("$1,000.00 of credits bought" in message for message, _severity in app.notices)


async def test_below_the_threshold_one_confirmation_is_enough():
    app = delayed_sandbox_app(embedded())
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        await open_buy(pilot, "999.99")
        assert isinstance(app.screen, ConfirmActionScreen) and app.screen.type_to_confirm is None


@pytest.mark.parametrize("folder", ["screens", "widgets"])
def test_screens_and_widgets_use_no_private_app_member(folder):
    """They talk to the store and post messages; the app's private members are its own."""
    root = Path(__file__).parents[2] / "xconsole" / "tui" / folder
    found = [f"{path.name}: {m.group(0)}" for path in sorted(root.glob("*.py"))
             for m in re.finditer(r"\b(?:app|xapp)\._[a-z]\w*", path.read_text())]
    assert found == []


async def test_a_write_is_for_the_team_of_the_key_press_even_if_the_team_changes_at_once():
    """`d` then `]` at once: the confirmation (if any) names the team the card belongs to, and
    nothing reaches the other team."""
    app = delayed_sandbox_app(embedded())
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        lumen = app.team
        await pilot.press("j", "d", "right_square_bracket")
        await settle(pilot)
        if isinstance(app.screen, ConfirmActionScreen):
            assert "Lumen Labs" in plain(app.screen.query(".confirm-line").first()) and app.team == lumen
            await pilot.press("escape")
            await settle(pilot)
        posted = [r for r in app.transport.requests if r.method == "POST" and r.url.path.endswith("/default")]
        assert all(lumen.team_id in r.url.path for r in posted)


async def test_the_palette_cannot_switch_team_under_an_open_dialog():
    from xconsole.tui.commands import ConsoleCommands

    app = sandbox_app()
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        team = app.team
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, BuyCreditsScreen)
        commands = ConsoleCommands(app.screen).commands()
        titles = [title for title, _run, _help in commands]
        assert not [t for t in titles if t.startswith(("Team:", "Go:"))]
        # In words, as a person names the dialog and its keys.
        assert ("Buy credits: Cancel", "Key Esc") in [(title, help_) for title, _run, help_ in commands]
        await pilot.press("right_square_bracket")  # typed into the amount, never a team switch
        await settle(pilot)
        assert app.team == team and isinstance(app.screen, BuyCreditsScreen)


async def test_nothing_opens_over_a_confirmation_while_it_sends_and_its_answer_closes_it():
    app = delayed_sandbox_app(embedded())
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        await open_buy(pilot, "25")
        app.transport.hold(app.team.team_id)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.transport.in_flight(app.team.team_id) > 0)
        await pilot.press("question_mark")  # refused while sending
        await pilot.press("escape")  # and so is going back
        await pilot.press("q", "ctrl+q")  # and so is quitting: the request would end with its outcome unknown
        assert isinstance(app.screen, ConfirmActionScreen) and app.screen.busy and app.is_running
        assert any("quit once xAI has answered" in message for message, _severity in app.notices)
        app.transport.release(app.team.team_id)
        await settle(pilot)
        assert not isinstance(app.screen, (ConfirmActionScreen, BuyCreditsScreen))
        assert app.transport.sent("POST", "/prepaid/top-up") == 1


async def test_the_footer_is_rebuilt_only_when_its_keys_change():
    from textual.widgets._footer import FooterKey

    from xconsole.tui.widgets.console_footer import ConsoleFooter

    app = sandbox_app()
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        spend = app.screen
        footer = spend.query_one(ConsoleFooter)
        await goto_screen(pilot, "2")
        await goto_screen(pilot, "1")
        keys = list(footer.query(FooterKey))
        assert [k.key for k in keys][:3] == ["p", "o", "l"] and not any(k.has_class("-disabled") for k in keys)
        await goto_screen(pilot, "2")
        await goto_screen(pilot, "1")  # back again: the same keys, so the same widgets (no rebuild)
        assert app.screen is spend and list(footer.query(FooterKey)) == keys
        app.store.read_only = True  # the keys' state changes: the footer follows
        spend.refresh_bindings()
        greyed = lambda: [k.has_class("-disabled") for k in footer.query(FooterKey) if k.key in ("p", "o", "l")]  # noqa: E731
        await wait_until(pilot, lambda: greyed() == [True] * 3)
