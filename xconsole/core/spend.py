"""Loading what the Spend screen and `xconsole balance` show for one team, in parallel; and the
lean summary that monitoring reads of every team."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar

from xconsole.core import anomalies as anomaly_rules
from xconsole.core import billing, errors, models
from xconsole.core.client import ManagementClient
from xconsole.core.forecast import HISTORY_DAYS, Forecast, ForecastInput, forecast
from xconsole.core.hourly import HourlyUsage, daily_totals, floor_hour, read_hourly
from xconsole.core.invoices import months_back
from xconsole.core.money import dollars_to_cents
from xconsole.core.off_loop import off_loop

#: Days of daily spend shown on the Spend screen (today, partial, is the last one).
CHART_DAYS = 30

T = TypeVar("T")


@dataclass(frozen=True)
class SpendSnapshot:
    summary: billing.SpendSummary
    preview: models.InvoicePreview
    limits: models.SpendingLimits
    ledger: models.PrepaidBalance
    daily: list[tuple[date, int]]  # cents spent per UTC day, oldest first; the last is today so far
    by_model: list[tuple[str, int]]  # this cycle's spend per model description, largest first
    auto_top_up: models.AutoTopUp | None  # None: console-only on this API
    invoiced: models.InvoicedBilling | None  # None: console-only on this API
    payment_methods: models.PaymentMethodList
    today: date  # the server's date these figures were read on
    usage_error: str | None = None  # the usage reads failed: no chart, no runway; the rest stands
    known_default_id: str | None = None  # the method xconsole made the default (the API never says)
    forecast: Forecast | None = None  # when requests will be rejected; None: the hourly usage failed
    forecast_error: str | None = None
    #: Unusual spend on the chart's days (core.anomalies); None: its usage read failed (the
    #: numbers still stand) or was not made.
    anomalies: anomaly_rules.AnomalyReport | None = None
    anomalies_error: str | None = None
    #: Invoices of this month and the last whose charge failed (billing.unpaid); None: not read.
    unpaid: tuple[models.InvoiceSummary, ...] | None = None

    @property
    def default_method(self) -> models.PaymentMethod | None:
        """The default payment method when known (sandbox marker, or set by us), else None."""
        return models.default_method(self.payment_methods.payment_methods, self.known_default_id)


@dataclass(frozen=True)
class TeamSummary:
    """What monitoring (`check`, `watch`, metrics, `balance --all`) needs of a team, in as few reads
    as possible: 200 teams at 16 requests in flight cost 1.25 s per read per team at 100 ms each.
    No ledger (pending purchases are None: not read), no per-model usage, no invoiced-billing state."""

    summary: billing.SpendSummary
    auto_top_up: models.AutoTopUp | None  # None: console-only on this API
    daily: list[tuple[date, int]]  # cents per UTC day, oldest first; the last is today so far
    today: date
    usage_error: str | None = None
    default_method: models.PaymentMethod | None = None  # only where known (check: read_default_method)
    forecast: Forecast | None = None  # None: usage could not be read


def range_request(start: date, today: date, unit: models.TimeUnit, group_by: list[str] | None = None) -> models.AnalyticsRequest:
    """Usage from the start of `start` to the end of `today` (UTC days; the end is exclusive)."""
    end = today + timedelta(days=1)
    return models.AnalyticsRequest(
        time_range=models.TimeRange(start_time=f"{start:%Y-%m-%d} 00:00:00", end_time=f"{end:%Y-%m-%d} 00:00:00"),
        time_unit=unit,
        group_by=group_by or [],
    )


def daily_request(today: date, days: int) -> models.AnalyticsRequest:
    """Usage per UTC day for the `days` days up to and including `today`."""
    return range_request(today - timedelta(days=days - 1), today, models.TimeUnit.TIME_UNIT_DAY)


def by_model_request(today: date) -> models.AnalyticsRequest:
    """This month's usage per model (one bucket, grouped by description)."""
    return range_request(today.replace(day=1), today, models.TimeUnit.TIME_UNIT_NONE, ["description"])


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


