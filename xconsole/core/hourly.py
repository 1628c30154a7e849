"""A team's spend per UTC hour, read through the usage analytics endpoint (`POST …/usage`).

Why hourly: the forecast and the auto top-up what-if replay the console's rules hour by hour
(auto top-up fires on the hour, 5 per rolling 24 h), which daily totals cannot show.

How it reads, keeping the request count per team low:

- One `TIME_UNIT_HOUR` request covers up to `DEFAULT_CHUNK_HOURS` (28 days = 672 buckets), so the
  forecast's 28 days are ONE request and the what-if's 90 days are four. The reference documents
  no bucket cap; when a server refuses a range as too large (400 on the time range) the chunk is
  halved and the refusal remembered for that client, so later reads go straight to the size it
  accepts.
- A server that refuses `TIME_UNIT_HOUR` itself (400 naming `timeUnit`; the sandbox keeps usage per
  hour, so only other servers may) is read per UTC day instead and each day spread evenly over its hours (today's over the
  hours elapsed so far). `HourlyUsage.resolution` then says "day", so callers can say the
  hour-of-day shape is not known. Remembered per client too: one failed request, not one per read.
- `limitReached` on any chunk marks the result `partial`: the totals may be low.

Only whole hours are returned: the series ends at the start of the current UTC hour (exclusive).
`daily_totals` folds the hours into UTC days, so one 28-day hourly read can also feed a chart.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from xconsole.core import errors, models
from xconsole.core.money import dollars_to_cents

HOUR = timedelta(hours=1)
#: 28 days of hours in one request (what the forecast needs).
DEFAULT_CHUNK_HOURS = 28 * 24
#: Never split a read finer than a day.
MIN_CHUNK_HOURS = 24
RESOLUTION_HOUR = "hour"
RESOLUTION_DAY = "day"


@dataclass
class _Learned:
    """What one client's server accepted: per client, never shared (two servers may differ)."""

    hourly: bool = True
    chunk_hours: int = DEFAULT_CHUNK_HOURS


_LEARNED: weakref.WeakKeyDictionary[object, _Learned] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class HourlyUsage:
    """Cents spent per UTC hour from `start`, oldest first; one entry per hour, zeros included."""

    start: datetime  # UTC, on the hour
    cents: tuple[int, ...]
    partial: bool = False  # the API said limitReached: totals may be incomplete
    resolution: str = RESOLUTION_HOUR  # "day": the server gave days, spread evenly over their hours
    requests: int = 0  # usage requests this read cost (for the request budget)
    notes: tuple[str, ...] = field(default=())

    @property
    def end(self) -> datetime:
        """Exclusive end: the start of the hour after the last entry."""
        return self.start + len(self.cents) * HOUR

    @property
    def total(self) -> int:
        return sum(self.cents)

    def __len__(self) -> int:
        return len(self.cents)

    def hours(self) -> Iterator[tuple[datetime, int]]:
        for i, cents in enumerate(self.cents):
            yield self.start + i * HOUR, cents

    def last(self, hours: int) -> HourlyUsage:
        """The last `hours` hours (all of them when there are fewer)."""
        if hours >= len(self.cents):
            return self
        skip = len(self.cents) - hours
        return HourlyUsage(self.start + skip * HOUR, self.cents[skip:], self.partial, self.resolution,
                           self.requests, self.notes)


def floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


