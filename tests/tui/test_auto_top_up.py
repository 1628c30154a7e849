"""Auto top-up form on the sandbox and on the real API's shapes."""

import httpx
import pytest
from textual.widgets import Input, Label, Static, Switch

from xconsole.core.money import format_cents
from xconsole.core.session import TeamHandle
from xconsole.tui.screens.confirm import ConfirmActionScreen
from tests.contract.backends import _reference_router
from tests.fixtures import reference as ref
from tests.tui.harness import delayed_sandbox_app, embedded, goto_screen, palette, real_api_app, settle, wait_until


def auto(app):
    return app.store.data().snapshot.auto_top_up


def status_text(app):
    """This month's use, the 24 h count, the warnings and the last auto top-ups."""
    return "\n".join(str(app.screen.query_one(f"#auto-{part}", Static).render()) for part in ("usage", "status"))


def error(app, field):
    return str(app.screen.query_one(f"#auto-{field}-error", Label).render())


async def fill(pilot, enabled=None, **values):
    screen = pilot.app.screen
    if enabled is not None:
        screen.query_one("#auto-enabled", Switch).value = enabled
    for field, value in values.items():
        screen.query_one(f"#auto-{field}", Input).value = value
    await pilot.pause()


async def submit(pilot):
    pilot.app.screen.query_one("#auto-amount", Input).focus()
    await pilot.press("enter")
    await settle(pilot)


async def open_auto(app, pilot):
    await goto_screen(pilot, "2")


async def test_save_valid_settings_after_confirmation():
    app = delayed_sandbox_app(embedded(), team="orbit")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        assert not auto(app).enabled
        await fill(pilot, enabled=True, threshold="2", amount="25", monthlyLimit="100")
        await submit(pilot)
        assert isinstance(app.screen, ConfirmActionScreen)
        text = "\n".join(str(w.render()) for w in app.screen.query(Static))
        assert "Orbit Robotics" in text and "Amount    $0.00 → $25.00" in text
        await pilot.press("enter")
        await settle(pilot)
        assert app.transport.sent("POST", "/auto-top-up") == 1
        saved = auto(app)
        assert saved.enabled and saved.amount.val == 2500 and saved.monthly_limit.val == 10000


async def test_changed_settings_are_named_by_their_team_when_quitting_from_another():
    from xconsole.tui.screens.discard_changes import DiscardChangesScreen

    app = delayed_sandbox_app(embedded(), team="orbit")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        await fill(pilot, enabled=True, threshold="2", amount="25", monthlyLimit="100")
        await pilot.press("escape")
        await goto_screen(pilot, "1")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.team.name != "Orbit Robotics"
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, DiscardChangesScreen)
        assert "Auto top-up settings of Orbit Robotics" in str(app.screen.query_one(".dialog-text").render())


async def test_changed_settings_are_named_when_quitting_and_saved_ones_are_not():
    app = delayed_sandbox_app(embedded(), team="orbit")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        screen = app.screen
        assert screen.unsaved is None
        await fill(pilot, enabled=True, threshold="2", amount="25", monthlyLimit="100")
        assert screen.unsaved == "Auto top-up settings of Orbit Robotics"
        await submit(pilot)
        await pilot.press("enter")  # confirmed and saved: nothing left to lose
        await settle(pilot)
        assert screen.unsaved is None
        assert screen.dirty is False
        await pilot.press("escape")
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)  # nothing to ask about


async def test_each_invalid_field_is_refused_inline_without_a_request():
    app = delayed_sandbox_app(embedded())
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        await fill(pilot, amount="24")
        assert "at least $25.00" in error(app, "amount")
        await fill(pilot, amount="100", monthlyLimit="99")
        assert "at least one top-up" in error(app, "monthlyLimit")
        await fill(pilot, monthlyLimit="600", threshold="-5")
        assert "negative" in error(app, "threshold")
        await fill(pilot, threshold="abc")
        assert "Not an amount" in error(app, "threshold")
        await submit(pilot)
        assert not isinstance(app.screen, ConfirmActionScreen)
        assert app.screen.query_one("#auto-threshold", Input).value == "abc"  # input kept
        assert app.transport.sent("POST", "/auto-top-up") == 0


async def test_disable_confirms_and_disables():
    app = delayed_sandbox_app(embedded())
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        assert auto(app).enabled
        assert "Charges the default payment method: Visa ··4242" in str(app.screen.query_one("#auto-charges").render())
        await pilot.click("#auto-disable")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmActionScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert not auto(app).enabled
        assert app.screen.query_one("#auto-disable").disabled  # off now: nothing left to disable


