"""Unusual spend rules (core.anomalies): spikes over the 28-day median, new models, a busy team
gone silent; the minimums that keep tiny teams quiet; one flag per kind a week; the JSON."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from xconsole.core import models
from xconsole.core.anomalies import (
    BASELINE_DAYS, SPIKE_MIN_CENTS, Anomaly, Kind, detect, report, request, spend_by_day,
)

FIRST = date(2026, 11, 1)  # the first judged day
START = FIRST - timedelta(days=BASELINE_DAYS)
LAST = date(2026, 11, 20)  # "today"


def steady(cents: int, model: str = "Chat grok-4-0709", until: date = LAST) -> dict[date, dict[str, int]]:
    """`cents` a day on one model from the start of the baseline to `until`."""
    return {START + timedelta(days=i): {model: cents} for i in range((until - START).days + 1)}


def kinds(found: list[Anomaly]) -> list[tuple[date, Kind]]:
    return [(a.day, a.kind) for a in found]


def test_a_steady_team_is_quiet():
    assert detect(steady(4_430), FIRST, LAST) == []


def test_a_day_above_3x_the_median_and_20_dollars_over_it_is_a_spike_with_its_reason():
    spend = steady(4_430)
    spend[date(2026, 11, 14)] = {"Chat grok-4-0709": 18_240}
    [spike] = detect(spend, FIRST, LAST)
    assert (spike.day, spike.kind, spike.model, spike.cents, spike.baseline_cents) == \
        (date(2026, 11, 14), Kind.SPIKE, None, 18_240, 4_430)
    assert spike.reason == "Sat 14 Nov: $182.40, 4.1× the 28-day median ($44.30)"


def test_3x_exactly_is_not_a_spike():
    spend = steady(4_000)
    spend[date(2026, 11, 14)] = {"Chat grok-4-0709": 12_000}
    assert detect(spend, FIRST, LAST) == []


def test_a_tiny_team_stays_quiet_even_at_10x():
    spend = steady(150)  # $1.50 a day
    spend[date(2026, 11, 14)] = {"Chat grok-4-0709": 1_500}  # 10×, but only $13.50 over the median
    assert 1_500 - 150 < SPIKE_MIN_CENTS
    assert detect(spend, FIRST, LAST) == []
    spend[date(2026, 11, 15)] = {}  # and a tiny team's quiet day is not "gone silent"
    assert detect(spend, FIRST, LAST) == []


def test_spend_on_a_model_not_used_in_the_previous_28_days():
    spend = steady(4_000)
    spend[date(2026, 11, 10)] = {"Chat grok-4-0709": 4_000, "Image grok-2-image-1212": 600}
    spend[date(2026, 11, 11)] = {"Chat grok-4-0709": 4_000, "Embed v1": 499}  # under the $5 minimum
    [new] = detect(spend, FIRST, LAST)
    assert (new.day, new.kind, new.model, new.cents) == (date(2026, 11, 10), Kind.NEW_MODEL, "Image grok-2-image-1212", 600)
    assert new.reason == "Tue 10 Nov: $6.00 on Image grok-2-image-1212, not used in the previous 28 days"


def test_a_model_used_within_the_28_days_is_not_new():
    spend = steady(4_000)
    spend[FIRST - timedelta(days=27)]["Embed v1"] = 1  # one cent, 27 days before
    spend[FIRST] = {"Chat grok-4-0709": 4_000, "Embed v1": 900}
    assert detect(spend, FIRST, LAST) == []


def test_a_busy_team_gone_silent_for_a_whole_day_but_never_today():
    spend = steady(5_000)
    spend[date(2026, 11, 12)] = {"Chat grok-4-0709": 100}  # 2 % of the median
    spend[LAST] = {}  # today has only started
    [silent] = detect(spend, FIRST, LAST)
    assert (silent.day, silent.kind, silent.cents, silent.baseline_cents) == (date(2026, 11, 12), Kind.SILENT, 100, 5_000)
    assert silent.reason == "Thu 12 Nov: $1.00 spent, after a 28-day median of $50.00 a day"


def test_a_weekend_dip_is_not_silence():
    spend = steady(5_000)
    spend[date(2026, 11, 14)] = {"Chat grok-4-0709": 2_750}  # weekends at 55 %
    assert detect(spend, FIRST, LAST) == []


def test_at_most_one_flag_per_kind_a_week():
    spend = steady(4_000)
    for day in (3, 5, 9, 10):
        spend[date(2026, 11, day)] = {"Chat grok-4-0709": 20_000}
    assert kinds(detect(spend, FIRST, LAST)) == [(date(2026, 11, 3), Kind.SPIKE), (date(2026, 11, 10), Kind.SPIKE)]


def test_json_gives_money_as_cents_and_formatted():
    spend = steady(4_430)
    spend[date(2026, 11, 14)] = {"Chat grok-4-0709": 18_240}
    assert detect(spend, FIRST, LAST)[0].to_json() == {
        "day": "2026-11-14", "kind": "spike", "model": None,
        "spend": {"cents": 18_240, "formatted": "$182.40"}, "baseline": {"cents": 4_430, "formatted": "$44.30"},
        "reason": "Sat 14 Nov: $182.40, 4.1× the 28-day median ($44.30)",
    }


def _answer(spend: dict[date, dict[str, int]], first: date, days: int, limit_reached: bool = False) -> models.UsageResponse:
    labels = sorted({m for per in spend.values() for m in per})
    return models.UsageResponse(time_series=[
        models.TimeSeries(group=[label], group_labels=[label], data_points=[
            models.DataPoint(timestamp=datetime.combine(first + timedelta(days=i), datetime.min.time(), timezone.utc),
                             values=[spend.get(first + timedelta(days=i), {}).get(label, 0) / 100])
            for i in range(days)])
        for label in labels], limit_reached=limit_reached)


def test_a_usage_answer_is_read_per_day_per_model_and_a_capped_one_said_incomplete():
    spend = steady(4_430)
    spend[date(2026, 11, 14)] = {"Chat grok-4-0709": 18_240, "Embed v1": 0}
    asked = request(LAST, 20)
    assert asked.time_range.start_time == f"{START:%Y-%m-%d} 00:00:00"
    assert asked.group_by == ["description"] and asked.time_unit is models.TimeUnit.TIME_UNIT_DAY
    answer = _answer(spend, START, (LAST - START).days + 1)
    assert spend_by_day(answer, START)[date(2026, 11, 14)] == {"Chat grok-4-0709": 18_240}
    got = report(answer, LAST, 20)
    assert (got.first, got.last, got.incomplete) == (FIRST, LAST, False)
    assert kinds(got.anomalies) == [(date(2026, 11, 14), Kind.SPIKE)]
    assert report(_answer(spend, START, 48, limit_reached=True), LAST, 20).incomplete
