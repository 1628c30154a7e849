"""When will this team's requests be rejected, and why? A forecast from usage and the billing rules.

Spend-rate model ("hour-of-week × 7-day level"):
  rate(t) = L × S[weekday(t), hour(t)]   (cents per hour, UTC)
  - L, the level: the mean hourly spend of the last 7 days (a whole week, so weekends neither
    inflate nor deflate it; recent enough to follow a team that changed pace).
  - S, the shape: the mean spend per hour-of-week slot over the last 28 days, divided by its own
    mean (so it averages 1). With under two weeks of history the shape is flat (S = 1): one week
    cannot tell a weekly pattern from noise. When a server gives only days (its usage read falls
    back to TIME_UNIT_DAY), the shape keeps the weekday pattern and is flat within a day.
  Projected demand is rounded to cents cumulatively, so no fraction of a cent is lost per hour.
  The backtest (tests/sandbox/test_forecast_backtest.py) measures its error against the sandbox.

The projection then goes through the same engine as the what-if (core.topup_replay): credit,
pending purchases, auto top-up (threshold, amount, monthly maximum, 5 per 24 h, with what is
already used), and the invoiced billing limit. Against the real API the auto top-up settings are
console-only, hence unknown: the forecast says so and assumes there is none. When the ledger shows
auto top-ups all the same, its rejection is only the earliest it can come (auto top-up only adds
credit): said as such ("no sooner than", "3+ days"). Only a read with the ledger can see them.

`forecast(...)` is pure (no I/O); `load_forecast(...)` reads the usage it needs (one request for
28 days of hours where the server accepts it) and calls it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from xconsole.core import billing, models
from xconsole.core.hourly import HourlyUsage, floor_hour, read_hourly
from xconsole.core.money import format_cents
from xconsole.core.topup_replay import Account, AutoRule, Cause, Step, Timeline, TopUp, from_us, replay, to_us

SCHEMA_VERSION = 1
HORIZON_DAYS = 30
HISTORY_DAYS = 28
LEVEL_HOURS = 7 * 24
MODEL_NAME = "hour-of-week profile (28 d) x 7-day level"
HOUR = timedelta(hours=1)
HOUR_US = 3_600_000_000

CAUSE_TEXT = {
    Cause.CREDITS_OUT: "credits run out and the invoiced billing limit is $0",
    Cause.MONTHLY_MAX: "monthly auto top-up maximum reached",
    Cause.DAILY_LIMIT: "all 5 auto top-ups of 24 hours used",
    Cause.INVOICED_LIMIT: "credits used up and the invoiced billing limit reached",
}


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class ForecastInput:
    """What the forecast starts from: the team's figures at `now` (all money in cents)."""

    credits: int | None  # live prepaid balance; None: not reported (no forecast)
    beyond_prepaid: int = 0  # this cycle's spend beyond prepaid credit
    month_spend: int | None = None  # this cycle's spend so far
    invoiced_limit: int | None = 0  # the invoiced billing limit in force; None: not reported (taken as $0)
    pending: tuple[tuple[datetime, int], ...] = ()  # purchases not yet credited: (expected at, cents)
    auto: AutoRule | None = None  # enabled auto top-up settings; None: off or unknown
    auto_known: bool = True  # False: console-only on this API, so assumed off
    used_this_month: int = 0  # bought by auto top-up this month
    recent_top_ups: tuple[datetime, ...] = ()  # auto top-up attempts in the last 24 h
    last_top_up: datetime | None = None  # the latest auto top-up this month
    auto_working: bool = True  # False: the last attempt failed to charge the payment method
    seen_top_ups: int = 0  # auto top-ups in the ledger's last 30 days (evidence when settings are unknown)

    @classmethod
    def from_snapshot(cls, snapshot: Any, now: datetime) -> ForecastInput:
        """From a core.spend.SpendSnapshot (or anything with its `summary`, `ledger` and
        `auto_top_up`); the ledger may be None (a lean read): pending purchases are then unknown."""
        summary = snapshot.summary
        ledger: models.PrepaidBalance | None = getattr(snapshot, "ledger", None)
        auto: models.AutoTopUp | None = getattr(snapshot, "auto_top_up", None)
        pending: list[tuple[datetime, int]] = []
        autos: list[datetime] = []
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        for change in (ledger.changes if ledger else []):
            when = change.create_time or change.create_ts
            if change.is_pending and (change.credit_cents or 0) > 0:
                expected = billing.add_business_days(when, billing.BANK_TRANSFER_BUSINESS_DAYS) if when else now
                pending.append((max(expected, now + HOUR), change.credit_cents or 0))
            if change.change_origin is models.ChangeOrigin.AUTO_PURCHASE and when is not None:
                autos.append(when)
        recent = sorted(t for t in autos if now - timedelta(hours=24) < t <= now)
        rule = None
        used = 0
        working = True
        last = max((t for t in autos if month_start <= t <= now), default=None)
        if auto is not None and auto.enabled and auto.amount.val > 0:
            rule = AutoRule(auto.threshold.val, auto.amount.val, auto.monthly_limit.val)
            used = auto.used_this_month.val
            # The server's count wins; attempts the ledger did not show are taken as just made.
            recent += [now] * max(0, auto.top_ups_last24h - len(recent))
            reason = (auto.blocked_reason or "").lower()
            working = not ("payment" in reason or "charge" in reason or "card" in reason)
        return cls(
            credits=summary.live_balance,
            beyond_prepaid=summary.beyond_prepaid or 0,
            month_spend=summary.month_spend,
            invoiced_limit=summary.soft_limit,
            pending=tuple(pending),
            auto=rule,
            auto_known=auto is not None,
            used_this_month=used,
            recent_top_ups=tuple(recent),
            last_top_up=last,
            auto_working=working,
            seen_top_ups=sum(1 for t in autos if now - timedelta(days=30) < t <= now),
        )


