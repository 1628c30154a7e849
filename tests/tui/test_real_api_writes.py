"""Every write of the console against the strict real-shape server: what is real is sent exactly
once, what is console-only says so with the team's console URL and sends nothing, and nothing
sandbox-only ever reaches a server that never said it is the sandbox."""

from __future__ import annotations

import json

import pytest
from textual.notifications import Notify
from textual.widgets import Input, Label

from xconsole.core import purchase
from xconsole.tui.screens.confirm import ConfirmActionScreen
from tests.fixtures import reference as ref
from tests.fixtures.strict_api import PM_DEFAULT, PM_OTHER, StrictApi, console_app
from tests.tui.harness import settle

URL = "https://management-api.x.ai:443"
CONSOLE = f"console.x.ai/team/{ref.TEAM}/billing"


@pytest.fixture(autouse=True)
def quick_follow(monkeypatch):
    """The charge is followed in the ledger without the real pauses between reads."""
    monkeypatch.setattr(purchase, "FOLLOW_DELAYS_S", (0.0, 0.0, 0.0))


class Strict:
    def __init__(self, **kw):
        self.api = StrictApi(**kw)
        self.notes: list[str] = []
        self.app = console_app(self.api, URL)

    def run(self):
        def hook(message):
            if isinstance(message, Notify):
                self.notes.append(message.notification.message)

        return self.app.run_test(size=(100, 34), message_hook=hook)

    def text(self) -> str:
        return "\n".join(str(w.render()) for w in self.app.screen.query("Static, Label"))

    def assert_nothing_sandbox_only(self):
        assert self.api.extension_requests == []


async def press(pilot, *keys):
    for key in keys:
        await pilot.press(key)
    await settle(pilot)


async def buy(pilot, amount: str):
    await press(pilot, "p", *amount, "enter")
    assert isinstance(pilot.app.screen, ConfirmActionScreen)
    await press(pilot, "enter")


async def test_buying_25_dollars_names_the_default_method_and_sends_exactly_the_amount_once():
    s = Strict()
    async with s.run() as pilot:
        await settle(pilot)
        await press(pilot, "p", "2", "5")
        assert "Charged to: the team's default payment method" in s.text()
        await press(pilot, "enter")
        lines = "\n".join(str(line) for line in pilot.app.screen.lines)
        assert "Pay with  the team's default payment method" in lines and "$25.00" in lines
        await press(pilot, "enter", "enter")  # confirm; a second Enter sends nothing more
        assert any("$25.00 of credits bought." in n for n in s.notes)
    top_ups = s.api.sent("POST", "/prepaid/top-up")
    assert len(top_ups) == 1 and json.loads(top_ups[0].body) == {"amount": {"val": "2500"}}
    assert s.api.charged == [PM_DEFAULT]
    s.assert_nothing_sandbox_only()


async def test_a_purchase_while_another_is_pending_makes_no_new_charge():
    s = Strict(settle_after_reads=None)
    async with s.run() as pilot:
        await settle(pilot)
        await buy(pilot, "25")
        assert any("Purchase of $25.00 is charging" in n and "bank" not in n.lower() for n in s.notes)
        await buy(pilot, "50")
        assert any("A top-up of $25.00 from" in n and "no new charge was made" in n for n in s.notes)
    assert len(s.api.sent("POST", "/prepaid/top-up")) == 2 and len(s.api.charged) == 1
    s.assert_nothing_sandbox_only()


@pytest.mark.parametrize(("screen", "key", "words"), [
    ("1", "o", "Promo codes are redeemed in the xAI console"),
    ("3", "a", "Adding a payment method is done in the xAI console"),
    ("3", "x", "Removing a payment method is done in the xAI console"),
])
async def test_console_only_writes_say_so_and_send_nothing(screen, key, words):
    s = Strict()
    async with s.run() as pilot:
        await settle(pilot)
        before = len(s.api.requests)
        await press(pilot, screen, key)
        said = s.text() + "\n".join(s.notes)
        assert words in said and CONSOLE in said
        assert [r for r in s.api.requests[before:] if r.method != "GET"] == []
    s.assert_nothing_sandbox_only()


