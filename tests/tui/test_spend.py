"""Spend screen on the sandbox (and on the real API's shapes): buying, promo codes, the limit."""

import httpx
import pytest
from textual.screen import ModalScreen
from textual.widgets import Label

from xconsole.core.session import TeamHandle
from xconsole.tui.screens.buy_credits import BuyCreditsScreen
from xconsole.tui.screens.confirm import ConfirmActionScreen
from xconsole.tui.screens.promo_code import PromoCodeScreen
from xconsole.tui.screens.spending_limit import SpendingLimitScreen
from tests.contract.backends import _reference_router
from tests.fixtures import reference as ref
from tests.tui.harness import (
    delayed_sandbox_app, embedded, open_buy, palette, real_api_app, sandbox_app, settle, type_text, wait_until,
)


def balance(app):
    return app.store.data().snapshot.summary.live_balance


def screen_text(app):
    return "\n".join(str(w.render()) for w in app.screen.query("Static, Label"))


async def test_buy_25_dollars_by_card_confirms_then_sends_one_request():
    app = delayed_sandbox_app(embedded())
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        before = balance(app)
        await open_buy(pilot, "25")
        assert isinstance(app.screen, ConfirmActionScreen)
        text = screen_text(app)
        assert "Lumen Labs" in text and "$25.00" in text and "Visa ··4242" in text
        assert app.transport.sent("POST", "/prepaid/top-up") == 0
        await pilot.press("enter", "enter", "enter")  # impatient: still one purchase
        await settle(pilot)
        assert app.transport.sent("POST", "/prepaid/top-up") == 1
        assert not isinstance(app.screen, (ConfirmActionScreen, BuyCreditsScreen))
        assert balance(app) == before + 2500
        assert app.store.data().snapshot.ledger.changes[0].credit_cents == 2500


async def test_amount_below_the_minimum_is_refused_inline_without_a_request():
    app = delayed_sandbox_app(embedded())
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        await open_buy(pilot, "24.99")
        assert isinstance(app.screen, BuyCreditsScreen)
        assert "A top-up must be at least $25.00" in str(app.screen.query_one("#amount-error", Label).render())
        assert app.screen.query_one("#amount").value == "24.99"
        assert app.transport.sent("POST", "/prepaid/top-up") == 0


async def test_bank_transfer_stays_pending_until_three_business_days_pass():
    sandbox = embedded()
    app = delayed_sandbox_app(sandbox, team="orbit")
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        before = balance(app)
        await pilot.press("p")
        await settle(pilot)
        await pilot.click("#bank-transfer")
        await pilot.click("#amount")
        await type_text(pilot, "100")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmActionScreen)
        assert "Bank transfer" in screen_text(app) and "2–3 business days" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        snap = app.store.data().snapshot
        assert snap.summary.pending_purchases == 10000 and balance(app) == before
        sandbox.app.state.sandbox.clock.advance(5 * 86400 + 3600)  # Wednesday 15:00 -> Monday 16:00
        await pilot.press("r")
        await settle(pilot)
        assert app.store.data().snapshot.summary.pending_purchases == 0
        assert balance(app) > before


async def test_promo_codes_valid_and_invalid():
    app = delayed_sandbox_app(embedded(), team="orbit")
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        before = balance(app)
        await pilot.press("o")
        await settle(pilot)
        await type_text(pilot, "NOSUCHCODE")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PromoCodeScreen)
        refused = str(app.screen.query_one("#code-error", Label).render())
        assert "does not exist" in refused and "may have been" not in refused
        app.screen.query_one("#code").value = "WELCOME25"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, PromoCodeScreen)
        assert balance(app) == before + 2500


