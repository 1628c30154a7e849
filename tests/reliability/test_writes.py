"""Writes under pressure: impatient repeated Enter, a team switch while a request is in flight,
answers lost on the way back, and two xconsole processes on one sandbox database."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from textual.widgets import Input, Switch

from xconsole.tui.screens.confirm import ConfirmActionScreen
from tests.tui.harness import delayed_sandbox_app, embedded, settle, wait_until

#: Every write the console can send: (team, steps to the last Enter, method, path suffix).
WRITES = {
    "buy credits": ("lumen", ["1", "p", *"100", "enter"], "POST", "/prepaid/top-up"),
    "promo code": ("orbit", ["1", "o", *"WELCOME25"], "POST", "/promo-codes"),
    "invoiced billing limit": ("helix", ["1", "l", *"1500", "enter"], "POST", "/postpaid/spending-limits"),
    "request invoiced billing": ("orbit", ["1", "i"], "POST", "/invoiced-billing"),
    "auto top-up": ("orbit", ["2", "auto"], "POST", "/auto-top-up"),
    "make default": ("lumen", ["3", "j", "d"], "POST", "/payment-method/default"),
    "add card": ("orbit", ["3", "a", "card"], "POST", "/payment-method"),
    "remove method": ("lumen", ["3", "j", "x"], "DELETE", ""),
    "billing details": ("lumen", ["5", "billing"], "POST", "/billing-info"),
}


async def run_steps(pilot, steps) -> None:
    app = pilot.app
    for step in steps:
        if step == "auto":
            screen = app.screen
            screen.query_one("#auto-enabled", Switch).value = True
            for field, value in (("threshold", "2"), ("amount", "25"), ("monthlyLimit", "100")):
                screen.query_one(f"#auto-{field}", Input).value = value
            await pilot.pause()
            screen.query_one("#auto-amount", Input).focus()
            await pilot.press("enter")
        elif step == "card":
            screen = app.screen
            for field, value in (("number", "4242424242424242"), ("expiry", "12/30"), ("cvc", "123")):
                screen.query_one(f"#card-{field}", Input).value = value
            await pilot.pause()
            screen.query_one("#card-name", Input).focus()
        elif step == "billing":
            app.screen.query_one("#bill-city", Input).value = "Oakland"
            await pilot.pause()
            app.screen.review()
        else:
            await pilot.press(step)
        await settle(pilot)


@pytest.mark.parametrize("write", list(WRITES))
async def test_triple_enter_sends_one_request(write):
    team, steps, method, suffix = WRITES[write]
    sandbox = embedded()
    team_id = next(t.team_id for t in sandbox.teams if t.name.lower().startswith(team))
    app = delayed_sandbox_app(sandbox, team=team)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await run_steps(pilot, steps)
        app.transport.hold(team_id)  # the request is in flight while Enter is pressed again
        await pilot.press("enter", "enter", "enter")
        await wait_until(pilot, lambda: app.transport.in_flight(team_id) > 0)
        app.transport.release(team_id)
        await settle(pilot)
        sent = [c for c in app.transport.calls if c[0] == method and c[1].endswith(suffix) and team_id in c[1]
                and (method != "POST" or not c[1].endswith("/usage"))]
        assert len(sent) == 1, f"{write}: {sent}"
        assert not isinstance(app.screen, ConfirmActionScreen)


async def test_switching_team_during_a_write_keeps_it_on_the_right_team():
    sandbox = embedded()
    lumen, orbit = (next(t for t in sandbox.teams if t.name.startswith(n)) for n in ("Lumen", "Orbit"))
    app = delayed_sandbox_app(sandbox, team="lumen")
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        orbit_ledger = len(app.store.cache[orbit.team_id].snapshot.ledger.changes)
        await run_steps(pilot, ["p", *"30", "enter"])
        app.transport.hold(lumen.team_id)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.transport.in_flight(lumen.team_id) > 0)  # the purchase is under way
        await pilot.press("right_square_bracket", "t")  # refused while the confirmation is open
        assert app.team.team_id == lumen.team_id and isinstance(app.screen, ConfirmActionScreen)
        app.transport.release(lumen.team_id)
        await settle(pilot)
        assert app.team.team_id == lumen.team_id
        assert any("Lumen Labs: $30.00 of credits bought" in message for message, _severity in app.notices)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.team.team_id == orbit.team_id
        assert len(app.store.data().snapshot.ledger.changes) == orbit_ledger
        assert app.transport.sent("POST", "/prepaid/top-up") == 1


async def test_a_lost_answer_is_reconciled_by_reading_the_ledger_not_by_resending():
    sandbox = embedded()
    app = delayed_sandbox_app(sandbox, team="lumen")
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        purchases = sum(c.change_origin.value == "PURCHASE" for c in app.store.data().snapshot.ledger.changes)
        app.transport.drop_answer.add(("POST", "/prepaid/top-up"))
        await run_steps(pilot, ["p", *"40", "enter"])
        await pilot.press("enter")
        await settle(pilot)
        assert app.transport.sent("POST", "/prepaid/top-up") == 1
        assert any("went through once; nothing was re-sent" in message for message, _severity in app.notices)
        ledger = app.store.data().snapshot.ledger.changes
        assert sum(c.change_origin.value == "PURCHASE" for c in ledger) == purchases + 1
        assert ledger[0].credit_cents == 4000


async def test_a_request_that_never_arrived_says_nothing_was_charged():
    app = delayed_sandbox_app(embedded(), team="lumen")
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        app.transport.drop_request.add(("POST", "/prepaid/top-up"))
        await run_steps(pilot, ["p", *"40", "enter"])
        await pilot.press("enter")
        await settle(pilot)
        assert app.transport.sent("POST", "/prepaid/top-up") == 1  # tried once, never again
        status = str(app.screen.query_one("#buy-status").render())
        assert "not in the ledger" in status and "nothing was re-sent" in status
        assert app.screen.query_one("#amount", Input).value == "40"  # what was typed is kept


def test_two_processes_on_one_sandbox_database_do_not_corrupt_it(tmp_path):
    db = tmp_path / "shared.db"
    script = textwrap.dedent(f"""
        import asyncio, sys
        from xconsole.core.client import ManagementClient
        from xconsole.sandbox.clock import FROZEN_NOW
        from xconsole.sandbox.embedded import BASE_URL, open_embedded

        async def main():
            sb = open_embedded({str(db)!r}, frozen_at=FROZEN_NOW)
            team = next(t for t in sb.teams if t.name.startswith("Lumen"))
            client = ManagementClient(team.management_key, BASE_URL, transport=sb.transport, sandbox=True)
            for n in range(15):
                await client.top_up(team.team_id, 2500 + int(sys.argv[1]))
            await client.aclose()

        asyncio.run(main())
    """)
    subprocess.run([sys.executable, "-c", "from xconsole.sandbox.embedded import open_embedded as o; "
                    f"o({str(db)!r})"], check=True)  # seeded once, like a user's first start
    procs = [subprocess.Popen([sys.executable, "-c", script, str(i)], stderr=subprocess.PIPE) for i in (1, 2)]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]

    import sqlite3

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    counts = dict(conn.execute("SELECT amount, COUNT(*) FROM ledger WHERE amount IN (-2501, -2502) GROUP BY amount"))
    assert counts == {-2501: 15, -2502: 15}
    invoices = conn.execute("SELECT COUNT(*) FROM invoices WHERE total IN (2501, 2502)").fetchone()[0]
    assert invoices == 30
