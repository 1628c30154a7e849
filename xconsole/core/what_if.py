"""Auto top-up what-if: replay past hourly usage with draft settings (issue 20, section 2).

Answers "had these settings been in force, how many top-ups, how many dollars, how many hours of
rejected requests, and when would the monthly maximum or the 5-per-24 h rule have blocked a
top-up?" with the same engine as the forecast (core.topup_replay), so the two never disagree.

Starting point, because past balances and purchases are not what is being judged: the replay
starts with credit equal to the threshold (just at the trigger), no auto top-up used yet, and
the team's invoiced billing limit ($0 by default); only auto top-up buys credit. A different
start can be passed in. One 90-day replay takes about a millisecond or two (2,160 steps), so the
form can re-run it on every keystroke; `smallest_settings` runs a few hundred of them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from xconsole.core.billing import MIN_TOP_UP_CENTS
from xconsole.core.hourly import HourlyUsage
from xconsole.core.money import MAX_INPUT_CENTS, format_cents
from xconsole.core.topup_replay import Account, AutoRule, Block, Cause, Timeline, hourly_steps, replay

#: Top-up amounts (cents) tried by `smallest_settings`, smallest first: the $25 minimum up.
AMOUNT_STEPS = tuple(c * 100 for c in (25, 30, 40, 50, 60, 75, 100, 125, 150, 200, 250, 300, 400, 500, 750,
                                       1_000, 1_500, 2_000, 2_500, 5_000, 10_000))


@dataclass(frozen=True)
class WhatIf:
    """The outcome of one replay."""

    settings: AutoRule | None  # None: no auto top-up
    start: datetime
    end: datetime
    hours: int
    top_ups: int
    bought: int  # cents
    rejected_hours: int
    first_rejected: datetime | None
    blocks: tuple[Block, ...]  # the first blocked top-up of each episode
    start_credits: int
    limit: int
    resolution: str = "hour"
    partial: bool = False
    months: dict[str, int] = field(default_factory=dict)  # "YYYY-MM" -> cents bought

    @property
    def monthly_blocks(self) -> list[datetime]:
        return [b.at for b in self.blocks if b.cause is Cause.MONTHLY_MAX]

    @property
    def daily_blocks(self) -> list[datetime]:
        return [b.at for b in self.blocks if b.cause is Cause.DAILY_LIMIT]

    def to_json(self) -> dict[str, Any]:
        from xconsole.core.forecast import iso

        return {
            "settings": settings_json(self.settings),
            "from": iso(self.start),
            "to": iso(self.end),
            "hours": self.hours,
            "topUps": self.top_ups,
            "bought": _money(self.bought),
            "rejectedHours": self.rejected_hours,
            "firstRejected": iso(self.first_rejected),
            "blockedByMonthlyMaximum": [iso(t) for t in self.monthly_blocks],
            "blockedBy24hLimit": [iso(t) for t in self.daily_blocks],
            "boughtPerMonth": {month: _money(cents) for month, cents in sorted(self.months.items())},
            "startBalance": _money(self.start_credits),
            "invoicedLimit": _money(self.limit),
            "resolution": self.resolution,
            "partial": self.partial,
        }


def settings_json(rule: AutoRule | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {"threshold": _money(rule.threshold), "amount": _money(rule.amount), "monthlyMax": _money(rule.monthly_max)}


def describe(rule: AutoRule | None) -> str:
    if rule is None:
        return "no auto top-up"
    return (f"below {format_cents(rule.threshold)} buy {format_cents(rule.amount)}, "
            f"at most {format_cents(rule.monthly_max)} a month")


def _money(cents: int) -> dict[str, Any]:
    return {"cents": cents, "formatted": format_cents(cents)}


class Replayer:
    """One usage history prepared once, replayed with as many draft settings as the user types."""

    def __init__(self, history: HourlyUsage, *, limit: int = 0) -> None:
        self.history = history
        self.limit = limit
        self.timeline = Timeline(hourly_steps(history.start, history.cents))

    def run(self, rule: AutoRule | None, *, start_credits: int | None = None) -> WhatIf:
        credits = (rule.threshold if rule else 0) if start_credits is None else start_credits
        result = replay(self.timeline, Account(credits=credits, limit=self.limit), rule)
        rejected = result.rejections
        months: Counter[str] = Counter()
        for top_up in result.top_ups:
            months[f"{top_up.at:%Y-%m}"] += top_up.cents
        return WhatIf(
            settings=rule,
            start=self.history.start,
            end=self.history.end,
            hours=len(self.history),
            top_ups=len(result.top_ups),
            bought=result.bought,
            rejected_hours=len(rejected),
            first_rejected=rejected[0].at if rejected else None,
            blocks=tuple(result.blocks),
            start_credits=credits,
            limit=self.limit,
            resolution=self.history.resolution,
            partial=self.history.partial,
            months=dict(months),
        )

    def _clean(self, threshold: int, amount: int) -> tuple[bool, int]:
        """(no rejected hour with an unlimited monthly maximum, the most bought in one month)."""
        result = self.run(AutoRule(threshold, amount, MAX_INPUT_CENTS))
        return result.rejected_hours == 0, max(result.months.values(), default=0)


def what_if(history: HourlyUsage, rule: AutoRule | None, *, limit: int = 0, start_credits: int | None = None) -> WhatIf:
    """Replay `history` with `rule` (see the module docstring for the starting point)."""
    return Replayer(history, limit=limit).run(rule, start_credits=start_credits)


def smallest_settings(history: HourlyUsage, budget_cents: int, *, limit: int = 0,
                      amounts: tuple[int, ...] = AMOUNT_STEPS) -> AutoRule | None:
    """The smallest settings with no rejected hour whose monthly maximum fits `budget_cents`.

    "Smallest" means the lowest top-up amount (the $25 minimum up: the least bought ahead of
    need), then the lowest threshold in whole dollars, then the lowest monthly maximum that never
    blocks a needed top-up: exactly the most that replay bought in any month. For an amount, a
    binary search finds the lowest clean threshold with an unlimited maximum (a higher threshold
    never makes it worse). None: no settings within the budget avoid every rejected hour.
    """
    replayer = Replayer(history, limit=limit)
    peak_hour = max(history.cents, default=0)
    for amount in amounts:
        if amount < MIN_TOP_UP_CENTS or amount > budget_cents:
            continue
        low, high = 1, max(1, (peak_hour + 5 * amount) // 100 + 1)  # dollars
        if not replayer._clean(high * 100, amount)[0]:
            continue  # the 5-per-24 h rule bites whatever the threshold
        while low < high:
            mid = (low + high) // 2
            if replayer._clean(mid * 100, amount)[0]:
                high = mid
            else:
                low = mid + 1
        ok, peak_month = replayer._clean(low * 100, amount)
        monthly = max(amount, peak_month)
        if ok and monthly <= budget_cents:
            return AutoRule(low * 100, amount, monthly)
    return None