# --------------------------------------------------------------------------- the rate model


@dataclass(frozen=True)
class RateModel:
    level: float  # cents per hour
    shape: tuple[float, ...]  # 168 multipliers (Monday 00:00 UTC first), mean 1
    name: str = MODEL_NAME

    def cents_per_hour(self, moment: datetime) -> float:
        utc = moment.astimezone(timezone.utc)
        return self.level * self.shape[utc.weekday() * 24 + utc.hour]

    @property
    def per_day(self) -> int:
        return round(self.level * 24)


def rate_model(history: HourlyUsage) -> RateModel:
    """Fit the model to the hours before the cut-off (see the module docstring)."""
    cents = history.cents
    if not cents:
        return RateModel(0.0, (1.0,) * 168)
    recent = cents[-LEVEL_HOURS:]
    level = sum(recent) / len(recent)
    window = history.last(HISTORY_DAYS * 24)
    if len(window) < 14 * 24:
        return RateModel(level, (1.0,) * 168)
    sums = [0.0] * 168
    counts = [0] * 168
    first = window.start.astimezone(timezone.utc)
    for i, value in enumerate(window.cents, first.weekday() * 24 + first.hour):  # hour-of-week by arithmetic
        slot = i % 168
        sums[slot] += value
        counts[slot] += 1
    means = [s / c if c else 0.0 for s, c in zip(sums, counts, strict=True)]
    overall = sum(means) / 168
    if overall <= 0:
        return RateModel(level, (1.0,) * 168)
    return RateModel(level, tuple(m / overall for m in means))


def projected_steps(model: RateModel, now: datetime, until: datetime) -> list[Step]:
    """Hourly steps from `now` (the sandbox's grid: it steps an hour at a time from the moment it
    was last brought up to date), cut at month boundaries; demand rounded cumulatively."""
    return projected_timeline(model, now, until).steps


