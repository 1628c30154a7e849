"""Proof on the sandbox (issue 20, section 1): for the demo team that runs out (Orbit: $0 invoiced
limit, no auto top-up), the forecast moment is when the sandbox starts refusing spend — requests
still served just before it (spend growing), spend stopped at the cap just after, within the
error the backtest measures for this kind of team."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.sandbox.test_forecast_backtest import CREDITS_OUT_ERROR_BOUND_H
from xconsole.core.forecast import load_forecast
from xconsole.core.spend import load_spend
from xconsole.core.topup_replay import Cause
from xconsole.sandbox.clock import FROZEN_NOW

MARGIN = timedelta(hours=CREDITS_OUT_ERROR_BOUND_H)


async def _spend_and_balance(client, team_id) -> tuple[int, int]:
    preview = await client.get_invoice_preview(team_id)
    return preview.month_to_date_spend_cents, preview.live_balance_cents


async def _advance_to(sb, moment: datetime) -> None:
    now = datetime.fromisoformat((await sb.http.get("/sandbox/clock")).json()["now"].replace("Z", "+00:00"))
    assert moment >= now
    await sb.advance((moment - now).total_seconds())


async def test_orbit_is_served_until_just_before_the_forecast_and_capped_just_after(sb, orbit):
    team_id = sb.teams["orbit"].team_id
    snap = await load_spend(orbit, team_id)
    result = await load_forecast(orbit, team_id, snap, now=FROZEN_NOW)
    assert result.rejected_at is not None and result.cause is Cause.CREDITS_OUT
    assert "credits run out and the invoiced billing limit is $0" in result.summary()
    assert FROZEN_NOW < result.rejected_at < FROZEN_NOW + timedelta(days=3)

    # Just before: still served, spend still growing, some credit left.
    before = result.rejected_at - MARGIN
    await _advance_to(sb, before - timedelta(hours=1))
    spend_a, _ = await _spend_and_balance(orbit, team_id)
    await _advance_to(sb, before)
    spend_b, balance_b = await _spend_and_balance(orbit, team_id)
    assert spend_b > spend_a and balance_b > 0

    # Just after: the credit is gone and spend no longer moves (the sandbox refuses it).
    after = result.rejected_at + MARGIN
    await _advance_to(sb, after)
    spend_c, balance_c = await _spend_and_balance(orbit, team_id)
    await _advance_to(sb, after + timedelta(hours=3))
    spend_d, balance_d = await _spend_and_balance(orbit, team_id)
    assert balance_c == balance_d == 0
    assert spend_d == spend_c
    # Stopped exactly at the cap: the month's spend is what the credit allowed.
    assert spend_c == snap.summary.month_spend + snap.summary.live_balance