def per_group_cents(usage: models.UsageResponse) -> list[tuple[str, int]]:
    """(label, cents) per series, largest first; empty series left out."""
    rows = [(s.label, sum(dollars_to_cents(v) for p in s.data_points for v in p.values)) for s in usage.time_series]
    return sorted((row for row in rows if row[1] > 0), key=lambda row: (-row[1], row[0]))


async def _console_only(call: Awaitable[T]) -> T | None:
    try:
        return await call
    except errors.NotSupportedByApi:
        return None


async def _usage(call: Awaitable[T]) -> T | errors.ApiError:
    """Usage (or the recent invoices) failing, after the client's retries, costs the chart (or
    the unpaid-invoice warning), not the balance: the error is kept to be shown in its place."""
    try:
        return await call
    except errors.ApiError as exc:
        return exc


UsageReads = Callable[[datetime], list[Awaitable[Any]]]


def server_now(client: ManagementClient) -> datetime:
    """The server's clock when an answer has told it (a moved sandbox clock), else this machine's."""
    return (client.server_date or datetime.now(timezone.utc)).astimezone(timezone.utc)


async def _in_one_round_trip(client: ManagementClient, reads: list[Awaitable[Any]],
                             usage_reads: UsageReads) -> tuple[datetime, list[Any], list[Any]]:
    """`reads` and the usage reads for a moment, all in parallel. Until an answer has told the
    server's clock the usage reads assume this machine's; if the server's hour turns out to
    differ (a moved sandbox clock, a read across the hour) they are read again for the server's
    time, so the chart, runway and forecast never cover the wrong hours or days."""
    guess = server_now(client)
    results = await asyncio.gather(*reads, *usage_reads(guess))
    others, usage = list(results[:len(reads)]), list(results[len(reads):])
    # The moment these figures were read: the Date of the answers just received, never an older
    # answer's (a long-running console or exporter last heard the server an hour ago).
    moment = server_now(client)
    if floor_hour(moment) != floor_hour(guess):
        usage = list(await asyncio.gather(*usage_reads(moment)))
    return moment, others, usage


def _days(day: date, days: int, usage: models.UsageResponse) -> list[tuple[date, int]]:
    """(day, cents) for the `days` days up to `day`, from a daily usage answer."""
    first = day - timedelta(days=days - 1)
    return [(first + timedelta(days=i), c) for i, c in enumerate(series_cents(usage)[:days])]


def _whole_days(history: HourlyUsage, today: date) -> list[tuple[date, int]]:
    """(day, cents) from hourly usage, oldest first, without the first day when the series starts
    mid-day; the last is always `today` so far (nothing yet in its first hour, when the series of
    whole hours ends at midnight)."""
    days = daily_totals(history)
    days = days[1:] if history.start.hour and days else days
    return days if days and days[-1][0] == today else [*days, (today, 0)]


def _failure(*usage: Any) -> str | None:
    failed = next((r for r in usage if isinstance(r, errors.ApiError)), None)
    return f"{failed.title}: {failed.message}" if failed else None


def _forecast(history: HourlyUsage | errors.ApiError, snapshot: Any, moment: datetime) -> Forecast | None:
    """The forecast from what was just read; None when the usage could not be read. Run off the
    loop (~10 ms of replay a team): it keeps other teams' requests and the frames going."""
    if isinstance(history, errors.ApiError):
        return None
    return forecast(history, ForecastInput.from_snapshot(snapshot, moment), moment)


async def load_summary(client: ManagementClient, team_id: str) -> TeamSummary:
    """One team's numbers and forecast in one round trip of 3 reads on the real API (invoice
    preview, limits, 28 days of hourly usage) and 4 on the sandbox (its auto top-up too,
    console-only elsewhere and never sent)."""
    moment, (preview, limits, auto_top_up), (history,) = await _in_one_round_trip(
        client,
        [client.get_invoice_preview(team_id), client.get_spending_limits(team_id),
         _console_only(client.get_auto_top_up(team_id))],
        lambda at: [_usage(read_hourly(client, team_id, HISTORY_DAYS, now=at))],
    )
    failed = _failure(history)
    daily = [] if failed else _whole_days(history, moment.date())
    summary = TeamSummary(
        summary=billing.summarize(preview, limits, None, [c for _d, c in daily[:-1]], usage_known=failed is None),
        auto_top_up=auto_top_up, daily=daily, today=moment.date(), usage_error=failed,
    )
    return replace(summary, forecast=await off_loop(_forecast, history, summary, moment))


