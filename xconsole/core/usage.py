"""`xconsole usage`: spend per day, or per model, over the last N days (the server's days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from xconsole.core import models
from xconsole.core.client import ManagementClient
from xconsole.core.spend import daily_request, per_group_cents, range_request, series_cents

MAX_DAYS = 366


@dataclass(frozen=True)
class UsageReport:
    first: date
    last: date  # today, partial
    rows: list[tuple[str, int]]  # (day or model, cents)
    limit_reached: bool  # the API capped the number of series: totals may be partial

    @property
    def total(self) -> int:
        return sum(cents for _label, cents in self.rows)


def grouped_request(today: date, days: int) -> models.AnalyticsRequest:
    """The last `days` days in one bucket per model description."""
    return range_request(today - timedelta(days=days - 1), today, models.TimeUnit.TIME_UNIT_NONE, ["description"])


async def load_usage(client: ManagementClient, team_id: str, days: int, *, by_model: bool) -> UsageReport:
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    if client.server_date is None:
        await client.get_spending_limits(team_id)  # any answer carries the server's date
    today = client.today()
    first = today - timedelta(days=days - 1)
    if by_model:
        usage = await client.usage(team_id, grouped_request(today, days))
        rows = per_group_cents(usage)
    else:
        usage = await client.usage(team_id, daily_request(today, days))
        cents = series_cents(usage)[:days]
        cents += [0] * (days - len(cents))
        rows = [((first + timedelta(days=i)).isoformat(), c) for i, c in enumerate(cents)]
    return UsageReport(first, today, rows, usage.limit_reached)
