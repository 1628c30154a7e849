"""SVG snapshots of the shell at 80x24 and 120x36 (frozen sandbox clock, fixed seed)."""

import pytest

from xconsole.core.session import TeamHandle
from tests.tui.harness import BrokenKeyStore, embedded, registry_app, sandbox_app, settle, still_cursors

SIZES = [(80, 24), (120, 36), (160, 40)]


def _still(steps):
    """run_before: `steps`, then wait until the picture holds still — workers done, every table's
    rows laid out, text cursors shown rather than blinking — so the capture does not depend on
    how long the steps took."""

    async def run_before(pilot):
        await steps(pilot)
        await settle(pilot)
        still_cursors(pilot.app)

    return run_before


async def _settled(pilot):
    await settle(pilot)


def _after(*keys):
    """run_before: press `keys`, letting the app settle before and after each."""

    async def steps(pilot):
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return steps


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_shell(snap_compare, size):
    assert snap_compare(sandbox_app(), terminal_size=size, run_before=_still(_settled))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_team_switcher(snap_compare, size):
    assert snap_compare(sandbox_app(), terminal_size=size, run_before=_still(_after("t")))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_add_team_first_run(snap_compare, size, tmp_path):
    app = registry_app(embedded(), tmp_path / "config.toml")
    assert snap_compare(app, terminal_size=size, run_before=_still(_settled))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_keyring_unavailable(snap_compare, size, tmp_path):
    sandbox = embedded()
    app = registry_app(sandbox, tmp_path / "c.toml", keystore=BrokenKeyStore(),
                       teams=[TeamHandle("Lumen", sandbox.teams[0].team_id, "keyring")])
    assert snap_compare(app, terminal_size=size, run_before=_still(_settled))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_stale_after_an_error(snap_compare, size, monkeypatch):
    from xconsole.tui import store as store_module

    monkeypatch.setattr(store_module, "RETRY_FIRST_S", 3600)
    sandbox = embedded()

    async def break_api(pilot):
        await settle(pilot)
        sandbox.app.state.sandbox.faults.error_rate = 1.0
        await pilot.press("r")
        await settle(pilot)

    assert snap_compare(sandbox_app(sandbox), terminal_size=size, run_before=_still(break_api))


async def _type(pilot, text):
    for ch in text:
        await pilot.press(ch)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_spend_nearly_out_of_credit(snap_compare, size):
    assert snap_compare(sandbox_app(team="orbit"), terminal_size=size, run_before=_still(_settled))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(("step", "amount", "submit"), [
    ("dialog", "100", False),          # the form, filled in
    ("confirmation", "100", True),     # team, amount and card before anything is sent
    ("amount_error", "24.99", True),   # refused inline, no request
])
def test_buy(snap_compare, size, step, amount, submit):
    async def steps(pilot):
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await _type(pilot, amount)
        if submit:
            await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(sandbox_app(), terminal_size=size, run_before=_still(steps))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(("state", "team"), [("disabled", "orbit"), ("valid", None), ("invalid", None), ("warnings", None)])
def test_auto_top_up(snap_compare, size, state, team):
    from textual.widgets import Input

    async def steps(pilot):
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = pilot.app.screen
        if state == "invalid":
            screen.query_one("#auto-amount", Input).value = "24"
        if state == "warnings":
            used = pilot.app.store.data().snapshot.auto_top_up.used_this_month.val
            screen.query_one("#auto-threshold", Input).value = "1000"
            screen.query_one("#auto-amount", Input).value = "25"
            screen.query_one("#auto-monthlyLimit", Input).value = f"{(used + 5 * 2500 + 2000) / 100:.2f}"
            screen.query_one("#auto-amount", Input).focus()
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("enter")
        await settle(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(sandbox_app(team=team), terminal_size=size, run_before=_still(steps))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("state", ["list", "declined"])
def test_payment_methods(snap_compare, size, state):
    from textual.widgets import Input

    async def steps(pilot):
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        if state == "declined":
            await pilot.press("a")
            await settle(pilot)
            screen = pilot.app.screen
            screen.query_one("#card-number", Input).value = "4000000000000002"
            screen.query_one("#card-expiry", Input).value = "12/30"
            screen.query_one("#card-cvc", Input).value = "123"
            screen.query_one("#card-name", Input).focus()
            await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(sandbox_app(), terminal_size=size, run_before=_still(steps))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("state", ["list", "detail"])
def test_invoices(snap_compare, size, state):
    keys = ("4", "j", "j", "j", "enter") if state == "detail" else ("4",)  # detail: October's monthly invoice
    assert snap_compare(sandbox_app(), terminal_size=size, run_before=_still(_after(*keys)))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_billing_details_with_an_error(snap_compare, size):
    from textual.widgets import Input

    async def steps(pilot):
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        pilot.app.screen.query_one("#bill-email", Input).value = "ap@lumenlabs"
        pilot.app.screen.query_one("#bill-email", Input).focus()
        await settle(pilot)

    assert snap_compare(sandbox_app(), terminal_size=size, run_before=_still(steps))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_overview(snap_compare, size):
    assert snap_compare(sandbox_app(), terminal_size=size, run_before=_still(_after("0")))