@pytest.mark.parametrize(("team", "key", "typed", "enters", "dialog", "error"), [
    ("helix", "l", "2500", 2, SpendingLimitScreen, "#limit-error"),  # Enter reviews, Enter confirms
    ("orbit", "o", "WELCOME25", 1, PromoCodeScreen, "#code-error"),
])
async def test_a_write_with_no_clear_answer_says_it_may_have_been_applied(team, key, typed, enters, dialog, error):
    from xconsole.sandbox.faults import Faults

    sandbox = embedded()
    app = delayed_sandbox_app(sandbox, team=team)
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        await type_text(pilot, typed)
        sandbox.app.state.sandbox.faults = Faults(error_rate=1.0)  # every answer a 503 from now on
        for _ in range(enters):
            await pilot.press("enter")
            await settle(pilot)
        assert isinstance(app.screen, dialog)
        label = app.screen.query_one(error, Label)
        said = str(label.render())
        assert "no clear answer" in said and "it may have been applied" in said
        # Wrapped inside the dialog at 80 columns, not cut at its edge.
        assert label.size.height > 1 and label.region.right <= app.screen.query_one(".dialog").region.right


async def test_limit_above_the_hard_limit_is_refused_and_the_api_message_shown():
    app = delayed_sandbox_app(embedded(), team="helix")
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, SpendingLimitScreen)
        await type_text(pilot, "6000")
        await pilot.pause()
        assert "At most $5,000.00" in str(app.screen.query_one("#limit-error", Label).render())
        # With a stale hard limit on screen, the API still refuses and its words are shown.
        app.screen.limits = app.screen.limits.model_copy(deep=True)
        app.screen.limits.effective_hard_sl.val = 10**8
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SpendingLimitScreen)
        assert "cannot exceed the hard limit of $5,000.00" in str(app.screen.query_one("#limit-error", Label).render())
        app.screen.query_one("#limit-amount").value = "3,000"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.store.data().snapshot.limits.effective_sl.val == 300000


async def test_read_only_greys_every_write_and_the_palette_says_why():
    app = delayed_sandbox_app(embedded(), read_only=True)
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        screen = app.screen
        writes = ("buy_credits", "redeem_promo", "set_limit", "request_invoiced")
        assert [screen.check_action(action, ()) for action in writes] == [None] * 4  # greyed in the footer
        assert screen.check_action("filter_ledger", ()) is True
        assert str(screen.query_one("#invoiced-hint").render()) == ""  # no "i request…" hint for a key that is off
        for key in ("p", "o", "l", "i"):
            await pilot.press(key)
            await settle(pilot)
            assert not isinstance(app.screen, (BuyCreditsScreen, PromoCodeScreen, SpendingLimitScreen, ConfirmActionScreen))
        assert sum("Read-only mode" in message for message, _severity in app.notices) == 4  # each key says why
        await palette(pilot, "buy credits")
        assert app.screen is screen
        assert sum("Read-only mode" in message for message, _severity in app.notices) == 5
        assert not [c for c in app.transport.calls if c[0] == "POST" and not c[1].endswith("/usage")]


async def test_request_invoiced_billing_confirms_and_records():
    app = delayed_sandbox_app(embedded(), team="orbit")
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmActionScreen) and "Orbit Robotics" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.store.data().snapshot.invoiced.status.value == "REQUESTED"


async def test_real_api_shapes_live_balance_and_console_only_notices():
    router = _reference_router()
    transport = httpx.MockTransport(router.async_handler)
    app = real_api_app(transport, TeamHandle("Lumen", ref.TEAM, "keyring"), ref.KEY)
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        assert balance(app) == 3125  # from the preview, not the posted ledger's $2.50
        assert "$31.25" in str(app.screen.query_one("#summary").render())
        await pilot.press("o")
        await settle(pilot)
        said = " ".join(message for message, _severity in app.notices)
        assert "redeemed in the xAI console" in said and f"team/{ref.TEAM}/billing" in said
        assert not isinstance(app.screen, ModalScreen)  # nothing to type into: no dialog opened
        await pilot.press("p")
        await settle(pilot)
        text = screen_text(app)
        assert "Charged to: the team's default payment method" in text
        assert not app.screen.query("RadioSet")
    extension_paths = ("auto-top-up", "promo-codes", "invoiced-billing")
    assert [c for c in router.calls if c.request.url.path.endswith(extension_paths)] == []  # never sent


