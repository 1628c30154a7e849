"""Proof on the sandbox (issue 20, section 3): the 13 months of generated history are quiet (at
most one flag per team per month), and a 5× spike on a model the team has not used is flagged on
the day it happens — all read through the client, as on the real API."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from xconsole.core import anomalies, models
from xconsole.core.anomalies import Kind, load_anomalies
from xconsole.core.spend import range_request
from xconsole.sandbox import simulation as sim
from xconsole.sandbox.catalogue import CATALOGUE, MICROS_PER_CENT
from xconsole.sandbox.clock import FROZEN_NOW

TODAY = FROZEN_NOW.date()
#: The most daily buckets the usage endpoint answers in one read.
MAX_BUCKETS = 400


def inject(store, team_id: str, day: date, line: int, cents: int, hour: int = 12) -> None:
    """Add `cents` of usage on catalogue line `line` in one hour of `day` to a sandbox's store, to
    the hourly table and its daily rollup alike (as the simulation writes them)."""
    micros = cents * MICROS_PER_CENT
    key = f"{day:%Y-%m-%d}T{hour:02d}"
    with store.tx() as conn:
        sim.insert_hour_rows(conn, [(team_id, key, *[micros if i == line else 0 for i in range(len(CATALOGUE))])])
        conn.execute("INSERT INTO usage (team_id, day, line, micros) VALUES (?, ?, ?, ?)"
                     " ON CONFLICT (team_id, day, line) DO UPDATE SET micros = micros + excluded.micros",
                     (team_id, f"{day:%Y-%m-%d}", line, micros))


async def replay(sb, name: str) -> list[anomalies.Anomaly]:
    """Every anomaly of the team's whole history (each day against its own 28 days before)."""
    start = TODAY - timedelta(days=MAX_BUCKETS - 2)
    usage = await sb.client(name).usage(sb.teams[name].team_id,
                                        range_request(start, TODAY, models.TimeUnit.TIME_UNIT_DAY, ["description"]))
    assert not usage.limit_reached
    spend = anomalies.spend_by_day(usage, start)
    first = min(spend)
    assert first <= TODAY - timedelta(days=13 * 30)  # the 13 months are all there
    return anomalies.detect(spend, first + timedelta(days=anomalies.BASELINE_DAYS), TODAY)


async def test_thirteen_months_of_the_demo_teams_give_at_most_one_flag_a_month(sb):
    for name in ("lumen", "orbit", "helix"):
        per_month = Counter(f"{a.day:%Y-%m}" for a in await replay(sb, name))
        assert all(n <= 1 for n in per_month.values()), (name, per_month)


async def test_a_5x_spike_on_a_new_model_is_flagged_on_its_day(sb):
    # Helix uses every model; Orbit never uses images: a new model for it. 5× its usual day there.
    image = next(i for i, item in enumerate(CATALOGUE) if item.description.startswith("Image"))
    team_id = sb.teams["orbit"].team_id
    before = await load_anomalies(sb.client("orbit"), team_id, 30, now=FROZEN_NOW)
    assert before.anomalies == []
    day = TODAY - timedelta(days=9)
    usual = sum(c for _d, c in (await _daily(sb, "orbit", day)))  # the 7 days before, to size the spike
    spike = 5 * usual // 7
    inject(sb.app.state.sandbox.store, team_id, day, image, spike)
    report = await load_anomalies(sb.client("orbit"), team_id, 30, now=FROZEN_NOW)
    assert [(a.day, a.kind, a.model) for a in report.anomalies] == [(day, Kind.NEW_MODEL, "Image grok-2-image-1212")]
    assert report.anomalies[0].cents == spike
    assert "not used in the previous 28 days" in report.anomalies[0].reason


async def test_a_5x_spike_on_a_busy_team_is_flagged_today_with_its_ratio(sb):
    team_id = sb.teams["helix"].team_id
    base = (await load_anomalies(sb.client("helix"), team_id, 30, now=FROZEN_NOW))
    assert base.anomalies == []
    usual = sum(c for _d, c in await _daily(sb, "helix", TODAY)) // 7
    inject(sb.app.state.sandbox.store, team_id, TODAY, 0, 5 * usual, hour=10)
    report = await load_anomalies(sb.client("helix"), team_id, 30, now=FROZEN_NOW)
    assert [(a.day, a.kind) for a in report.anomalies] == [(TODAY, Kind.SPIKE)]
    assert "× the 28-day median" in report.anomalies[0].reason


async def _daily(sb, name: str, day: date) -> list[tuple[date, int]]:
    """The 7 whole days before `day`, in cents."""
    from xconsole.core.spend import series_cents

    usage = await sb.client(name).usage(sb.teams[name].team_id, range_request(
        day - timedelta(days=7), day - timedelta(days=1), models.TimeUnit.TIME_UNIT_DAY))
    return [(day - timedelta(days=7 - i), c) for i, c in enumerate(series_cents(usage))]
