"""The sandbox keeps usage per UTC hour and answers `TIME_UNIT_HOUR` like the real API (reference
2.11): dense hourly points, days that are the sum of their hours, 28 days of hours in one
request, a daily and weekly shape to fit, and databases from before hours that still answer."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from tests.sandbox_helpers import BASE, _no_sleep
from xconsole.core import errors, models
from xconsole.core.client import ManagementClient
from xconsole.core.hourly import daily_totals, read_hourly
from xconsole.sandbox import simulation as sim
from xconsole.sandbox.app import create_app
from xconsole.sandbox.clock import FROZEN_NOW, Clock
from xconsole.sandbox.service import MAX_HOURLY_BUCKETS
from xconsole.sandbox.store import SCHEMA_VERSION, Store

UNIT = models.TimeUnit
DAY_START = FROZEN_NOW.replace(hour=0)


def request(start: datetime, end: datetime, unit: models.TimeUnit, group_by: list[str] | None = None,
            filters: list[str] | None = None) -> models.AnalyticsRequest:
    return models.AnalyticsRequest(
        time_range=models.TimeRange(start_time=f"{start:%Y-%m-%d %H:%M:%S}", end_time=f"{end:%Y-%m-%d %H:%M:%S}"),
        time_unit=unit, group_by=group_by or [], filters=filters or [])


def micros(usage: models.UsageResponse) -> list[int]:
    """Micro-dollars per bucket over all series (the wire rounds to 6 decimals: exact micros)."""
    out: list[int] = []
    for series in usage.time_series:
        for i, point in enumerate(series.data_points):
            value = round(sum(point.values) * 1_000_000)
            if i < len(out):
                out[i] += value
            else:
                out.append(value)
    return out


def by_label(usage: models.UsageResponse) -> dict[str, int]:
    return {s.label: sum(round(v * 1_000_000) for p in s.data_points for v in p.values) for s in usage.time_series}


def hour_of_day_means(usage: models.UsageResponse) -> list[float]:
    sums, counts = [0] * 24, [0] * 24
    for point in usage.time_series[0].data_points:
        sums[point.timestamp.hour] += point.values[0]
        counts[point.timestamp.hour] += 1
    return [s / c for s, c in zip(sums, counts, strict=True)]


# --------------------------------------------------------------------------- the answer


async def test_hourly_answer_has_the_real_shape(sb, lumen):
    team = sb.teams["lumen"].team_id
    raw = await sb.http.post(
        f"/v1/billing/teams/{team}/usage", headers={"Authorization": f"Bearer {sb.teams['lumen'].key}"},
        json={"analyticsRequest": {"timeRange": {"startTime": "2026-11-17 00:00:00", "endTime": "2026-11-18 00:00:00",
                                                 "timezone": "Etc/GMT"},
                                   "timeUnit": "TIME_UNIT_HOUR", "values": [{"name": "usd", "aggregation": "AGGREGATION_SUM"}],
                                   "groupBy": [], "filters": []}})
    assert raw.status_code == 200
    body = raw.json()
    assert body["limitReached"] is False and len(body["timeSeries"]) == 1
    series = body["timeSeries"][0]
    assert series["group"] == [] and series["groupLabels"] == []
    points = series["dataPoints"]
    assert [p["timestamp"] for p in points] == [f"2026-11-17T{h:02d}:00:00Z" for h in range(24)]
    assert all(isinstance(p["values"][0], float) and p["values"][0] > 0 for p in points)

    grouped = await lumen.usage(team, request(DAY_START - timedelta(days=1), DAY_START, UNIT.TIME_UNIT_HOUR, ["description"]))
    assert {s.label for s in grouped.time_series} >= {"Chat grok-4-0709", "Chat grok-code-fast-1"}
    assert all(s.group == s.group_labels == [s.label] and len(s.data_points) == 24 for s in grouped.time_series)


async def test_today_has_hours_up_to_now_and_zeros_after(sb, lumen):
    team = sb.teams["lumen"].team_id
    today = micros(await lumen.usage(team, request(DAY_START, DAY_START + timedelta(days=1), UNIT.TIME_UNIT_HOUR)))
    assert len(today) == 24  # dense: a point per hour, zeros included
    assert all(today[:FROZEN_NOW.hour]) and not any(today[FROZEN_NOW.hour:])


async def test_a_time_range_in_another_timezone_gives_utc_hours(sb, lumen):
    team = sb.teams["lumen"].team_id
    usage = await lumen.usage(team, models.AnalyticsRequest(
        time_range=models.TimeRange(start_time="2026-11-17 00:00:00", end_time="2026-11-17 06:00:00",
                                    timezone="America/New_York"), time_unit=UNIT.TIME_UNIT_HOUR))
    stamps = [p.timestamp for p in usage.time_series[0].data_points]
    assert stamps == [datetime(2026, 11, 17, 5 + h, tzinfo=timezone.utc) for h in range(6)]


# --------------------------------------------------------------------------- days are their hours


async def test_each_day_is_the_sum_of_its_hours(sb, lumen):
    team = sb.teams["lumen"].team_id
    start, end = DAY_START - timedelta(days=6), DAY_START + timedelta(days=1)
    hours = micros(await lumen.usage(team, request(start, end, UNIT.TIME_UNIT_HOUR)))
    days = micros(await lumen.usage(team, request(start, end, UNIT.TIME_UNIT_DAY)))
    assert len(hours) == 7 * 24 and len(days) == 7
    assert days == [sum(hours[d * 24:(d + 1) * 24]) for d in range(7)]
    # Per model too, and with a filter.
    grouped_h = by_label(await lumen.usage(team, request(start, end, UNIT.TIME_UNIT_HOUR, ["description"])))
    grouped_d = by_label(await lumen.usage(team, request(start, end, UNIT.TIME_UNIT_DAY, ["description"])))
    assert grouped_h == grouped_d and sum(grouped_h.values()) == sum(days)
    only = ["description:Chat grok-code-fast-1"]
    filtered_h = micros(await lumen.usage(team, request(start, end, UNIT.TIME_UNIT_HOUR, filters=only)))
    filtered_d = micros(await lumen.usage(team, request(start, end, UNIT.TIME_UNIT_DAY, filters=only)))
    assert sum(filtered_h) == sum(filtered_d) == grouped_h["Chat grok-code-fast-1"]


async def test_weeks_months_and_one_bucket_add_up_to_the_same_hours(sb, helix):
    team = sb.teams["helix"].team_id
    start, end = datetime(2026, 10, 20, tzinfo=timezone.utc), DAY_START + timedelta(days=1)
    hours = micros(await helix.usage(team, request(start, end, UNIT.TIME_UNIT_HOUR)))
    total = sum(hours)
    for unit in (UNIT.TIME_UNIT_DAY, UNIT.TIME_UNIT_CALENDAR_WEEK, UNIT.TIME_UNIT_MONTH, UNIT.TIME_UNIT_NONE):
        assert sum(micros(await helix.usage(team, request(start, end, unit)))) == total, unit
    months = await helix.usage(team, request(start, end, UNIT.TIME_UNIT_MONTH))
    assert [p.timestamp.month for p in months.time_series[0].data_points] == [10, 11]
    assert micros(months)[1] == sum(hours[12 * 24:])  # November: from hour 288 (Nov 1 00:00) on


# --------------------------------------------------------------------------- request size


async def test_28_days_of_hours_are_one_request(sb, lumen):
    team = sb.teams["lumen"].team_id
    hourly = await read_hourly(lumen, team, 28, now=FROZEN_NOW)
    assert hourly.requests == 1 and hourly.resolution == "hour" and not hourly.partial
    assert len(hourly) == 28 * 24 and hourly.end == FROZEN_NOW
    first = hourly.start.replace(hour=0) + timedelta(days=1)  # the 27 whole days it covers
    days = micros(await lumen.usage(team, request(first, DAY_START, UNIT.TIME_UNIT_DAY)))
    whole = [cents for day, cents in daily_totals(hourly) if first.date() <= day < DAY_START.date()]
    assert len(whole) == len(days) == 27
    assert all(abs(c - m / 10_000) <= 12 for c, m in zip(whole, days, strict=True))  # hours read as whole cents


async def test_the_hourly_cap_is_744_buckets_and_more_is_refused_naming_the_time_range(sb, lumen):
    team = sb.teams["lumen"].team_id
    assert MAX_HOURLY_BUCKETS == 744
    end = DAY_START
    ok = await lumen.usage(team, request(end - timedelta(hours=744), end, UNIT.TIME_UNIT_HOUR))
    assert len(ok.time_series[0].data_points) == 744 and not ok.limit_reached
    with pytest.raises(errors.Validation) as info:
        await lumen.usage(team, request(end - timedelta(hours=745), end, UNIT.TIME_UNIT_HOUR))
    assert info.value.field == "analyticsRequest.timeRange" and "745" in info.value.message


async def test_units_the_sandbox_does_not_keep_are_refused_naming_the_time_unit(sb, lumen):
    with pytest.raises(errors.Validation) as info:
        await lumen.usage(sb.teams["lumen"].team_id, request(DAY_START, FROZEN_NOW, UNIT.TIME_UNIT_MINUTE))
    assert info.value.field == "analyticsRequest.timeUnit"


# --------------------------------------------------------------------------- the shape to fit


async def test_history_has_busy_working_hours_and_quiet_nights(sb, lumen):
    team = sb.teams["lumen"].team_id
    usage = await lumen.usage(team, request(DAY_START - timedelta(days=28), DAY_START, UNIT.TIME_UNIT_HOUR))
    means = hour_of_day_means(usage)
    assert min(means[10:17]) > 3 * max(means[0:5])


async def test_live_spend_follows_the_hour_and_the_weekend(sb, lumen):
    """After the seed, the live sandbox spends by the same hour weights, and less on a weekend."""
    team = sb.teams["lumen"].team_id
    friday = DAY_START + timedelta(days=2)  # FROZEN_NOW is a Wednesday
    await sb.advance((friday + timedelta(days=2) - FROZEN_NOW).total_seconds())  # to Sunday 00:00
    hours = micros(await lumen.usage(team, request(friday, friday + timedelta(days=2), UNIT.TIME_UNIT_HOUR)))
    fri, sat = hours[:24], hours[24:]
    assert fri[13] / fri[3] == pytest.approx(sim.HOUR_WEIGHTS[13] / sim.HOUR_WEIGHTS[3], rel=1e-3)
    assert sum(sat) / sum(fri) == pytest.approx(sim.WEEKDAY_WEIGHTS[5] / sim.WEEKDAY_WEIGHTS[4], rel=1e-3)


def test_a_live_step_off_the_hour_lands_in_both_hours_it_spans():
    pieces = sim.hour_pieces(FROZEN_NOW + timedelta(minutes=23), FROZEN_NOW + timedelta(minutes=83))
    assert [hour for hour, _w in pieces] == [FROZEN_NOW, FROZEN_NOW + timedelta(hours=1)]
    rate = 3_600_000
    expected = rate * (37 * sim.HOUR_WEIGHTS[15] + 23 * sim.HOUR_WEIGHTS[16]) // (60 * sim.WEIGHT_UNIT)
    assert sim.demand_micros(rate, FROZEN_NOW + timedelta(minutes=23), FROZEN_NOW + timedelta(minutes=83)) == expected


# --------------------------------------------------------------------------- databases from before hours


def _old_database(path) -> dict[tuple[str, str], int]:
    """A sandbox file as xconsole wrote it before hours: days only, schema version 0. Returns the
    micro-dollars per (team, day) it holds."""
    store = Store(path)
    create_app(store, Clock.frozen())  # seeds it
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE usage_hours")
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    days = {(t, d): m for t, d, m in conn.execute("SELECT team_id, day, SUM(micros) FROM usage GROUP BY team_id, day")}
    conn.close()
    return days


def _hours_per_day(path) -> dict[tuple[str, str], int]:
    conn = sqlite3.connect(path)
    columns = " + ".join(f"line{i}" for i in range(8))
    rows = conn.execute(f"SELECT team_id, substr(hour, 1, 10), SUM({columns}) FROM usage_hours GROUP BY 1, 2").fetchall()
    conn.close()
    return {(t, d): m for t, d, m in rows}


async def test_an_old_daily_database_is_migrated_on_open_and_answers_hours(tmp_path):
    path = tmp_path / "sandbox.db"
    days = _old_database(path)

    store = Store(path)  # what `sandbox serve --db` and the persistent demo do on start
    assert store._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert _hours_per_day(path) == days  # every day kept whole, now spread over its hours
    app = create_app(store, Clock.frozen())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        lumen = next(t for t in (await http.get("/sandbox/teams")).json()["teams"] if t["name"] == "Lumen Labs")
    client = ManagementClient(lumen["managementKey"], BASE, transport=transport, sandbox=True, sleep=_no_sleep)
    try:
        team = lumen["teamId"]
        hourly = await client.usage(team, request(DAY_START - timedelta(days=7), DAY_START + timedelta(days=1),
                                                  UNIT.TIME_UNIT_HOUR))
        daily = await client.usage(team, request(DAY_START - timedelta(days=7), DAY_START + timedelta(days=1),
                                                 UNIT.TIME_UNIT_DAY))
        hours = micros(hourly)
        assert micros(daily) == [sum(hours[d * 24:(d + 1) * 24]) for d in range(8)]
        assert min(hour_of_day_means(hourly)[10:17]) > 3 * max(hour_of_day_means(hourly)[0:5])
        assert not any(hours[7 * 24 + FROZEN_NOW.hour:])  # today's spend stays before the moment it was simulated to
        assert (await read_hourly(client, team, 28, now=FROZEN_NOW)).resolution == "hour"
    finally:
        await client.aclose()
        store.close()

    Store(path).close()  # opened again: migrated once, not twice
    assert _hours_per_day(path) == days
