"""Unusual spend on the command line: `usage --json` lists it, `check --anomalies` warns of it
(and `check` without the flag is unchanged), on the embedded sandbox with a spike injected."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

from tests.sandbox.test_anomalies_sandbox import inject
from xconsole.cli.wiring import sandbox_db_path
from xconsole.sandbox.store import Store


def spike_today(team_id: str, cents: int) -> date:
    """Add `cents` of spend in the first hour of the sandbox's today (its last day of usage)."""
    store = Store(sandbox_db_path())
    try:
        with store.tx() as conn:
            last = conn.execute("SELECT MAX(hour) FROM usage_hours WHERE team_id = ?", (team_id,)).fetchone()[0]
        today = date.fromisoformat(last[:10])
        inject(store, team_id, today, 0, cents, hour=0)
    finally:
        store.close()
    return today


def test_usage_json_lists_anomalies_and_check_warns_only_with_the_flag(home, run, monkeypatch):
    # The embedded sandbox runs on the wall clock: today's spend grows between two commands (a
    # cent apart on a slow run). Time stands still here, so both commands see the same day.
    still = datetime.now(timezone.utc)
    monkeypatch.setattr("xconsole.sandbox.clock._wall", lambda: still)
    first = json.loads(run("--sandbox", "usage", "--team", "lumen", "--days", "7", "--json").stdout)
    assert first["anomalies"] == [] and first["anomaliesPartial"] is False and first["anomaliesError"] is None
    assert {"team", "from", "to", "by", "total", "partial", "rows"} <= set(first)
    team_id = first["team"]["teamId"]
    quiet = run("--sandbox", "check", "--team", "lumen", "--anomalies")
    assert quiet.exit_code == 0 and "unusual spend" not in quiet.stdout, quiet.stdout

    today = spike_today(team_id, 10_000)  # $100 today: about 6× Lumen's usual $17 a day

    doc = json.loads(run("--sandbox", "usage", "--team", "lumen", "--days", "7", "--json").stdout)
    [anomaly] = doc["anomalies"]
    assert anomaly["day"] == today.isoformat() and anomaly["kind"] == "spike" and anomaly["model"] is None
    assert anomaly["spend"]["cents"] >= 10_000 and anomaly["spend"]["formatted"].startswith("$")
    assert "× the 28-day median" in anomaly["reason"]

    plain = run("--sandbox", "check", "--team", "lumen")
    assert "unusual spend" not in plain.stdout
    flagged = run("--sandbox", "check", "--team", "lumen", "--anomalies", "--json")
    [team] = json.loads(flagged.stdout)["teams"]
    assert flagged.exit_code >= 1 and team["state"] in ("WARNING", "CRITICAL")
    assert f"unusual spend: {anomaly['reason']}" in team["reasons"]
