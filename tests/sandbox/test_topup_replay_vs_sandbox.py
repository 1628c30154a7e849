"""The replay engine (core.topup_replay) and the sandbox's own auto top-up engine agree: on the
same hourly spend series, from the same state, they buy at the same times the same amounts —
including the 5-per-24 h rule and the monthly maximum (issue 20, section 2 proof)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from xconsole.core import models
from xconsole.core.topup_replay import Account, AutoRule, Cause, hourly_steps, replay
from xconsole.sandbox.clock import FROZEN_NOW

DAYS = 4


async def _auto_purchases(client, team_id) -> list[tuple[datetime, int]]:
    ledger = await client.get_prepaid_balance(team_id)
    return sorted((c.create_time, c.credit_cents) for c in ledger.changes
                  if c.change_origin is models.ChangeOrigin.AUTO_PURCHASE and c.topup_status is models.TopupStatus.SUCCEEDED)


@pytest.mark.parametrize(("name", "rule"), [
    # Helix spends beyond prepaid (invoiced billing): every hour is below the trigger, so the
    # 5-per-24 h rule and then the monthly maximum decide.
    ("helix", AutoRule(threshold=1_000, amount=2_500, monthly_max=40_000)),
    # Lumen crosses a threshold now and then; the monthly maximum stops it within the days run.
    ("lumen", AutoRule(threshold=6_000, amount=2_500, monthly_max=25_000)),
])
async def test_replay_buys_when_and_what_the_sandbox_buys(sb, name, rule):
    client = sb.client(name)
    team_id = sb.teams[name].team_id
    before = await _auto_purchases(client, team_id)
    auto = await client.set_auto_top_up(team_id, models.AutoTopUpSettings(
        enabled=True, threshold=models.Cent.of(rule.threshold), amount=models.Cent.of(rule.amount),
        monthly_limit=models.Cent.of(rule.monthly_max)))
    start = await _auto_purchases(client, team_id)  # saving may buy at once (a threshold crossed already)
    preview = await client.get_invoice_preview(team_id)
    limits = await client.get_spending_limits(team_id)
    account = Account(
        credits=preview.live_balance_cents, beyond=preview.beyond_prepaid_cents, limit=limits.limit_cents,
        used_this_month=auto.used_this_month.val,
        recent_top_ups=[t for t, _c in start if t > FROZEN_NOW - timedelta(hours=24)],
    )
    spend = [preview.month_to_date_spend_cents]
    for _ in range(DAYS * 24):
        await sb.advance(3600)
        spend.append((await client.get_invoice_preview(team_id)).month_to_date_spend_cents)
    sandbox_bought = [p for p in await _auto_purchases(client, team_id) if p not in start]
    series = [b - a for a, b in zip(spend, spend[1:])]

    result = replay(hourly_steps(FROZEN_NOW, series), account, rule)

    assert [(t.at, t.cents) for t in result.top_ups] == sandbox_bought
    assert len(sandbox_bought) >= {"helix": 5, "lumen": 1}[name] and len(before) <= len(start)
    assert all(r.cause in (Cause.DAILY_LIMIT, Cause.MONTHLY_MAX) for r in result.rejections)
    expected_blocks = {"helix": {Cause.DAILY_LIMIT, Cause.MONTHLY_MAX}, "lumen": {Cause.MONTHLY_MAX}}[name]
    assert {b.cause for b in result.blocks} == expected_blocks
    assert result.end.credits == (await client.get_invoice_preview(team_id)).live_balance_cents
