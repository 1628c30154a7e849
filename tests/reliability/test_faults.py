"""Faults × screens: every screen meets slow, failing, rate-limited, unreachable and garbled
APIs. The app must stay responsive, keep the last good numbers under a STALE badge with a clear
error, never crash, and recover by itself once the fault ends.

Bounded: one app per fault, short sandbox delays, background retries shortened to ~1 s.
"""

from __future__ import annotations

import pytest

from xconsole.sandbox.faults import Faults
from xconsole.tui import store as store_module
from xconsole.tui.screens.help import HelpScreen
from xconsole.tui.widgets.team_header import TeamHeader
from tests.tui.harness import delayed_sandbox_app, embedded, settle, wait_until

SCREENS = {"0": "overview", "1": "spend", "2": "auto", "3": "payments", "4": "invoices", "5": "billing"}
#: Resource each screen fetches for itself (besides the team's snapshot).
OWN_DATA = {"invoices": "invoices", "billing": "billing_info"}
#: fault -> (sandbox faults, transport failure, whether a refresh ends in an error)
FAULTS = {
    "latency-2s": (Faults(latency_ms=2000), None, False),
    "5xx-burst": (Faults(error_rate=1.0), None, True),
    "429-retry-after": (Faults(rate_limit_rate=1.0), None, True),
    "gateway-timeout": (Faults(timeout_rate=1.0, timeout_s=0.2), None, True),
    "client-timeout": (Faults(), "timeout", True),
    "connection-refused": (Faults(), "refused", True),
    "malformed-json": (Faults(malformed_rate=1.0), None, True),
    "unknown-enum": (Faults(unknown_enum_rate=1.0), None, False),
    "missing-field": (Faults(missing_field_rate=1.0), None, False),
}
#: What the matrix covers, for the closing note and for anyone reading a failure.
COVERAGE = {"faults": len(FAULTS), "screens": len(SCREENS)}


@pytest.fixture(autouse=True)
def quick_background_retries(monkeypatch):
    monkeypatch.setattr(store_module, "RETRY_FIRST_S", 0.5)
    monkeypatch.setattr(store_module, "RETRY_MAX_S", 1.0)


def errors_on(app, mode: str) -> list[str]:
    data = app.store.data()
    found = [data.error] if data and data.error else []
    res = data.resources.get(OWN_DATA.get(mode, "")) if data else None
    return found + ([res.error] if res is not None and res.error else [])


def has_data(app, mode: str) -> bool:
    data = app.store.data()
    if data is None or data.snapshot is None:
        return False
    if mode in OWN_DATA:
        res = data.resources.get(OWN_DATA[mode])
        return res is not None and res.value is not None
    return True


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_every_screen_survives_and_recovers(fault):
    faults, transport_failure, ends_in_error = FAULTS[fault]
    sandbox = embedded()
    app = delayed_sandbox_app(sandbox, team="lumen")
    state = sandbox.app.state.sandbox
    async with app.run_test(size=(100, 30)) as pilot:
        for key in SCREENS:  # every screen built once, with good data
            await pilot.press(key)
            await settle(pilot)
        for key, mode in SCREENS.items():
            await pilot.press(key)
            await settle(pilot)
            assert has_data(app, mode), mode
            credits = app.store.data().snapshot.summary.live_balance

            state.faults, app.transport.fail = faults, transport_failure
            sent = len(app.transport.calls)
            await pilot.press("r")
            await wait_until(pilot, lambda n=sent: len(app.transport.calls) > n)  # the refresh has gone out
            # Responsive while the refresh is failing or slow: help opens and closes.
            await pilot.press("question_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), timeout=1.0)
            await pilot.press("escape")
            await wait_until(pilot, lambda m=mode: app.screen.MODE == m, timeout=1.0)
            if ends_in_error:
                await wait_until(pilot, lambda m=mode: bool(errors_on(app, m)))
                assert has_data(app, mode), f"{fault} on {mode}: the last good data was dropped"
                if app.store.data().error:  # the screen hears of it by message (TeamDataChanged)
                    await wait_until(pilot, lambda: app.screen.query_one(TeamHeader).stale)
            else:
                await settle(pilot)
            # Never a wrong number: either the old figures (STALE) or a correct new reading.
            assert app.store.data().snapshot.summary.live_balance == credits, f"{fault} on {mode}"
            assert "Traceback" not in app.export_screenshot()  # the whole screen still draws

            state.faults, app.transport.fail = Faults(), None
            await wait_until(pilot, lambda m=mode: not errors_on(app, m) and has_data(app, m))
            await wait_until(pilot, lambda: not app.screen.query_one(TeamHeader).stale)
        assert app.return_code is None  # still running: nothing crashed