def projected_timeline(model: RateModel, now: datetime, until: datetime) -> Timeline:
    """The steps of `projected_steps`, computed on integer epoch microseconds (exact, like the
    datetimes they stand for): no datetime per step for 200 teams x 744 steps."""
    start = now.astimezone(timezone.utc)
    t, stop = to_us(start), to_us(until)
    boundary = to_us(_next_month(start))
    starts: list[int] = []
    ends: list[int] = []
    demands: list[int] = []
    new_month: list[bool] = []
    carried = 0.0
    given = 0
    # The hour-of-week slot by arithmetic, not per-step calendar calls.
    slot = start.weekday() * 24 + start.hour
    level, shape = model.level, model.shape
    while t < stop:
        if t >= boundary:
            boundary = to_us(_next_month(from_us(t)))
        end = min(t + HOUR_US, boundary, stop)
        carried += level * shape[slot] * ((end - t) / 1_000_000) / 3600  # as timedelta.total_seconds()
        demand = math.floor(carried + 0.5) - given
        given += demand
        starts.append(t)
        ends.append(end)
        demands.append(demand)
        # The first month start after t is `boundary`, and end <= boundary: a step ends a month
        # exactly when it ends at the boundary.
        new_month.append(end == boundary)
        # A whole hour moves one slot on; a step cut at the month's end starts again from the calendar.
        if end - t == HOUR_US:
            slot = (slot + 1) % 168
        else:
            at = from_us(end)
            slot = at.weekday() * 24 + at.hour
        t = end
    return Timeline.of_us(starts, ends, demands, new_month)


def _next_month(moment: datetime) -> datetime:
    start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (start + timedelta(days=32)).replace(day=1)


# --------------------------------------------------------------------------- the forecast


@dataclass(frozen=True)
class Forecast:
    now: datetime
    rejected_at: datetime | None  # None: not within `horizon_days`
    cause: Cause | None
    cause_at: datetime | None  # when the cause set in (the monthly maximum reached, ...)
    month_end: datetime  # the start of next month (UTC): the end of this billing cycle
    month_spend: int | None  # projected spend of this cycle at month end (cents); None: unknown
    top_ups: tuple[TopUp, ...]  # expected auto top-ups until the month ends
    auto_top_up_known: bool  # False: settings are console-only on this API; none assumed
    model: str
    rate_per_day: int  # the model's mean spend per day (cents)
    horizon_days: int = HORIZON_DAYS
    known: bool = True  # False: no balance reported, nothing forecast
    resolution: str = "hour"  # "day": usage came per day, spread over hours
    partial: bool = False  # the usage read was capped (limitReached)
    notes: tuple[str, ...] = field(default=())
    auto_top_ups_seen: int = 0  # auto top-ups in the ledger's last 30 days (0 also when it was not read)

    @property
    def earliest_only(self) -> bool:
        """The rejection is only the earliest it can come: auto top-ups were seen but could not be
        modeled (their settings are console-only on this API), and they only add credit."""
        return self.rejected_at is not None and not self.auto_top_up_known and self.auto_top_ups_seen > 0

    def until_rejected(self) -> Runway | None:
        """Days until requests are rejected (a floor when that is only the earliest it can come);
        None when not within the horizon. The one computation of it: summary line, Overview, check."""
        if self.rejected_at is None:
            return None
        return Runway(max(0.0, (self.rejected_at - self.now).total_seconds() / 86_400), at_least=self.earliest_only)

    @property
    def rejected(self) -> bool:
        return self.rejected_at is not None

    def summary(self) -> str:
        """One line, e.g. "Requests rejected from Thu 19 Nov ~14:00 — monthly auto top-up maximum
        reached on the 17th", or "Not rejected within 30 days"."""
        if not self.known:
            return "No forecast: " + (self.notes[0] if self.notes else "the balance was not reported")
        suffix = "" if self.auto_top_up_known else " (auto top-up unknown on this API: none assumed)"
        if self.rejected_at is None:
            return f"Not rejected within {self.horizon_days} days{suffix}"
        if self.earliest_only:
            seen = self.auto_top_ups_seen
            return (f"Requests rejected no sooner than {self.reason()} ({seen} auto top-up{'s' if seen != 1 else ''} "
                    "in 30 days not counted: their settings are unknown on this API)")
        return f"Requests rejected from {self.reason()}{suffix}"

    def reason(self) -> str:
        """When and why, e.g. "Thu 19 Nov ~14:00 — monthly auto top-up maximum reached on the 17th"
        ("" when not rejected within the horizon)."""
        if self.rejected_at is None:
            return ""
        why = CAUSE_TEXT[self.cause] if self.cause else "credits run out"
        if self.cause is Cause.MONTHLY_MAX and self.cause_at is not None:
            why += f" on the {ordinal(self.cause_at.day)}"
        elif self.cause is Cause.DAILY_LIMIT and self.cause_at is not None:
            why += f" (since {when_text(self.cause_at, self.now)})"
        return f"{when_text(self.rejected_at, self.now)} — {why}"

    def to_json(self) -> dict[str, Any]:
        """Stable schema (`schemaVersion`): money as {"cents", "formatted"}, times ISO-8601 UTC."""
        return {
            "schemaVersion": SCHEMA_VERSION,
            "known": self.known,
            "generatedAt": iso(self.now),
            "horizonDays": self.horizon_days,
            "rejected": self.rejected,
            "rejectedAt": iso(self.rejected_at),
            "cause": self.cause.value if self.cause else None,
            "causeAt": iso(self.cause_at),
            "summary": self.summary(),
            "monthEnd": iso(self.month_end),
            "projectedMonthSpend": _money(self.month_spend),
            "autoTopUpKnown": self.auto_top_up_known,
            "autoTopUpsSeen": self.auto_top_ups_seen,
            "earliestOnly": self.earliest_only,
            "autoTopUps": [{"at": iso(t.at), "amount": _money(t.cents)} for t in self.top_ups],
            "autoTopUpTotal": _money(sum(t.cents for t in self.top_ups)),
            "model": self.model,
            "ratePerDay": _money(self.rate_per_day),
            "resolution": self.resolution,
            "partial": self.partial,
            "notes": list(self.notes),
        }


