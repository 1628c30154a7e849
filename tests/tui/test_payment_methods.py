"""Payment methods on the sandbox and on the real API's shapes; card numbers never kept."""

import logging
import sqlite3

import httpx
from textual.widgets import Input, Label

from xconsole.core.session import TeamHandle
from xconsole.tui.screens.add_card import AddCardScreen
from xconsole.tui.screens.choose_method import ChooseMethodScreen
from xconsole.tui.screens.confirm import ConfirmActionScreen
from xconsole.tui.widgets.balance_panel import BalancePanel
from tests.contract.backends import _reference_router
from tests.fixtures import reference as ref
from tests.tui.harness import delayed_sandbox_app, embedded, real_api_app, settle, type_text

DECLINE = "4000000000000002"
GOOD = "4242424242424242"


def methods(app):
    return app.store.data().snapshot.payment_methods.payment_methods


def default_label(app):
    return app.store.data().snapshot.default_method.label()


async def open_payments(pilot):
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)


async def fill_card(pilot, number, expiry="12/30", cvc="123"):
    screen = pilot.app.screen
    screen.query_one("#card-number", Input).value = number
    screen.query_one("#card-expiry", Input).value = expiry
    screen.query_one("#card-cvc", Input).value = cvc
    await pilot.pause()
    screen.query_one("#card-name", Input).focus()
    await pilot.press("enter")  # submits, like the button
    await settle(pilot)


async def test_add_card_checks_before_sending_and_shows_the_decline():
    app = delayed_sandbox_app(embedded(), team="orbit")
    async with app.run_test(size=(100, 34)) as pilot:
        await open_payments(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AddCardScreen)
        await fill_card(pilot, "4242424242424241")
        assert "not valid" in str(app.screen.query_one("#card-number-error", Label).render())
        await fill_card(pilot, GOOD, expiry="01/25")
        assert "expired" in str(app.screen.query_one("#card-expiry-error", Label).render())
        assert app.transport.sent("POST", "/payment-method") == 0  # nothing sent while a field is wrong
        await fill_card(pilot, DECLINE)
        assert app.transport.sent("POST", "/payment-method") == 1
        assert "declined" in str(app.screen.query_one("#card-status", Label).render())
        assert app.screen.query_one("#card-number", Input).value == ""  # the number is not kept
        await fill_card(pilot, GOOD)
        assert not isinstance(app.screen, AddCardScreen)
        assert [m.label() for m in methods(app)] == ["Amex ··0005", "Visa ··4242"]


async def test_read_only_greys_the_writes_and_sends_nothing():
    app = delayed_sandbox_app(embedded(), read_only=True)
    async with app.run_test(size=(100, 34)) as pilot:
        await open_payments(pilot)
        screen = app.screen
        assert [screen.check_action(a, ()) for a in ("set_default_method", "add_card", "remove_method")] == [None] * 3
        assert "make default" not in str(screen.query_one("#payments-pending").render())  # no hint for keys that are off
        for key in ("d", "a", "x"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen
        assert sum("Read-only mode" in message for message, _severity in app.notices) == 3  # each key says why
    assert not [c for c in app.transport.calls if c[0] == "POST" and not c[1].endswith("/usage")]


async def test_the_last_method_cannot_be_removed():
    app = delayed_sandbox_app(embedded(), team="orbit")
    async with app.run_test(size=(100, 34)) as pilot:
        await open_payments(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmActionScreen)
        assert any("last payment method" in message for message, _severity in app.notices)
        assert app.transport.sent("DELETE", methods(app)[0].payment_method_id) == 0


async def test_set_default_and_the_spend_screen_follows():
    app = delayed_sandbox_app(embedded())
    async with app.run_test(size=(100, 34)) as pilot:
        await open_payments(pilot)
        assert default_label(app) == "Visa ··4242"
        await pilot.press("j", "d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmActionScreen)
        assert "⚠ Expiry    12/26 soon: charges after that are declined" in " ".join(
            str(w.render()) for w in app.screen.query(".confirm-line"))  # within 60 days of its end
        await pilot.press("enter")
        await settle(pilot)
        assert default_label(app) == "Mastercard ··4444"
        await pilot.press("1")
        await settle(pilot)
        assert "Charged to" in str(app.screen.query_one(BalancePanel).render())
        assert "Mastercard ··4444" in str(app.screen.query_one(BalancePanel).render())


async def test_making_an_expired_card_the_default_is_confirmed_with_its_expiry():
    from textual.widgets import Static

    app = delayed_sandbox_app(embedded(), team="helix")  # Visa ··1881 expired 10/26
    async with app.run_test(size=(100, 34)) as pilot:
        await open_payments(pilot)
        for _ in range(5):
            if app.screen.selected().label() == "Visa ··1881":
                break
            await pilot.press("j")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmActionScreen)
        text = " ".join(" ".join(str(w.render()) for w in app.screen.query(Static)).split())
        assert "⚠ Expiry 10/26 expired: charges to it are declined; update the card or choose another" in text
        await pilot.press("escape")
        await settle(pilot)
        for _ in range(5):  # a bank account has no expiry: nothing to warn of
            if app.screen.selected().label().startswith("Chase"):
                break
            await pilot.press("j")
        assert app.screen.selected().us_bank_account_details is not None
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmActionScreen)
        assert "Expiry" not in " ".join(str(w.render()) for w in app.screen.query(".confirm-line"))