async def test_top_ups_fire_warnings_appear_and_the_sixth_is_refused_and_explained():
    sandbox = embedded()
    app = delayed_sandbox_app(sandbox)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        assert auto(app).top_ups_last24h == 0
        sandbox.app.state.sandbox.clock.advance(2 * 3600)  # usage crosses the $50 trigger
        await pilot.press("r")
        await settle(pilot)
        assert auto(app).top_ups_last24h == 1 and "1 of 5 top-ups" in status_text(app)
        used = auto(app).used_this_month.val
        limit = used + 4 * 2500 + 1000
        await fill(pilot, threshold="1,000", amount="25", monthlyLimit=f"{limit / 100:.2f}")
        await submit(pilot)
        await pilot.press("enter")
        await settle(pilot)
        state = auto(app)
        assert state.top_ups_last24h == 5
        text = status_text(app)
        assert "80% of your monthly auto top-up maximum" in text
        assert "5 auto top-ups in the last 24 hours" in text
        assert "The last due top-up did not happen" in text
        notes = " ".join(message for message, _severity in app.notices)
        assert "80%" in notes and "5 auto top-ups" in notes


async def test_one_of_five_left_warning():
    app = delayed_sandbox_app(embedded(), team="orbit")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        balance = app.store.data().snapshot.summary.live_balance
        threshold = balance + 3 * 2500 + 1
        await fill(pilot, enabled=True, threshold=f"{threshold / 100:.2f}", amount="25", monthlyLimit="500")
        await submit(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert auto(app).top_ups_last24h == 4
        assert "Only 1 of 5 auto top-ups left" in status_text(app)


async def test_real_api_shows_the_console_only_view_and_writes_nothing():
    router = _reference_router()
    app = real_api_app(httpx.MockTransport(router.async_handler), TeamHandle("Lumen", ref.TEAM, "keyring"), ref.KEY)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        text = str(app.screen.query_one("#auto-console", Static).render())
        assert "managed in the xAI console" in text and f"team/{ref.TEAM}/billing" in text
        # The form is only a draft for the what-if here: nothing to save, disable or undo.
        assert app.screen.query_one("#auto-form").border_title == "Settings to try (set in the xAI console)"
        assert not app.screen.query_one(".form-buttons").display and not app.screen.query_one(".switch-row").display
        await pilot.press("c")
        await pilot.pause()
        assert any("Copied" in message for message, _severity in app.notices)
        assert app.screen.check_action("toggle_enabled", ()) is None  # greyed in the footer
        await palette(pilot, "toggle auto top-up")  # chosen by name: said, not silence
        assert any("switched on or off in the xAI console" in message for message, _severity in app.notices)
    assert not [c for c in router.calls if c.request.method == "POST" and "auto-top-up" in c.request.url.path]
    assert not [c for c in router.calls if "auto-top-up" in c.request.url.path]


async def test_read_only_tries_settings_in_the_what_if_and_offers_no_save():
    app = delayed_sandbox_app(embedded(), team="orbit", read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_auto(app, pilot)
        screen = app.screen
        assert screen.query_one("#auto-form").border_title == "Settings to try (read-only mode: nothing is saved)"
        assert not screen.query_one(".form-buttons").display
        await fill(pilot, enabled=True, threshold="9", amount="25", monthlyLimit="500")
        assert screen.dirty and screen.unsaved is None  # quitting asks nothing: nothing could be saved


async def test_settings_typed_for_a_team_come_back_after_a_team_switch():
    app = delayed_sandbox_app(embedded(), team="orbit")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        screen = app.screen
        await fill(pilot, enabled=True, threshold="2", amount="25", monthlyLimit="100")
        await pilot.press("escape")  # out of the field: [ and ] switch teams
        await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: app.team.name != "Orbit Robotics" and screen._filled_for[0] == app.team.team_id)
        assert screen.query_one("#auto-amount", Input).value != "25"  # the other team's own settings
        assert screen.unsaved == "Auto top-up settings of Orbit Robotics"
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: app.team.name == "Orbit Robotics" and screen._filled_for[0] == app.team.team_id)
        values = [screen.query_one(f"#auto-{f}", Input).value for f in ("threshold", "amount", "monthlyLimit")]
        assert values == ["2", "25", "100"] and screen.query_one("#auto-enabled", Switch).value
        assert screen.dirty and screen.unsaved == "Auto top-up settings of Orbit Robotics"
        assert app.transport.sent("POST", "/auto-top-up") == 0