def forecast(history: HourlyUsage, inputs: ForecastInput, now: datetime, *,
             horizon_days: int = HORIZON_DAYS, model: RateModel | None = None) -> Forecast:
    """Project spend from `now` and run the billing rules over it (pure; see the module docstring)."""
    now = now.astimezone(timezone.utc)
    month_end = _next_month(now)
    fitted = model or rate_model(history)
    notes = list(history.notes)
    seen = inputs.seen_top_ups
    common = dict(now=now, month_end=month_end, auto_top_up_known=inputs.auto_known, model=fitted.name,
                  rate_per_day=fitted.per_day, horizon_days=horizon_days, resolution=history.resolution,
                  partial=history.partial, auto_top_ups_seen=seen)
    if inputs.credits is None:
        return Forecast(rejected_at=None, cause=None, cause_at=None, month_spend=None, top_ups=(), known=False,
                        notes=("the API did not report the credit balance",), **common)  # type: ignore[arg-type]
    if not inputs.auto_known and seen:
        notes.append(f"The ledger shows {seen} auto top-up{'s' if seen != 1 else ''} in the last 30 days, but their "
                     "settings are console-only on this API: the forecast assumes none, so requests may be "
                     "rejected later than it says")
    elif not inputs.auto_known:
        notes.append("Auto top-up settings are console-only on this API: the forecast assumes none")
    if inputs.invoiced_limit is None:
        notes.append("The API did not report the invoiced billing limit: taken as $0")
    rule = inputs.auto if inputs.auto_working else None
    if inputs.auto is not None and not inputs.auto_working:
        notes.append("The last auto top-up could not be charged: none assumed until the payment method is fixed")
    horizon = now + timedelta(days=horizon_days)
    steps = projected_timeline(fitted, now, max(horizon, month_end))
    account = Account(credits=inputs.credits, beyond=inputs.beyond_prepaid, limit=inputs.invoiced_limit or 0,
                      used_this_month=inputs.used_this_month, recent_top_ups=list(inputs.recent_top_ups),
                      pending=list(inputs.pending), last_top_up=inputs.last_top_up)
    result = replay(steps, account, rule)
    first = next((r for r in result.rejections if r.at < horizon), None)
    # The steps up to the first month start (month_end: until is never before it) are this month's.
    month_steps = steps.new_month.index(True) + 1 if True in steps.new_month else len(steps)
    served_this_month = sum(result.served[:month_steps])
    month_spend = None if inputs.month_spend is None else inputs.month_spend + served_this_month
    return Forecast(
        rejected_at=first.at if first else None,
        cause=first.cause if first else None,
        cause_at=first.cause_at if first else None,
        month_spend=month_spend,
        top_ups=tuple(t for t in result.top_ups if t.at < month_end),
        notes=tuple(notes),
        **common,  # type: ignore[arg-type]
    )