async def test_removing_the_default_asks_which_becomes_default():
    app = delayed_sandbox_app(embedded())
    async with app.run_test(size=(100, 34)) as pilot:
        await open_payments(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ChooseMethodScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmActionScreen)
        await pilot.press("enter")  # removing the default needs the team's name typed first
        await settle(pilot)
        assert isinstance(app.screen, ConfirmActionScreen) and len(methods(app)) == 2
        await type_text(pilot, app.team.name)
        await pilot.press("enter")
        await settle(pilot)
        assert [m.label() for m in methods(app)] == ["Mastercard ··4444"] and default_label(app) == "Mastercard ··4444"


async def test_an_expired_card_offered_as_the_new_default_says_so_and_its_confirmation_warns():
    from textual.widgets import OptionList, Static

    app = delayed_sandbox_app(embedded(), team="helix")  # Visa ··1881 expired 10/26; the default is another card
    async with app.run_test(size=(80, 24)) as pilot:
        await open_payments(pilot)
        for _ in range(5):
            if app.screen.selected() is app.store.data().snapshot.default_method:
                break
            await pilot.press("j")
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ChooseMethodScreen)
        choices = app.screen.query_one(OptionList)
        labels = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        assert "Visa ··1881  10/26 expired" in labels and not [label for label in labels if "Chase" in label and "expired" in label]
        choices.highlighted = labels.index("Visa ··1881  10/26 expired")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmActionScreen)
        text = " ".join(" ".join(str(w.render()) for w in app.screen.query(Static)).split())
        assert "Default Visa ··1881 (instead of the removed one)" in text
        assert "⚠ Expiry 10/26 expired: charges to it are declined" in text


async def test_real_api_lists_and_sets_default_but_add_and_remove_are_console_only():
    router = _reference_router()
    second = dict(ref.PAYMENT_METHODS["paymentMethods"][0], paymentMethodId="pm_second",
                  cardDetails={"brand": "mastercard", "expMonth": "1", "expYear": "2031", "last4": "4444"})
    router.get(f"/v1/billing/teams/{ref.TEAM}/payment-method").respond(
        json={"paymentMethods": [*ref.PAYMENT_METHODS["paymentMethods"], second], "pendingPaymentMethod": None})
    app = real_api_app(httpx.MockTransport(router.async_handler), TeamHandle("Lumen", ref.TEAM, "keyring"), ref.KEY)
    async with app.run_test(size=(100, 34)) as pilot:
        await open_payments(pilot)
        assert [m.label() for m in methods(app)] == ["Visa ··4242", "Mastercard ··4444"]
        await pilot.press("j", "d")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        posted = [c for c in router.calls if c.request.url.path.endswith("/payment-method/default")]
        assert len(posted) == 1 and b"pm_second" in posted[0].request.content
        for key in ("a", "x"):
            await pilot.press(key)
            await settle(pilot)
            assert not isinstance(app.screen, (AddCardScreen, ChooseMethodScreen, ConfirmActionScreen))
        notes = [message for message, _severity in app.notices]
        assert any("Adding a payment method is done in the xAI console" in n for n in notes)
        assert any("Removing a payment method is done in the xAI console" in n for n in notes)
    assert not [c for c in router.calls if c.request.method == "DELETE"]
    assert not [c for c in router.calls if c.request.method == "POST" and c.request.url.path.endswith("/payment-method")]


async def test_a_full_card_number_reaches_no_log_config_database_or_snapshot(caplog, tmp_path):
    from pathlib import Path

    caplog.set_level(logging.DEBUG)
    sandbox = embedded()
    app = delayed_sandbox_app(sandbox, team="orbit")
    async with app.run_test(size=(100, 34)) as pilot:
        await open_payments(pilot)
        await pilot.press("a")
        await settle(pilot)
        await fill_card(pilot, DECLINE)
        await fill_card(pilot, GOOD)
        screen_svg = app.export_screenshot()
    numbers = (GOOD, DECLINE, "4242 4242 4242 4242")
    assert not [r for r in caplog.records if any(n in r.getMessage() for n in numbers)]
    assert not any(n in screen_svg for n in numbers)
    dump = "\n".join(sandbox.app.state.sandbox.store._conn.iterdump())
    assert not any(n in dump for n in numbers)
    snapshots = Path(__file__).parent / "__snapshots__"
    for svg in snapshots.rglob("*.svg"):
        assert not any(n in svg.read_text() for n in numbers), svg
    assert "4242" in dump  # the last four are kept, as the real API shows them
