"""Unusual spend: days that stand out from a team's own last 28 days (issue 20, section 3).

Three rules, each judged on spend per UTC day per model (cents), against the 28 days before:
- spike: a day's total above SPIKE_RATIO × the trailing 28-day median of daily totals, and at
  least SPIKE_MIN_CENTS above it (a team spending cents a day stays quiet);
- new model: at least NEW_MODEL_MIN_CENTS on a model with no spend in the previous 28 days;
- silent: a whole day (never today, still going) with at most SILENT_SHARE of the median, after
  a trailing median of at least SILENT_MIN_MEDIAN_CENTS (a busy team that stopped).
At most one flag per kind per team in any RATE_LIMIT_DAYS days (the first one is kept).

The rules are pure; `load_anomalies` is the one usage read (per model per day, the days asked
for plus the 28 before) for the CLI and `check`; `load_spend` makes the same read alongside its own.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from statistics import median
from typing import TYPE_CHECKING, Any

from xconsole.core.money import dollars_to_cents, format_cents

if TYPE_CHECKING:
    from xconsole.core import models
    from xconsole.core.client import ManagementClient

#: Days of history each day is judged against.
BASELINE_DAYS = 28
SPIKE_RATIO = 3
SPIKE_MIN_CENTS = 2_000  # $20 above the median
NEW_MODEL_MIN_CENTS = 500  # $5 on the new model that day
SILENT_MIN_MEDIAN_CENTS = 1_000  # busy: a median of $10 a day or more
SILENT_SHARE = 0.05  # silent: at most 5 % of the median that day
RATE_LIMIT_DAYS = 7


class Kind(str, enum.Enum):
    SPIKE = "spike"
    NEW_MODEL = "new_model"
    SILENT = "silent"


@dataclass(frozen=True)
class Anomaly:
    day: date
    kind: Kind
    model: str | None  # the new model; None for a whole-team rule
    cents: int  # the day's spend (on `model` when there is one)
    baseline_cents: int  # the trailing 28-day median of daily totals (0 for a new model)
    reason: str  # one line: "Fri 14 Nov: $182.40, 4.1× the 28-day median ($44.30)"

    def to_json(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "kind": self.kind.value, "model": self.model,
                "spend": _money(self.cents), "baseline": _money(self.baseline_cents), "reason": self.reason}


@dataclass(frozen=True)
class AnomalyReport:
    first: date
    last: date  # today, partial
    anomalies: list[Anomaly]
    incomplete: bool = False  # the API capped the number of series: results may be incomplete

    def to_json(self) -> list[dict[str, Any]]:
        return [a.to_json() for a in self.anomalies]


def _money(cents: int) -> dict[str, Any]:
    return {"cents": cents, "formatted": format_cents(cents)}


def _day_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def detect(spend: Mapping[date, Mapping[str, int]], first: date, last: date, *, today: date | None = None) -> list[Anomaly]:
    """The anomalies of the days `first`..`last` (oldest first), from cents per day per model;
    `spend` should cover the 28 days before `first` (a missing day counts as no spend). `today`
    (default `last`) is still going: never judged silent."""
    today = last if today is None else today

    def total(day: date) -> int:
        return sum(spend.get(day, {}).values())

    found: list[Anomaly] = []
    last_flag: dict[Kind, date] = {}

    def flag(anomaly: Anomaly) -> None:
        before = last_flag.get(anomaly.kind)
        if before is not None and (anomaly.day - before).days < RATE_LIMIT_DAYS:
            return
        last_flag[anomaly.kind] = anomaly.day
        found.append(anomaly)

    day = first
    while day <= last:
        window = [day - timedelta(days=i) for i in range(BASELINE_DAYS, 0, -1)]
        base = int(median(total(d) for d in window))
        cents = total(day)
        text = _day_text(day)
        if cents > SPIKE_RATIO * base and cents - base >= SPIKE_MIN_CENTS:
            ratio = f"{cents / base:.1f}× the 28-day median ({format_cents(base)})" if base else \
                f"against a 28-day median of {format_cents(base)}"
            flag(Anomaly(day, Kind.SPIKE, None, cents, base, f"{text}: {format_cents(cents)}, {ratio}"))
        used_before = {m for d in window for m, c in spend.get(d, {}).items() if c > 0}
        for model, model_cents in sorted(spend.get(day, {}).items(), key=lambda item: (-item[1], item[0])):
            if model_cents >= NEW_MODEL_MIN_CENTS and model not in used_before:
                flag(Anomaly(day, Kind.NEW_MODEL, model, model_cents, 0,
                             f"{text}: {format_cents(model_cents)} on {model}, not used in the previous 28 days"))
        if day < today and base >= SILENT_MIN_MEDIAN_CENTS and cents <= base * SILENT_SHARE:
            flag(Anomaly(day, Kind.SILENT, None, cents, base,
                         f"{text}: {format_cents(cents)} spent, after a 28-day median of {format_cents(base)} a day"))
        day += timedelta(days=1)
    return found


def spend_by_day(usage: models.UsageResponse, first: date) -> dict[date, dict[str, int]]:
    """Cents per UTC day per series label from a daily usage answer whose first bucket is `first`
    (a point without a timestamp is placed by its position)."""
    out: dict[date, dict[str, int]] = {}
    for series in usage.time_series:
        for i, point in enumerate(series.data_points):
            cents = sum(dollars_to_cents(v) for v in point.values)
            if not cents:
                continue
            at = point.timestamp
            day = at.astimezone(timezone.utc).date() if at is not None and at.tzinfo else \
                at.date() if at is not None else first + timedelta(days=i)
            per_model = out.setdefault(day, {})
            per_model[series.label] = per_model.get(series.label, 0) + cents
    return out


def request(today: date, days: int) -> models.AnalyticsRequest:
    """Spend per day per model for the `days` days up to `today` and the 28 days before them."""
    from xconsole.core import models
    from xconsole.core.spend import range_request

    return range_request(today - timedelta(days=days - 1 + BASELINE_DAYS), today, models.TimeUnit.TIME_UNIT_DAY,
                         ["description"])


def report(usage: models.UsageResponse, today: date, days: int) -> AnomalyReport:
    """The anomalies of the `days` days up to `today` from the answer to `request(today, days)`."""
    first = today - timedelta(days=days - 1)
    spend = spend_by_day(usage, first - timedelta(days=BASELINE_DAYS))
    return AnomalyReport(first, today, detect(spend, first, today), incomplete=usage.limit_reached)


async def load_anomalies(client: ManagementClient, team_id: str, days: int, *, now: datetime | None = None) -> AnomalyReport:
    """One team's anomalies of the last `days` days (today, partial, included): one usage read."""
    today = (now.astimezone(timezone.utc) if now is not None else
             (client.server_date or datetime.now(timezone.utc)).astimezone(timezone.utc)).date()
    usage = await client.usage(team_id, request(today, days))
    return report(usage, today, days)