async def load_forecast(client: Any, team_id: str, snapshot: Any, now: datetime | None = None) -> Forecast:
    """Read 28 days of hourly usage (one request where the server accepts it) and forecast from
    `snapshot` (a core.spend.SpendSnapshot read just before). `now` defaults to the server's clock."""
    moment = now or getattr(client, "server_date", None) or datetime.now(timezone.utc)
    history = await read_hourly(client, team_id, HISTORY_DAYS, now=moment)
    return forecast(history, ForecastInput.from_snapshot(snapshot, moment), moment)


# --------------------------------------------------------------------------- text helpers


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _money(cents: int | None) -> dict[str, Any]:
    return {"cents": cents, "formatted": format_cents(cents)}


def ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def when_text(moment: datetime, now: datetime | None = None) -> str:
    """"Thu 19 Nov ~14:00" (UTC, to the nearest hour; the year when it is not `now`'s)."""
    rounded = floor_hour(moment + timedelta(minutes=30))
    text = f"{rounded:%a} {rounded.day} {rounded:%b} ~{rounded:%H}:00"
    if now is not None and rounded.year != now.year:
        text += f" {rounded.year}"
    return text


# --------------------------------------------------------------------------- one runway everywhere


@dataclass(frozen=True)
class Runway:
    """Days until the team's requests are rejected: the one figure the summary line, `balance`,
    `check` (state and perfdata), `watch` and the metrics all give."""

    days: float | None  # None: no recent spend, nothing runs out
    known: bool = True  # False: the figures it needs were not reported or usage failed
    at_least: bool = False  # `days` is a floor: nothing rejected within the horizon, or auto top-ups seen, not counted

    @property
    def text(self) -> str:
        if not self.known:
            return "unknown"
        if self.at_least and self.days is not None and self.days < 365:
            return f"{math.floor(self.days)}+ days" if self.days >= 1 else "< 1 day, or later"
        return billing.format_runway(self.days)


def runway(summary: billing.SpendSummary, fc: Forecast | None, threshold_days: float | None = None) -> Runway:
    """The forecast's runway when it is known (auto top-up, its monthly maximum and 5 per 24 h,
    the limit and its monthly reset included), else the last 7 days' rate. A forecast that sees
    no rejection within its horizon gives its horizon as a floor ("30+ days"), as the Spend card
    does ("Not rejected within 30 days"; the Overview's narrow column shows "—").

    Unknown when a figure it needs was not reported (the forecast would have to assume it).
    `threshold_days`: the figure a threshold is judged on (`check`, `balance --runway-below`); one
    beyond the forecast's horizon, with no rejection within it, is judged by the 7-day rate, as
    the forecast cannot say "in 50 days" — the figure given is then that rate's, so a state and
    the number beside it always agree."""
    naive = Runway(summary.runway_days if summary.runway_known else None, summary.runway_known)
    if not summary.runway_known or fc is None or not fc.known:
        return naive
    rejection = fc.until_rejected()
    if rejection is not None:
        return rejection
    if threshold_days is not None and threshold_days > fc.horizon_days:
        return naive
    if summary.runway_days is None:
        return Runway(None)  # no recent spend: nothing runs out
    return Runway(float(fc.horizon_days), at_least=True)