async def test_ledger_newest_first_and_slash_filters_it():
    from xconsole.tui.widgets.console_table import FilterableTable

    app = delayed_sandbox_app(embedded())
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        ledger = app.screen.query_one(FilterableTable)
        changes = app.store.data().snapshot.ledger.changes
        assert ledger.visible_count == len(changes)
        assert [c.create_time for c in changes] == sorted((c.create_time for c in changes), reverse=True)
        await pilot.press("slash")
        await type_text(pilot, "usage")
        await pilot.pause()
        spend_rows = sum(1 for c in changes if c.change_origin.value == "SPEND")
        assert 0 < ledger.visible_count == spend_rows
        await pilot.press("escape")
        await pilot.pause()
        assert ledger.visible_count == len(changes)


@pytest.mark.parametrize("width", [80, 100, 120, 160])
async def test_the_invoiced_billing_hint_never_splits(width):
    app = sandbox_app()
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(pilot)
        line, hint = app.screen.query_one("#invoiced"), app.screen.query_one("#invoiced-hint")
        assert str(hint.render()) in ("l change the limit", "i request invoiced billing")
        assert hint.size.height == 1 and hint.region.y == line.region.y  # whole, beside the line it is about
        assert line.size.height == 1  # and the line whole too (no limit to set: no "$0.00 (max $0.00)")


async def test_an_injected_spike_is_marked_under_the_chart_with_its_reason():
    from datetime import timedelta

    from xconsole.sandbox.clock import FROZEN_NOW
    from xconsole.tui.widgets.usage_panel import UsagePanel
    from tests.sandbox.test_anomalies_sandbox import inject
    from tests.tui.harness import plain

    sandbox = embedded()
    lumen = next(t for t in sandbox.teams if t.name == "Lumen Labs")
    day = FROZEN_NOW.date() - timedelta(days=3)
    inject(sandbox.app.state.sandbox.store, lumen.team_id, day, 0, 12_000)  # $120 on a ~$17 day
    app = sandbox_app(sandbox)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        [anomaly] = app.store.data().snapshot.anomalies.anomalies
        assert anomaly.day == day
        panel = app.screen.query_one(UsagePanel)
        assert panel.has_class("-anomalies")
        marks = plain(panel.query_one("#usage-anomalies")).splitlines()
        assert marks[0].rstrip().endswith("▲" + "─" * 7)  # 30 columns of 2: the 4th from the right
        assert marks[1].strip() == f"Unusual: {anomaly.reason}"
        assert f"{day:%a} {day.day} {day:%b}: $" in marks[1] and "× the 28-day median" in marks[1]


