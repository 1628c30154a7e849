"""Loading what the Spend screen and `xconsole balance` show for one team, in parallel."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date, timedelta

from xconsole.core import billing, errors, models
from xconsole.core.client import ManagementClient
from xconsole.core.money import dollars_to_cents


@dataclass(frozen=True)
class SpendSnapshot:
    summary: billing.SpendSummary
    preview: models.InvoicePreview
    limits: models.SpendingLimits
    ledger: models.PrepaidBalance
    daily_spend: list[int]  # cents per full day, oldest first (last RUNWAY_WINDOW_DAYS days)
    auto_top_up: models.AutoTopUp | None  # None when the API has no such endpoint (console only)


def daily_request(today: date, days: int) -> models.AnalyticsRequest:
    """Usage per UTC day for the `days` full days before `today`."""
    start = today - timedelta(days=days)
    return models.AnalyticsRequest(
        time_range=models.TimeRange(start_time=f"{start:%Y-%m-%d} 00:00:00", end_time=f"{today:%Y-%m-%d} 00:00:00"),
        time_unit=models.TimeUnit.TIME_UNIT_DAY,
    )


def series_cents(usage: models.UsageResponse) -> list[int]:
    """Sum all series per bucket, in cents (the endpoint answers in float dollars)."""
    totals: list[int] = []
    for series in usage.time_series:
        for i, point in enumerate(series.data_points):
            cents = sum(dollars_to_cents(v) for v in point.values)
            if i < len(totals):
                totals[i] += cents
            else:
                totals.append(cents)
    return totals


async def load_spend(client: ManagementClient, team_id: str, today: date | None = None) -> SpendSnapshot:
    """Everything for one team. All five reads run in parallel once the server's date is known
    (from any earlier answer); on a client's very first call, daily usage waits for it so the
    runway window is the server's last seven days, not this machine's."""

    async def auto() -> models.AutoTopUp | None:
        try:
            return await client.get_auto_top_up(team_id)
        except errors.NotSupportedByApi:
            return None

    def usage() -> Awaitable[models.UsageResponse]:
        return client.usage(team_id, daily_request(today or client.today(), billing.RUNWAY_WINDOW_DAYS))

    reads = (client.get_invoice_preview(team_id), client.get_spending_limits(team_id),
             client.get_prepaid_balance(team_id), auto())
    if today is not None or client.server_date is not None:
        preview, limits, ledger, auto_top_up, daily_usage = await asyncio.gather(*reads, usage())
    else:
        preview, limits, ledger, auto_top_up = await asyncio.gather(*reads)
        daily_usage = await usage()
    daily = series_cents(daily_usage)
    return SpendSnapshot(
        summary=billing.summarize(preview, limits, ledger, daily),
        preview=preview,
        limits=limits,
        ledger=ledger,
        daily_spend=daily,
        auto_top_up=auto_top_up,
    )
