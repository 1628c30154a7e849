"""The auto top-up what-if (core.what_if) and the replay rules it shares with the forecast."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from xconsole.core.hourly import HourlyUsage
from xconsole.core.topup_replay import Account, AutoRule, Cause, hourly_steps, replay
from xconsole.core.what_if import Replayer, smallest_settings, what_if

START = datetime(2026, 8, 20, 0, tzinfo=timezone.utc)
H = timedelta(hours=1)


def usage(cents: list[int], start: datetime = START) -> HourlyUsage:
    return HourlyUsage(start, tuple(cents))


def test_a_steady_team_tops_up_on_schedule():
    result = what_if(usage([100] * 48), AutoRule(threshold=1_000, amount=2_500, monthly_max=100_000))
    # Starts at the $10 trigger: below it after the first hour, then every 25 hours.
    assert result.top_ups == 2 and result.bought == 5_000 and result.rejected_hours == 0
    assert result.to_json()["bought"] == {"cents": 5_000, "formatted": "$50.00"}


def test_rejected_hours_and_blocks_are_reported():
    result = what_if(usage([1_000] * 72), AutoRule(threshold=500, amount=2_500, monthly_max=7_500))
    assert result.top_ups == 3 and result.bought == 7_500
    assert result.monthly_blocks and not result.daily_blocks
    assert result.rejected_hours > 0 and result.first_rejected is not None
    doc = result.to_json()
    assert doc["blockedByMonthlyMaximum"] and doc["rejectedHours"] == result.rejected_hours


def test_the_24h_rule_blocks_a_busy_hour():
    result = what_if(usage([10_000] * 24), AutoRule(threshold=20_000, amount=2_500, monthly_max=1_000_000),
                     start_credits=50_000)
    assert result.daily_blocks and result.top_ups == 5


def test_no_auto_top_up_is_a_replay_too():
    result = what_if(usage([100] * 10), None, start_credits=500)
    assert result.top_ups == 0 and result.rejected_hours == 5


def test_smallest_settings_are_clean_minimal_and_within_budget():
    cents = [(150 if (START + i * H).weekday() < 5 else 40) for i in range(60 * 24)]
    history = usage(cents)
    best = smallest_settings(history, 500_000)
    assert best is not None and best.amount == 2_500  # the $25 minimum works for this team
    assert what_if(history, best).rejected_hours == 0
    assert what_if(history, AutoRule(best.threshold - 100, best.amount, best.monthly_max)).rejected_hours > 0
    assert what_if(history, AutoRule(best.threshold, best.amount, best.monthly_max - 2_500)).rejected_hours > 0
    assert best.monthly_max <= 500_000
    assert smallest_settings(history, 2_000) is None  # under the $25 minimum: nothing fits


def test_a_busy_team_needs_a_bigger_amount_for_the_24h_rule():
    history = usage([2_000] * (10 * 24))  # $480 a day: 5 x $25 cannot keep up
    best = smallest_settings(history, 2_000_000)
    assert best is not None and best.amount * 5 >= 48_000 - best.threshold
    assert what_if(history, best).rejected_hours == 0


def test_ninety_days_replay_time(capsys):
    """Not a timed assertion (design: benchmarks print); the figure for the closing note."""
    replayer = Replayer(usage([137] * (90 * 24)))
    rule = AutoRule(threshold=5_000, amount=10_000, monthly_max=60_000)
    began = time.perf_counter()
    for _ in range(20):
        replayer.run(rule)
    per_run = (time.perf_counter() - began) / 20 * 1000
    with capsys.disabled():
        print(f"\nwhat-if: 90 days (2,160 h) replayed in {per_run:.2f} ms")


# --------------------------------------------------------------------------- invariants


spend = st.lists(st.integers(min_value=0, max_value=20_000), min_size=1, max_size=24 * 12)
rules = st.builds(
    lambda threshold, amount, extra: AutoRule(threshold, amount, amount + extra),
    st.integers(min_value=0, max_value=50_000),
    st.integers(min_value=2_500, max_value=40_000),
    st.integers(min_value=0, max_value=200_000),
)
starts = st.sampled_from([START, datetime(2026, 11, 27, 13, tzinfo=timezone.utc), datetime(2026, 12, 31, 20, tzinfo=timezone.utc)])


@settings(max_examples=150, deadline=None)
@given(cents=spend, rule=rules, start=starts, credits=st.integers(0, 30_000), limit=st.sampled_from([0, 0, 5_000, 50_000]),
       used=st.integers(0, 60_000))
def test_replay_invariants(cents, rule, start, credits, limit, used):
    used = min(used, rule.monthly_max)
    account = Account(credits=credits, limit=limit, used_this_month=used)
    result = replay(hourly_steps(start, cents), account, rule)
    times = [t.at for t in result.top_ups]
    # Never more than 5 top-ups in any 24 h.
    for i, t in enumerate(times):
        assert sum(1 for u in times[i:] if u < t + timedelta(hours=24)) <= 5
    # Never under $25, always the amount set.
    assert all(t.cents == rule.amount >= 2_500 for t in result.top_ups)
    # Never over the monthly maximum (what was already used counts in the first month).
    per_month = Counter(f"{t:%Y-%m}" for t in times)
    for month, count in per_month.items():
        already = used if month == f"{start:%Y-%m}" else 0
        assert already + count * rule.amount <= rule.monthly_max
    # Served never exceeds demand; money is conserved within a cycle.
    assert all(0 <= s <= d for s, d in zip(result.served, cents, strict=True))
    crosses = any(_month_start(start + (i + 1) * H) for i in range(len(cents)))
    if not crosses:
        assert result.end.credits - result.end.beyond == credits + result.bought - sum(result.served)
        assert 0 <= result.end.beyond <= limit
    assert result.end.credits >= 0
    # A rejection is blamed on a rule only when a top-up was blocked.
    for rejection in result.rejections:
        if rejection.cause in (Cause.MONTHLY_MAX, Cause.DAILY_LIMIT):
            assert result.blocks


def _month_start(moment: datetime) -> bool:
    return moment.day == 1 and moment.hour == 0