async def test_the_balance_card_says_why_the_read_failed_not_loading(monkeypatch):
    from tests.tui.harness import delayed_sandbox_app, failing_sandbox

    sandbox = failing_sandbox(monkeypatch)
    app = delayed_sandbox_app(sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        card = str(app.screen.query_one("#balance").render())
        assert "r retries" in card and "Loading" not in card
        # Read again (r) on a server that now takes its time: the card still says what failed.
        faults = sandbox.app.state.sandbox.faults
        faults.error_rate, faults.latency_ms = 0.0, 60_000
        await pilot.press("r")
        await wait_until(pilot, lambda: "Reading again" in str(app.screen.query_one("#balance").render()))
        card = str(app.screen.query_one("#balance").render())
        assert app.store.data().loading and card.startswith("Reading again… the last read failed: ")
        assert "Loading" not in card


@pytest.mark.parametrize(("month_spend", "says"), [
    (42_582, "the usage answer has no rows, though the invoice so far shows $425.82"),
    (0, "No usage this month yet."),
])
async def test_a_usage_answer_without_rows_is_not_called_no_usage_when_the_invoice_says_otherwise(month_spend, says):
    from types import SimpleNamespace

    from textual.app import App

    from xconsole.tui.widgets.usage_panel import UsagePanel
    from tests.tui.harness import plain

    snap = SimpleNamespace(daily=[], by_model=[], usage_error=None, summary=SimpleNamespace(month_spend=month_spend))

    class Host(App):
        def compose(self):  # noqa: ANN202
            yield UsagePanel()

    async with Host().run_test(size=(100, 20)) as pilot:
        panel = pilot.app.query_one(UsagePanel)
        panel.show(snap)
        await pilot.pause()
        assert says in plain(panel.query_one("#usage-models")).replace("\n", " ")


async def test_the_cards_runway_says_it_is_without_auto_top_up_when_the_summarys_forecast_includes_it():
    from xconsole.tui.widgets.balance_panel import BalancePanel

    app = sandbox_app(team="lumen")  # auto top-up on: the summary's runway (the forecast) counts its refills
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        snap = app.store.data().snapshot
        assert snap.auto_top_up.enabled and snap.summary.runway_days is not None
        card = str(app.screen.query_one(BalancePanel).render())
        assert f"runway {snap.summary.runway_text} without auto top-up" in card


async def test_with_a_forecast_and_no_auto_top_up_the_card_gives_no_second_runway():
    from xconsole.tui.widgets.balance_panel import BalancePanel

    app = sandbox_app(team="helix")  # auto top-up off, an invoiced limit: the forecast counts its monthly reset
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        snap = app.store.data().snapshot
        assert not snap.auto_top_up.enabled and snap.forecast.known and snap.summary.runway_days is not None
        card = str(app.screen.query_one(BalancePanel).render())
        assert "runway" not in card.lower() and "Forecast: " in card


async def test_filtering_the_ledger_at_80x24_keeps_its_matches_on_screen():
    from xconsole.tui.widgets.console_table import FilterableTable, VimTable

    app = delayed_sandbox_app(embedded())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        ledger = app.screen.query_one(FilterableTable)
        await pilot.press("slash")
        await type_text(pilot, "20")  # every date: many matches
        await settle(pilot)
        rows = ledger.query_one(VimTable).region  # on screen, above the footer
        assert ledger.visible_count > 10 and rows.height >= 8 and rows.bottom <= 24 - 1


async def test_going_up_from_the_ledgers_first_row_scrolls_the_page_back_to_the_card():
    from xconsole.tui.widgets.console_table import VimTable

    app = delayed_sandbox_app(embedded())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        body, table = app.screen.query_one("#spend"), app.screen.query_one("#ledger VimTable", VimTable)
        table.focus()
        body.scroll_end(animate=False)
        await pilot.pause()
        assert body.scroll_y > 0 and table.cursor_row == 0
        await pilot.press("home")  # already on the first row: the page goes to its top
        await pilot.pause()
        assert body.scroll_y == 0 and app.focused is table
        await pilot.press("down", "down", "g")  # inside the table, g goes to its first row
        await pilot.pause()
        assert table.cursor_row == 0 and body.scroll_y == 0


def _dialog_text(app) -> str:  # noqa: ANN001
    from textual.widgets import Static

    return " ".join(" ".join(str(w.render()) for w in app.screen.query(Static)).split())


async def test_credits_bought_with_usage_beyond_prepaid_credits_say_they_pay_it_first():
    from xconsole.core.money import format_cents

    app = delayed_sandbox_app(embedded(), team="helix")  # no credits, this month's usage beyond them
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        beyond = app.store.data().snapshot.summary.beyond_prepaid
        await open_buy(pilot, "25")
        assert isinstance(app.screen, ConfirmActionScreen)
        assert (f"Pays first $25.00 of the {format_cents(beyond)} used this month beyond prepaid credits "
                "(less to pay at month end): credits stay $0.00") in _dialog_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.store.data().snapshot.summary.live_balance == 0  # as said
        assert app.store.data().snapshot.summary.beyond_prepaid == beyond - 2500
    app = delayed_sandbox_app(embedded(), team="lumen")  # credits, nothing beyond them: nothing to say
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        await open_buy(pilot, "25")
        assert isinstance(app.screen, ConfirmActionScreen) and "Pays" not in _dialog_text(app)


async def test_a_limit_already_used_up_is_confirmed_as_rejecting_requests_at_once():
    app = delayed_sandbox_app(embedded(), team="helix")  # no credits, usage beyond them, a $2,000 limit
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        beyond = app.store.data().snapshot.summary.beyond_prepaid
        assert 10_000 < beyond < 200_000
        for amount, warned in ((f"{(beyond - 10_000) / 100:.2f}", True), ("3000", False)):
            await pilot.press("l")
            await settle(pilot)
            await type_text(pilot, amount)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmActionScreen)
            assert ("rejected at once: no credits left, and this month's usage beyond them" in _dialog_text(app)) is warned
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