async def test_i_on_a_team_whose_limit_may_go_above_zero_says_invoiced_billing_is_on():
    # The real API has no invoiced-billing read; a hard limit above $0 is that billing on.
    s = Strict()
    async with s.run() as pilot:
        await settle(pilot)
        before = len(s.api.requests)
        await press(pilot, "1", "i")
        assert any(n.startswith("Monthly invoiced billing is on for ") and "(l changes it)" in n for n in s.notes)
        assert [r for r in s.api.requests[before:] if r.method != "GET"] == []
    s.assert_nothing_sandbox_only()


async def test_auto_top_up_is_console_only_and_never_asked_for():
    s = Strict()
    async with s.run() as pilot:
        await settle(pilot)
        await press(pilot, "2")
        assert "console" in s.text().lower() and CONSOLE in s.text()
    assert not any("auto-top-up" in r.path for r in s.api.requests)
    s.assert_nothing_sandbox_only()


async def test_no_default_is_guessed_and_d_works_on_every_method():
    s = Strict()
    async with s.run() as pilot:
        await settle(pilot)
        await press(pilot, "3")
        assert "The API does not report which method is the default" in s.text()
        assert pilot.app.store.data().snapshot.default_method is None
        await press(pilot, "d")  # the first listed: PM_OTHER, which a guess would call "the default"
        assert isinstance(pilot.app.screen, ConfirmActionScreen)
        await press(pilot, "enter")
        assert pilot.app.store.data().snapshot.default_method.payment_method_id == PM_OTHER
        assert "does not report" not in s.text()
    sent = s.api.sent("POST", "/payment-method/default")
    assert len(sent) == 1 and json.loads(sent[0].body) == {"paymentMethodId": PM_OTHER}
    s.assert_nothing_sandbox_only()


async def test_a_snake_case_field_error_lands_beside_its_field():
    s = Strict()
    async with s.run() as pilot:
        await settle(pilot)
        await press(pilot, "5")
        screen = pilot.app.screen
        screen.query_one("#bill-postal_code", Input).value = "00000"
        await settle(pilot)
        screen.review()
        await settle(pilot)
        await press(pilot, "enter")
        assert "postal code does not exist" in str(screen.query_one("#bill-postal_code-error", Label).render())
        assert screen.query_one("#bill-postal_code", Input).value == "00000"  # kept as typed
    assert len(s.api.sent("POST", "/billing-info")) == 1
    s.assert_nothing_sandbox_only()


async def test_when_usage_alone_fails_the_balance_limit_and_ledger_stay():
    s = Strict(usage_fails=True)
    async with s.run() as pilot:
        await settle(pilot)
        snap = pilot.app.store.data().snapshot
        assert snap is not None and snap.summary.live_balance == 5875 and snap.limits.limit_cents == 0
        assert snap.ledger.changes and snap.usage_error and "analytics backend unavailable" in snap.usage_error
        text = s.text()
        assert "Spend per day   unavailable" in text and "$58.75" in text and "runway unknown" in text
        assert snap.forecast is None and "analytics backend unavailable" in snap.forecast_error
        assert "Forecast:" not in text  # no forecast is better than one from no usage
    # Four reads (per day, per model, per hour for the forecast, per model per day for unusual
    # spend), each retried like any read.
    assert len(s.api.sent("POST", "/usage")) == 4 * 3


async def test_a_server_that_never_said_it_is_the_sandbox_gets_no_badge():
    from xconsole.tui.widgets.team_header import TeamHeader

    s = Strict()
    async with s.run() as pilot:
        await settle(pilot)
        assert pilot.app.store.data().snapshot is not None
        assert not pilot.app.screen.query_one(TeamHeader).sandbox