async def test_a_team_without_auto_top_up_opens_on_a_quiet_form_that_says_how_to_set_it_up():
    app = delayed_sandbox_app(embedded(), team="orbit")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        assert not auto(app).enabled
        assert [error(app, f) for f in ("threshold", "amount", "monthlyLimit")] == ["", "", ""]
        explain = str(app.screen.query_one("#auto-explain", Static).render())
        assert "Auto top-up is off. To set it up, switch it on" in explain
        await fill(pilot, enabled=True)  # needed now: each empty field says so
        assert error(app, "amount") == "Enter an amount" and "Fix the fields" in str(app.screen.query_one("#auto-explain", Static).render())
        await fill(pilot, enabled=False)
        assert "Enter all three amounts, or leave them" not in str(app.screen.query_one("#auto-explain", Static).render())
        await submit(pilot)  # off and empty: nothing to save, said, and no field complains
        assert error(app, "amount") == "" and any("nothing to save" in m for m, _severity in app.notices)
        await fill(pilot, threshold="5")  # one typed, two left empty: nothing marked, so nothing to fix yet
        assert error(app, "amount") == "" and "Enter all three amounts, or leave them all empty" in str(
            app.screen.query_one("#auto-explain", Static).render())
        await submit(pilot)  # a save asked for: the empty fields are problems again, and nothing is sent
        assert error(app, "amount") == "Enter an amount" and app.transport.sent("POST", "/auto-top-up") == 0


async def test_a_draft_survives_a_switch_to_a_team_whose_auto_top_up_is_set_in_the_xai_console():
    """One session, two servers: a sandbox team (auto top-up known) and a real-API team (console-only)."""
    from xconsole.core.client import DEFAULT_API_URL, ManagementClient
    from xconsole.core.credentials import MemoryKeyStore
    from xconsole.core.session import Session
    from xconsole.sandbox.embedded import BASE_URL
    from xconsole.tui.app import XConsoleApp

    sandbox = embedded()
    orbit = next(t for t in sandbox.teams if t.name == "Orbit Robotics")
    reference = httpx.MockTransport(_reference_router().async_handler)

    def make_client(key, _url):
        if key == ref.KEY:
            return ManagementClient(key, DEFAULT_API_URL, transport=reference)
        return ManagementClient(key, BASE_URL, transport=sandbox.transport, sandbox=True)

    async def factory():
        return Session([TeamHandle("Orbit Robotics", orbit.team_id, "keyring"), TeamHandle("Real", ref.TEAM, "keyring")],
                       MemoryKeyStore({orbit.team_id: orbit.management_key, ref.TEAM: ref.KEY}), make_client)

    app = XConsoleApp(factory, changes_digest=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        screen = app.screen
        await fill(pilot, enabled=True, threshold="2", amount="25", monthlyLimit="100")
        await pilot.press("escape")
        await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: app.team.name == "Real" and screen.has_class("-console-only"))
        assert screen.query_one("#auto-amount", Input).value == "" and screen.unsaved == "Auto top-up settings of Orbit Robotics"
        await fill(pilot, threshold="9", amount="30", monthlyLimit="90")  # a what-if draft, for this team
        await pilot.press("escape")
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: app.team.name == "Orbit Robotics" and not screen.has_class("-console-only"))
        values = [screen.query_one(f"#auto-{f}", Input).value for f in ("threshold", "amount", "monthlyLimit")]
        assert values == ["2", "25", "100"] and screen.unsaved == "Auto top-up settings of Orbit Robotics"
        await pilot.press("right_square_bracket")  # and the what-if draft is the real team's again
        await wait_until(pilot, lambda: app.team.name == "Real" and screen.has_class("-console-only"))
        assert [screen.query_one(f"#auto-{f}", Input).value for f in ("threshold", "amount", "monthlyLimit")] == ["9", "30", "90"]


async def confirmation_for(pilot, **values) -> str:
    """The confirm dialog's text for these settings, typed into the open form."""
    await fill(pilot, enabled=True, **values)
    await submit(pilot)
    assert isinstance(pilot.app.screen, ConfirmActionScreen)
    return " ".join(str(w.render()) for w in pilot.app.screen.query(Static))


async def test_a_trigger_above_todays_credits_is_confirmed_as_a_purchase_made_at_once():
    app = delayed_sandbox_app(embedded(), team="orbit")  # about $4 of credits
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        text = await confirmation_for(pilot, threshold="20", amount="25", monthlyLimit="100")
        assert "under the $20.00 trigger: saving buys $25.00 at once, charged to Amex ··0005" in text
        await pilot.press("escape")
        await settle(pilot)
        # Under today's credits: nothing bought on saving, nothing said.
        assert "at once" not in await confirmation_for(pilot, threshold="2", amount="25", monthlyLimit="100")


