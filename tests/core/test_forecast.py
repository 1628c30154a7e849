"""The forecast (core.forecast) and the hourly usage read (core.hourly), without a server."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xconsole.core import errors, models
from xconsole.core.forecast import Forecast, ForecastInput, forecast, rate_model, when_text
from xconsole.core.hourly import HourlyUsage, daily_totals, read_hourly
from xconsole.core.topup_replay import AutoRule, Cause

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=timezone.utc)  # a Wednesday
H = timedelta(hours=1)


def flat(cents_per_hour: int, days: int = 28, end: datetime = NOW) -> HourlyUsage:
    return HourlyUsage(end - timedelta(days=days), (cents_per_hour,) * (days * 24))


# --------------------------------------------------------------------------- causes


def test_credits_out_with_a_zero_limit_at_credits_over_rate():
    result = forecast(flat(100), ForecastInput(credits=1_050, month_spend=5_000), NOW)
    assert result.cause is Cause.CREDITS_OUT
    assert result.rejected_at == NOW + timedelta(hours=10.5)
    assert result.summary() == "Requests rejected from Thu 19 Nov ~02:00 — credits run out and the invoiced billing limit is $0"
    assert result.month_spend == 5_000 + 1_050  # nothing more can be spent this month


def test_the_invoiced_limit_adds_headroom_beyond_prepaid():
    result = forecast(flat(100), ForecastInput(credits=500, beyond_prepaid=0, invoiced_limit=1_000, month_spend=0), NOW)
    assert result.cause is Cause.INVOICED_LIMIT
    assert result.rejected_at == NOW + timedelta(hours=15)


def test_monthly_maximum_names_the_day_it_was_reached():
    rule = AutoRule(threshold=1_000, amount=2_500, monthly_max=10_000)
    inputs = ForecastInput(credits=1_500, month_spend=0, auto=rule, used_this_month=5_000)
    result = forecast(flat(100), inputs, NOW)
    # Below the $10 trigger after 6 h, then 2 top-ups of $25 (a 3rd would pass $100), then it runs out.
    assert [t.at for t in result.top_ups] == [NOW + 6 * H, NOW + 31 * H]
    assert result.cause is Cause.MONTHLY_MAX
    assert result.cause_at == NOW + 31 * H  # the last top-up the maximum allowed: the 19th
    assert result.rejected_at == NOW + 65 * H
    assert "monthly auto top-up maximum reached on the 19th" in result.summary()
    assert result.summary().startswith("Requests rejected from Sat 21 Nov ~08:00")


def test_the_five_per_24h_allowance():
    rule = AutoRule(threshold=3_000, amount=2_500, monthly_max=1_000_000)
    inputs = ForecastInput(credits=5_000, month_spend=0, auto=rule)
    result = forecast(flat(2_000), inputs, NOW)  # $20 an hour: a $25 top-up every ~1.25 h
    assert result.cause is Cause.DAILY_LIMIT
    assert [t.at for t in result.top_ups if t.at < NOW + 24 * H] == [NOW + h * H for h in (2, 3, 4, 5, 7)]
    assert result.cause_at == NOW + 8 * H  # the 6th was refused
    assert result.rejected_at == NOW + 8.75 * H
    assert "all 5 auto top-ups of 24 hours used" in result.summary()


def test_monthly_maximum_resets_with_the_month():
    rule = AutoRule(threshold=1_000, amount=2_500, monthly_max=2_500)
    inputs = ForecastInput(credits=500_000, month_spend=0, auto=rule, used_this_month=2_500)
    now = datetime(2026, 11, 28, 0, 0, tzinfo=timezone.utc)
    result = forecast(flat(200, end=now), inputs, now)
    # Credits last ~104 days: nothing within 30, and no top-up needed this month.
    assert result.rejected_at is None and result.top_ups == ()
    assert result.summary() == "Not rejected within 30 days"
    assert result.month_end == datetime(2026, 12, 1, tzinfo=timezone.utc)
    assert result.month_spend == 72 * 200


def test_pending_purchases_are_credited_when_due():
    inputs = ForecastInput(credits=1_000, month_spend=0, pending=((NOW + 5 * H, 2_000),))
    result = forecast(flat(100), inputs, NOW)
    assert result.rejected_at == NOW + 30 * H


def test_unknown_auto_top_up_is_said_and_assumed_off():
    inputs = ForecastInput(credits=1_000, month_spend=0, auto=None, auto_known=False)
    result = forecast(flat(100), inputs, NOW)
    assert result.rejected_at == NOW + 10 * H
    assert "auto top-up unknown on this API: none assumed" in result.summary()
    assert result.to_json()["autoTopUpKnown"] is False
    assert any("console-only" in note for note in result.notes)


def test_auto_top_ups_seen_with_unknown_settings_make_the_rejection_only_the_earliest():
    from xconsole.core.billing import SpendSummary
    from xconsole.core.forecast import runway

    inputs = ForecastInput(credits=1_000, month_spend=0, auto=None, auto_known=False, seen_top_ups=4)
    result = forecast(flat(100), inputs, NOW)
    assert result.rejected_at == NOW + 10 * H and result.earliest_only
    assert result.summary() == ("Requests rejected no sooner than Thu 19 Nov ~01:00 — credits run out and the invoiced "
                                "billing limit is $0 (4 auto top-ups in 30 days not counted: their settings are "
                                "unknown on this API)")
    assert any("may be rejected later than it says" in note for note in result.notes)
    assert result.to_json()["earliestOnly"] is True and result.to_json()["autoTopUpsSeen"] == 4
    summary = SpendSummary(live_balance=1_000, month_spend=0, beyond_prepaid=0, pending_purchases=0, soft_limit=0,
                           hard_limit=0, runway_days=0.4)
    assert runway(summary, result).at_least and runway(summary, result).text == "< 1 day, or later"
    # Settings known (the sandbox): what they say is modeled, and the rejection is the forecast's own.
    known = forecast(flat(100), ForecastInput(credits=1_000, month_spend=0, seen_top_ups=4), NOW)
    assert not known.earliest_only and known.to_json()["autoTopUpsSeen"] == 4
    assert known.summary().startswith("Requests rejected from ")


def test_already_out_is_rejected_now():
    result = forecast(flat(100), ForecastInput(credits=0, month_spend=100), NOW)
    assert result.rejected_at == NOW and result.cause is Cause.CREDITS_OUT


def test_no_balance_no_forecast():
    result = forecast(flat(100), ForecastInput(credits=None), NOW)
    assert not result.known and result.rejected_at is None
    assert result.summary().startswith("No forecast")


def test_no_usage_is_never_rejected():
    result = forecast(HourlyUsage(NOW - timedelta(days=28), (0,) * 672), ForecastInput(credits=0, month_spend=0), NOW)
    assert result.rejected_at is None and result.rate_per_day == 0


# --------------------------------------------------------------------------- the JSON


def test_json_schema_money_and_times():
    rule = AutoRule(threshold=1_000, amount=2_500, monthly_max=5_000)
    doc = forecast(flat(100), ForecastInput(credits=1_500, month_spend=123, auto=rule), NOW).to_json()
    assert doc["schemaVersion"] == 1
    assert set(doc) >= {"rejectedAt", "cause", "causeAt", "summary", "projectedMonthSpend", "autoTopUps",
                        "autoTopUpKnown", "model", "monthEnd", "ratePerDay", "horizonDays", "generatedAt"}
    assert doc["generatedAt"] == "2026-11-18T15:00:00Z"
    assert doc["rejectedAt"].endswith("Z") and doc["cause"] == "monthly-max"
    assert doc["autoTopUps"][0] == {"at": "2026-11-18T21:00:00Z", "amount": {"cents": 2_500, "formatted": "$25.00"}}
    assert doc["ratePerDay"] == {"cents": 2_400, "formatted": "$24.00"}
    assert isinstance(doc["projectedMonthSpend"]["cents"], int)


def test_when_text_rounds_to_the_hour():
    assert when_text(datetime(2026, 11, 19, 13, 40, tzinfo=timezone.utc)) == "Thu 19 Nov ~14:00"
    assert when_text(datetime(2027, 1, 2, 0, 10, tzinfo=timezone.utc), NOW) == "Sat 2 Jan ~00:00 2027"


# --------------------------------------------------------------------------- the rate model


def test_hour_of_week_profile_keeps_quiet_weekends():
    start = NOW - timedelta(days=28)
    cents = tuple(0 if (start + i * H).weekday() >= 5 else 100 for i in range(28 * 24))
    model = rate_model(HourlyUsage(start, cents))
    assert model.level == pytest.approx(500 / 7)
    saturday = datetime(2026, 11, 21, 12, tzinfo=timezone.utc)
    assert model.cents_per_hour(saturday) == 0
    assert model.cents_per_hour(NOW) == pytest.approx(100)


def test_short_history_is_flat():
    model = rate_model(HourlyUsage(NOW - timedelta(days=5), (10,) * 120))
    assert set(model.shape) == {1.0} and model.level == 10


def test_projection_keeps_fractions_of_cents():
    result = forecast(flat(1, days=7), ForecastInput(credits=10_000, month_spend=0), NOW)
    # 1 cent an hour: 30 days would take 720 cents; nothing is lost to rounding each hour.
    assert result.month_spend == int((result.month_end - NOW) / H)


# --------------------------------------------------------------------------- from a snapshot


def test_input_from_a_snapshot_reads_counters_ledger_and_pending():
    from types import SimpleNamespace

    from xconsole.core.billing import SpendSummary

    summary = SpendSummary(live_balance=4_000, month_spend=9_000, beyond_prepaid=0, pending_purchases=5_000,
                           soft_limit=0, hard_limit=0, runway_days=None)
    ledger = models.PrepaidBalance(changes=[
        models.PrepaidBalanceChange(change_origin="AUTO_PURCHASE", topup_status="SUCCEEDED", amount=models.Cent.of(-2_500),
                                    create_time=NOW - 3 * H),
        models.PrepaidBalanceChange(change_origin="PURCHASE", topup_status="TO_CHARGE", amount=models.Cent.of(-5_000),
                                    create_time=NOW - 1 * H),
    ])
    auto = models.AutoTopUp(enabled=True, threshold=models.Cent.of(1_000), amount=models.Cent.of(2_500),
                            monthly_limit=models.Cent.of(10_000), used_this_month=models.Cent.of(7_500), top_ups_last24h=2)
    inputs = ForecastInput.from_snapshot(SimpleNamespace(summary=summary, ledger=ledger, auto_top_up=auto), NOW)
    assert inputs.credits == 4_000 and inputs.auto == AutoRule(1_000, 2_500, 10_000)
    assert inputs.used_this_month == 7_500
    assert sorted(inputs.recent_top_ups) == [NOW - 3 * H, NOW]  # the counter's second one: taken as just now
    assert inputs.pending == ((datetime(2026, 11, 23, 14, tzinfo=timezone.utc), 5_000),)  # 3 business days
    assert inputs.last_top_up == NOW - 3 * H and inputs.auto_known

    real = ForecastInput.from_snapshot(SimpleNamespace(summary=summary, ledger=None, auto_top_up=None), NOW)
    assert real.auto is None and not real.auto_known and real.pending == ()
    seen = ForecastInput.from_snapshot(SimpleNamespace(summary=summary, ledger=ledger, auto_top_up=None), NOW)
    assert not seen.auto_known and seen.seen_top_ups == 1  # the ledger's auto purchase, settings unknown


# --------------------------------------------------------------------------- reading hours


class FakeUsageServer:
    """Answers usage like a server that caps buckets per request and may refuse TIME_UNIT_HOUR."""

    def __init__(self, *, hourly: bool = True, max_buckets: int = 10_000, limit_reached: bool = False) -> None:
        self.hourly, self.max_buckets, self.limit_reached = hourly, max_buckets, limit_reached
        self.requests: list[models.AnalyticsRequest] = []
        self.server_date = NOW + timedelta(minutes=20)

    def spend(self, hour: datetime) -> float:
        return 0.5 if hour.hour < 12 else 0.25  # dollars per hour

    async def usage(self, team_id: str, request: models.AnalyticsRequest) -> models.UsageResponse:
        self.requests.append(request)
        start = datetime.strptime(request.time_range.start_time, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        end = datetime.strptime(request.time_range.end_time, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        if request.time_unit is models.TimeUnit.TIME_UNIT_HOUR:
            if not self.hourly:
                raise errors.Validation("The sandbox keeps daily usage", field="analyticsRequest.timeUnit", status=400)
            step = H
        else:
            step = timedelta(days=1)
        count = int((end - start) / step)
        if count > self.max_buckets:
            raise errors.Validation(f"Too many buckets ({count})", field="analyticsRequest.timeRange", status=400)
        points = []
        for i in range(count):
            at = start + i * step
            value = self.spend(at) if step == H else sum(self.spend(at + k * H) for k in range(24) if at + k * H < NOW)
            points.append(models.DataPoint(timestamp=at, values=[value]))
        return models.UsageResponse(time_series=[models.TimeSeries(data_points=points)], limit_reached=self.limit_reached)


async def test_28_days_of_hours_is_one_request():
    server = FakeUsageServer()
    hourly = await read_hourly(server, "t", 28)
    assert len(server.requests) == 1 == hourly.requests
    assert hourly.start == NOW - timedelta(days=28) and hourly.end == NOW and len(hourly) == 672
    assert hourly.resolution == "hour" and not hourly.partial
    assert hourly.cents[:2] == (25, 25) and hourly.cents[-1] == 25 and hourly.cents[-4] == 50
    days = daily_totals(hourly)
    assert days[1][1] == 12 * 50 + 12 * 25 and len(days) == 29  # the two cut days at the ends


async def test_a_capped_server_gets_smaller_chunks_remembered_for_the_client():
    server = FakeUsageServer(max_buckets=400)
    hourly = await read_hourly(server, "t", 90)
    assert len(hourly) == 90 * 24 and hourly.total == 90 * (12 * 50 + 12 * 25)
    # 672 hours refused once, then 7 chunks of at most 336; the refusal counts in the budget.
    assert len(server.requests) == hourly.requests == 8
    server.requests.clear()
    await read_hourly(server, "t", 28)
    assert len(server.requests) == 2  # straight to the size it accepts


async def test_a_server_without_hours_is_read_per_day_and_spread():
    server = FakeUsageServer(hourly=False)
    hourly = await read_hourly(server, "t", 28)
    assert hourly.resolution == "day" and len(hourly) == 672
    whole_days = daily_totals(hourly)[1:-1]
    assert len(whole_days) == 27 and {cents for _day, cents in whole_days} == {12 * 50 + 12 * 25}
    assert set(hourly.cents[9:9 + 24]) == {37, 38}  # a whole day, spread evenly
    assert any("per day" in note for note in hourly.notes)
    server.requests.clear()
    await read_hourly(server, "t", 28)
    assert [r.time_unit for r in server.requests] == [models.TimeUnit.TIME_UNIT_DAY]  # no second refusal


async def test_limit_reached_marks_the_totals_partial():
    hourly = await read_hourly(FakeUsageServer(limit_reached=True), "t", 2)
    assert hourly.partial and any("incomplete" in note for note in hourly.notes)
    result = forecast(hourly, ForecastInput(credits=100, month_spend=0), NOW)
    assert result.partial and result.to_json()["partial"] is True


async def test_other_errors_are_raised():
    class Down(FakeUsageServer):
        async def usage(self, team_id, request):
            raise errors.Unavailable("down")

    with pytest.raises(errors.Unavailable):
        await read_hourly(Down(), "t", 28)


def test_forecast_is_a_frozen_dataclass():
    assert Forecast.__dataclass_params__.frozen


def test_a_balance_below_zero_is_rejected_from_now_never_before_and_spends_nothing_negative():
    from datetime import datetime, timedelta, timezone

    from xconsole.core.forecast import ForecastInput, forecast
    from xconsole.core.hourly import HourlyUsage

    now = datetime(2026, 11, 10, 12, 30, tzinfo=timezone.utc)
    history = HourlyUsage(datetime(2026, 10, 13, 12, tzinfo=timezone.utc), (100,) * 28 * 24)
    result = forecast(history, ForecastInput(credits=-500, month_spend=20_000, invoiced_limit=0), now)
    assert result.rejected_at is not None and now <= result.rejected_at < now + timedelta(hours=1)
    assert result.month_spend == 20_000


# --------------------------------------------------------------------------- calendar by arithmetic


@given(st.integers(min_value=0, max_value=24 * 400), st.lists(st.integers(min_value=0, max_value=10_000), max_size=24 * 30))
def test_days_by_arithmetic_match_the_calendar(hours_after, cents):
    """daily_totals places each hour by arithmetic from the first; a datetime per hour (200 teams
    x 672 hours) said the same, slower."""
    hourly = HourlyUsage(datetime(2025, 12, 29, tzinfo=timezone.utc) + hours_after * H, tuple(cents))
    by_calendar: dict = {}
    for moment, value in hourly.hours():
        by_calendar[moment.date()] = by_calendar.get(moment.date(), 0) + value
    assert daily_totals(hourly) == sorted(by_calendar.items())


@given(st.integers(min_value=0, max_value=24 * 400),
       st.lists(st.integers(min_value=1, max_value=10_000), min_size=14 * 24, max_size=24 * 30))
def test_hours_of_the_week_by_arithmetic_match_the_calendar(hours_after, cents):
    hourly = HourlyUsage(datetime(2025, 12, 29, tzinfo=timezone.utc) + hours_after * H, tuple(cents))
    sums, counts = [0.0] * 168, [0] * 168
    for moment, value in hourly.last(28 * 24).hours():
        sums[moment.weekday() * 24 + moment.hour] += value
        counts[moment.weekday() * 24 + moment.hour] += 1
    means = [s / c if c else 0.0 for s, c in zip(sums, counts, strict=True)]
    assert rate_model(hourly).shape == pytest.approx(tuple(m / (sum(means) / 168) for m in means))


def _steps_by_datetime(model, now, until):
    """The projection as it was written on datetimes (the reference for the epoch version)."""
    import math

    from xconsole.core.forecast import _next_month
    from xconsole.core.topup_replay import Step

    steps, t, carried, given = [], now.astimezone(timezone.utc), 0.0, 0
    boundary = _next_month(t)
    while t < until:
        if t >= boundary:
            boundary = _next_month(t)
        end = min(t + H, boundary, until)
        carried += model.level * model.shape[t.weekday() * 24 + t.hour] * (end - t).total_seconds() / 3600
        demand = math.floor(carried + 0.5) - given
        given += demand
        steps.append(Step(t, end, demand))
        t = end
    return steps


@given(st.integers(min_value=0, max_value=10**6 * 86_400 * 400), st.integers(min_value=1, max_value=24 * 70),
       st.floats(min_value=0, max_value=5_000), st.lists(st.floats(min_value=0, max_value=3), min_size=168, max_size=168))
def test_the_projection_on_epoch_microseconds_equals_the_one_on_datetimes(us_after, hours, level, shape):
    from xconsole.core.forecast import RateModel, projected_timeline
    from xconsole.core.topup_replay import Timeline

    now = datetime(2025, 12, 1, tzinfo=timezone.utc) + timedelta(microseconds=us_after)
    model = RateModel(level, tuple(shape))
    expected = _steps_by_datetime(model, now, now + hours * H)
    line = projected_timeline(model, now, now + hours * H)
    assert [line.step(i) for i in range(len(line))] == expected  # one at a time, before all of them
    assert line.steps == expected
    reference = Timeline(expected)
    assert (line.starts, line.ends, line.new_month, line.demands) == \
        (reference.starts, reference.ends, reference.new_month, reference.demands)


def test_one_runway_the_forecasts_when_known_else_the_7_day_rate():
    from dataclasses import replace

    from xconsole.core import billing
    from xconsole.core.forecast import Runway, runway

    now = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
    summary = billing.SpendSummary(0, 88_850, 88_850, 0, 200_000, 500_000, 11.7)
    none_soon = Forecast(now=now, rejected_at=None, cause=None, cause_at=None, month_end=now, month_spend=None,
                         top_ups=(), auto_top_up_known=True, model="m", rate_per_day=5_100)
    assert runway(summary, None) == runway(summary, replace(none_soon, known=False)) == Runway(11.7)
    assert (runway(summary, none_soon).days, runway(summary, none_soon).text) == (30.0, "30+ days")  # the cycle resets
    assert runway(replace(summary, runway_days=45.2), none_soon).text == "30+ days"  # as the card and Overview say
    assert runway(replace(summary, runway_days=None), none_soon).text == "no recent spend"
    soon = replace(none_soon, rejected_at=now + timedelta(hours=36))
    assert runway(summary, soon).days == 1.5 and not runway(summary, soon).at_least
    assert runway(replace(summary, usage_known=False), None).text == "unknown"
    # A figure the forecast would have to assume: unknown, not the forecast's guess.
    unreported = replace(summary, unreported=("effectiveSl",))
    assert not runway(unreported, soon).known and not runway(unreported, none_soon).known
    # A threshold beyond the horizon is judged at the 7-day rate, and that is the figure.
    assert runway(summary, none_soon, threshold_days=45).days == 11.7 and runway(summary, none_soon, 7).at_least