async def read_default_method(client: ManagementClient, team_id: str) -> models.PaymentMethod | None:
    """The team's default payment method where it can be known: the sandbox marks it, and this
    client knows the one it set. Elsewhere nothing is read: the real API's list never says which
    method is the default (reference 2.4), so its read could only ever answer None."""
    known = client.known_defaults.get(team_id)
    if not (client.extensions or known):
        return None
    methods = await client.list_payment_methods(team_id)
    return models.default_method(methods.payment_methods, known)


Numbers = Callable[[billing.SpendSummary], None]


async def _numbers_first(client: ManagementClient, team_id: str, on_numbers: Numbers | None) -> tuple[Any, Any]:
    """The invoice preview and the limits; with `on_numbers`, their numbers (balance, month
    spend, limit; no ledger, no usage) are handed over as soon as both are in."""
    preview, limits = await asyncio.gather(client.get_invoice_preview(team_id), client.get_spending_limits(team_id))
    if on_numbers is not None:
        on_numbers(billing.summarize(preview, limits, None, usage_known=False))
    return preview, limits


async def read_numbers(client: ManagementClient, team_id: str) -> billing.SpendSummary:
    """Balance, month spend and limit alone: two reads in one round trip."""
    numbers: list[billing.SpendSummary] = []
    await _numbers_first(client, team_id, numbers.append)
    return numbers[0]


async def load_spend(client: ManagementClient, team_id: str, on_numbers: Numbers | None = None) -> SpendSnapshot:
    """Everything for one team, in one round trip: all reads run in parallel. `on_numbers` gets
    the balance, month spend and limit first, from the same reads (no extra request)."""
    moment, ((preview, limits), ledger, auto_top_up, invoiced, methods), (daily_usage, model_usage, history, unusual, recent) = \
        await _in_one_round_trip(
            client,
            [_numbers_first(client, team_id, on_numbers), client.get_prepaid_balance(team_id),
             _console_only(client.get_auto_top_up(team_id)), _console_only(client.get_invoiced_billing(team_id)),
             client.list_payment_methods(team_id)],
            lambda at: [_usage(client.usage(team_id, daily_request(at.date(), CHART_DAYS))),
                        _usage(client.usage(team_id, by_model_request(at.date()))),
                        _usage(read_hourly(client, team_id, HISTORY_DAYS, now=at)),
                        _usage(client.usage(team_id, anomaly_rules.request(at.date(), CHART_DAYS))),
                        # A charge that failed: last month's invoice is charged early in this one.
                        _usage(client.list_invoice_summaries(team_id, since=months_back(at.date(), 1)))],
        )
    failed = _failure(daily_usage, model_usage)
    day = moment.date()
    daily = [] if failed else _days(day, CHART_DAYS, daily_usage)
    snapshot = SpendSnapshot(
        summary=billing.summarize(preview, limits, ledger, [c for _d, c in daily[:-1]], usage_known=failed is None),
        preview=preview,
        limits=limits,
        ledger=ledger,
        daily=daily,
        by_model=[] if failed else per_group_cents(model_usage),
        auto_top_up=auto_top_up,
        invoiced=invoiced,
        payment_methods=methods,
        today=day,
        usage_error=failed,
        known_default_id=client.known_defaults.get(team_id),
    )
    return replace(snapshot, forecast=await off_loop(_forecast, history, snapshot, moment),
                   forecast_error=_failure(history),
                   anomalies=None if isinstance(unusual, errors.ApiError) else anomaly_rules.report(unusual, day, CHART_DAYS),
                   anomalies_error=_failure(unusual),
                   unpaid=None if isinstance(recent, errors.ApiError) else tuple(billing.unpaid(recent)))