@pytest.mark.parametrize(("team", "settings", "said", "bought"), [
    # Orbit: about $4 of credits, auto top-up off.
    ("orbit", ("100", "25", "1000"), ["saving buys 4 × $25.00 = $100.00 at once, charged to Amex ··0005."], 4),
    # Helix: no credits, and $1,4xx of this month's usage beyond them, which new credit pays first.
    ("helix", ("20", "50", "300"), ["new credits pay this month's {beyond} of usage beyond prepaid credits first",
                                    "saving buys 5 × $50.00 = $250.00 at once, charged to Mastercard ··5100 (credits "
                                    "after them: $0.00); then: 5 auto top-ups in the last 24 hours"], 5),
])
async def test_the_confirmation_says_every_top_up_saving_buys_and_the_sandbox_buys_exactly_those(team, settings, said,
                                                                                                 bought):
    app = delayed_sandbox_app(embedded(), team=team)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        threshold, amount, monthly = settings
        beyond = format_cents(app.store.data().snapshot.summary.beyond_prepaid)
        text = " ".join((await confirmation_for(pilot, threshold=threshold, amount=amount, monthlyLimit=monthly)).split())
        assert all(words.format(beyond=beyond) in text for words in said), text
        await pilot.press("enter")
        await settle(pilot)
        assert auto(app).top_ups_last24h == bought and auto(app).used_this_month.val == bought * int(amount) * 100


async def test_the_confirmation_says_what_stops_a_top_up_due_on_saving():
    app = delayed_sandbox_app(embedded(), team="orbit")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        text = await confirmation_for(pilot, threshold="100", amount="25", monthlyLimit="50")
        assert "saving buys 2 × $25.00 = $50.00 at once, charged to Amex ··0005; then: The next top-up would exceed" in text


async def test_space_on_a_button_is_not_the_switch():
    app = delayed_sandbox_app(embedded(), team="lumen")  # auto top-up on
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        switch = app.screen.query_one("#auto-enabled", Switch)
        app.screen.query_one("#auto-disable").focus()
        await pilot.press("space")
        await pilot.pause()
        assert switch.value and app.transport.sent("POST", "/auto-top-up") == 0


async def test_each_team_has_its_own_what_if_budget():
    app = delayed_sandbox_app(embedded(), team="lumen")  # a $600.00 monthly maximum, offered as the budget
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        screen = app.screen
        budget = screen.query_one("#what-if-budget", Input)
        await wait_until(pilot, lambda: budget.value == "600.00")
        budget.value = "333"
        await pilot.pause()
        await pilot.press("right_square_bracket")  # Orbit: no maximum set, so no budget offered
        await wait_until(pilot, lambda: app.team.name == "Orbit Robotics" and screen._filled_for[0] == app.team.team_id)
        assert budget.value == ""
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: app.team.name == "Lumen Labs" and screen._filled_for[0] == app.team.team_id)
        assert budget.value == "333"


async def test_space_toggles_auto_top_up_as_the_form_says_even_before_anything_has_focus():
    app = delayed_sandbox_app(embedded(), team="orbit")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        switch = app.screen.query_one("#auto-enabled", Switch)
        app.screen.set_focus(None)
        await pilot.press("space")
        await pilot.pause()
        assert switch.value
        app.screen.query_one("#auto-threshold", Input).focus()
        await pilot.press("space")  # in a text field a space is text
        await pilot.pause()
        assert switch.value


async def test_the_confirmation_says_when_what_saving_buys_cannot_be_known_or_charged():
    from dataclasses import replace

    from xconsole.core import models

    app = delayed_sandbox_app(embedded(), team="orbit")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_auto(app, pilot)
        screen, data = app.screen, app.store.data()
        snap = data.snapshot
        settings = models.AutoTopUpSettings(enabled=True, threshold=models.Cent.of(10_000), amount=models.Cent.of(2_500),
                                            monthly_limit=models.Cent.of(100_000))

        def said(changed) -> str:  # the dialog's line for the team's snapshot with `changed`
            data.value = changed
            return screen._buys_at_once(settings)

        assert "The credit balance is unknown here" in said(replace(snap, summary=replace(snap.summary, live_balance=None)))
        assert "there is no payment method to charge" in said(replace(snap, payment_methods=models.PaymentMethodList(payment_methods=[])))
        card = snap.default_method
        expired = card.model_copy(update={"card_details": card.card_details.model_copy(update={"exp_year": 2020})})
        others = [m for m in snap.payment_methods.payment_methods if m is not card]
        assert f"the default card {card.label()} has expired" in said(
            replace(snap, payment_methods=models.PaymentMethodList(payment_methods=[expired, *others]),
                    known_default_id=card.payment_method_id))
        data.value = snap