def daily_totals(hourly: HourlyUsage) -> list[tuple[date, int]]:
    """Cents per UTC day, oldest first (a day cut by the series' ends holds only its covered hours)."""
    if not hourly.cents:
        return []
    # By arithmetic from the first hour, not a datetime per hour: 200 teams x 672 hours.
    start = hourly.start.astimezone(timezone.utc)
    totals = [0] * ((start.hour + len(hourly.cents) - 1) // 24 + 1)
    for i, cents in enumerate(hourly.cents, start.hour):
        totals[i // 24] += cents
    return [(start.date() + timedelta(days=n), cents) for n, cents in enumerate(totals)]


def _request(start: datetime, end: datetime, unit: models.TimeUnit) -> models.AnalyticsRequest:
    return models.AnalyticsRequest(
        time_range=models.TimeRange(start_time=f"{start:%Y-%m-%d %H:%M:%S}", end_time=f"{end:%Y-%m-%d %H:%M:%S}",
                                    timezone="Etc/GMT"),
        time_unit=unit,
    )


def _bucket_cents(usage: models.UsageResponse, start: datetime, step: timedelta, count: int) -> list[int]:
    """Sum of every series per bucket, placed by the point's timestamp (by position when absent)."""
    out = [0] * count
    origin, width = start.timestamp(), step.total_seconds()
    for series in usage.time_series:
        for i, point in enumerate(series.data_points):
            slot = i
            if point.timestamp is not None:
                slot = int((point.timestamp.timestamp() - origin) // width)
            if 0 <= slot < count:
                # Most hours of most teams cost nothing: no Decimal for a zero.
                out[slot] += sum(dollars_to_cents(v) for v in point.values if v)
    return out


def _refused(exc: errors.ApiError, what: str) -> bool:
    """A 400 that names `what` (a field like "timeUnit", or "timeRange") as the refused input."""
    if not isinstance(exc, errors.Validation) or isinstance(exc, errors.Conflict):
        return False
    where = (exc.field or "").lower()
    text = str(exc).lower()
    if what == "timeUnit":
        return "timeunit" in where or "time_unit" in where or "time unit" in text or "timeunit" in text
    return "timerange" in where or "time_range" in where or any(
        word in text for word in ("bucket", "too many", "range too", "too large", "too long"))


async def read_hourly(client: object, team_id: str, days: int, *, now: datetime | None = None) -> HourlyUsage:
    """The team's spend per UTC hour over the `days` whole days before the current hour.

    `client` is a ManagementClient (anything with its `usage` coroutine, `server_date` and
    `today()`). `now` defaults to the server's clock (the Date header of its last answer).
    Raises the client's ApiError when usage cannot be read at all.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    moment = now or getattr(client, "server_date", None) or datetime.now(timezone.utc)
    end = floor_hour(moment)
    start = end - timedelta(days=days)
    learned = _LEARNED.setdefault(client, _Learned())
    if learned.hourly:
        try:
            return await _read_hours(client, team_id, start, end, learned)
        except errors.ApiError as exc:
            if not _refused(exc, "timeUnit"):
                raise
            learned.hourly = False
    return await _read_days_as_hours(client, team_id, start, end, moment)


async def _read_hours(client: object, team_id: str, start: datetime, end: datetime, learned: _Learned) -> HourlyUsage:
    total = int((end - start) // HOUR)
    cents: list[int] = []
    partial = False
    requests = 0
    cursor = start
    while cursor < end:
        chunk_end = min(end, cursor + learned.chunk_hours * HOUR)
        count = int((chunk_end - cursor) // HOUR)
        try:
            requests += 1
            usage = await client.usage(team_id, _request(cursor, chunk_end, models.TimeUnit.TIME_UNIT_HOUR))  # type: ignore[attr-defined]
        except errors.ApiError as exc:
            if count > MIN_CHUNK_HOURS and _refused(exc, "timeRange"):
                learned.chunk_hours = max(MIN_CHUNK_HOURS, count // 2)
                continue  # the same range again, in smaller pieces
            raise
        partial = partial or usage.limit_reached
        cents += _bucket_cents(usage, cursor, HOUR, count)
        cursor = chunk_end
    assert len(cents) == total
    notes = ("The API capped the number of series: totals may be incomplete",) if partial else ()
    return HourlyUsage(start, tuple(cents), partial, RESOLUTION_HOUR, requests, notes)


async def _read_days_as_hours(client: object, team_id: str, start: datetime, end: datetime, now: datetime) -> HourlyUsage:
    """Daily totals spread evenly over their hours; today's over the time elapsed up to `now`."""
    first_day = start.replace(hour=0)
    last_day = floor_hour(now).replace(hour=0)
    usage = await client.usage(  # type: ignore[attr-defined]
        team_id, _request(first_day, last_day + timedelta(days=1), models.TimeUnit.TIME_UNIT_DAY))
    day_count = (last_day - first_day).days + 1
    per_day = _bucket_cents(usage, first_day, timedelta(days=1), day_count)
    hours: list[int] = []
    for index, day_cents in enumerate(per_day):
        day_start = first_day + timedelta(days=index)
        span_h = min(24.0, max(0.0, (now - day_start).total_seconds() / 3600))
        hours += _spread(day_cents, span_h)
    offset = int((start - first_day) // HOUR)
    count = int((end - start) // HOUR)
    window = tuple(hours[offset : offset + count])
    window += (0,) * (count - len(window))
    notes = ["The API gives usage per day here: each day's spend is spread evenly over its hours"]
    if usage.limit_reached:
        notes.append("The API capped the number of series: totals may be incomplete")
    return HourlyUsage(start, window, usage.limit_reached, RESOLUTION_DAY, 1, tuple(notes))


def _spread(cents: int, span_hours: float) -> list[int]:
    """24 hourly amounts adding up to `cents`, spread evenly over the first `span_hours` hours (the
    hour cut by `span_hours` gets its share of the fraction). Whole cents, remainder to the earliest."""
    if cents <= 0 or span_hours <= 0:
        return [0] * 24
    weights = [max(0.0, min(1.0, span_hours - h)) for h in range(24)]
    total_w = sum(weights)
    shares = [int(cents * w / total_w) for w in weights]
    left = cents - sum(shares)
    for h in range(24):
        if left <= 0:
            break
        if weights[h] > 0:
            shares[h] += 1
            left -= 1
    return shares
