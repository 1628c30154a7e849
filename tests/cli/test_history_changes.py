"""`xconsole history` and `xconsole changes` against a sandbox served over HTTP, with the team's
key given for the run (XAI_MANAGEMENT_KEY), as a cron job or an SSH session would."""

from __future__ import annotations

import csv
import io
import json

import pytest

from xconsole.core import purchase
from tests.core.test_changes import other_process


@pytest.fixture(autouse=True)
def quick_follow(monkeypatch):
    monkeypatch.setattr(purchase, "FOLLOW_DELAYS_S", (0.0, 0.0, 0.0))


def key_env(served, slug: str) -> dict[str, str]:
    return {"XAI_MANAGEMENT_KEY": served.teams[slug]["managementKey"]}


def test_history_json_merges_the_audit_events_and_the_journal(home, own_served, run):
    env = key_env(own_served, "helix")
    bought = run("--api-url", own_served.url, "buy", "25", "--yes", env=env)
    assert bought.exit_code == 0, bought.output
    result = run("--api-url", own_served.url, "history", "--json", env=env)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["team"]["teamId"] == own_served.teams["helix"]["teamId"] and doc["auditError"] is None
    sources = [e["source"] for e in doc["entries"]]
    assert "audit" in sources and "journal" in sources
    journal = next(e for e in doc["entries"] if e["source"] == "journal")
    assert journal["what"] == "Buy credits (xconsole)" and journal["amount"] == {"cents": 2500, "formatted": "$25.00"}
    assert journal["idempotencyKey"] and "@" in journal["who"]
    audit = next(e for e in doc["entries"] if e["source"] == "audit")
    assert audit["what"].startswith("Prepaid credits purchase of $25.00 was created") and audit["who"] == "admin@sandbox.example"
    times = [e["time"] for e in doc["entries"]]
    assert times == sorted(times, reverse=True)


def test_history_since_csv_and_table(home, served, run):
    env = key_env(served, "helix")
    everything = json.loads(run("--api-url", served.url, "history", "--json", env=env).stdout)["entries"]
    recent = run("--api-url", served.url, "history", "--since", "2026-11-01", "--csv", env=env)
    assert recent.exit_code == 0, recent.output
    rows = list(csv.DictReader(io.StringIO(recent.stdout)))
    assert rows and len(rows) < len(everything)
    assert all(r["time"] >= "2026-11-01" for r in rows)
    assert list(rows[0]) == ["time", "who", "what", "before", "after", "source", "outcome", "reason", "amount_cents",
                             "event_id", "idempotency_key"]
    table = run("--api-url", served.url, "history", "--limit", "2", env=env)
    assert table.exit_code == 0 and len(table.stdout.splitlines()) == 3  # title + 2 rows
    bad = run("--api-url", served.url, "history", "--since", "last tuesday", env=env)
    assert bad.exit_code == 2 and "--since" in bad.output


def test_changes_proof_baseline_then_exactly_the_two_changes_then_nothing(home, own_served, run):
    env = key_env(own_served, "helix")
    args = ("--api-url", own_served.url, "changes")
    first = run(*args, "--exit-code", env=env)
    assert first.exit_code == 0, first.output
    assert "first look" in first.stdout and "baseline" in first.stdout

    new_default = other_process(own_served.url, env["XAI_MANAGEMENT_KEY"], own_served.teams["helix"]["teamId"])

    second = run(*args, "--json", "--exit-code", env=env)
    assert second.exit_code == 1, second.output
    [team] = json.loads(second.stdout)["teams"]
    assert [(c["kind"], c["before"], c["after"], c["who"]) for c in team["changes"]] == [
        ("invoiced-limit", "$2,000.00", "$3,500.00", "admin@sandbox.example"),
        ("default-payment-method", "Mastercard ··5100", new_default, "admin@sandbox.example"),
    ]

    third = run(*args, "--exit-code", env=env)
    assert third.exit_code == 0, third.output
    assert "nothing changed" in third.stdout and " - " not in third.stdout


def test_changes_text_names_the_author(home, own_served, run):
    env = key_env(own_served, "orbit")
    args = ("--api-url", own_served.url, "changes")
    run(*args, env=env)
    run("--api-url", own_served.url, "buy", "30", "--yes", env=env)
    result = run(*args, env=env)
    assert result.exit_code == 0  # without --exit-code a change is not an error
    assert "Purchase of $30.00: credits granted (admin@sandbox.example, via xconsole by " in result.stdout


def test_changes_on_an_unreachable_server_is_exit_1_with_one_line(home, run):
    result = run("--api-url", "http://127.0.0.1:9", "changes", env={"XAI_MANAGEMENT_KEY": "xai-" + "a" * 40})
    assert result.exit_code == 1
    assert result.stderr.startswith("xconsole: ") and len(result.stderr.strip().splitlines()) == 1
    # The key was never judged: not called refused.
    assert "Could not check XAI_MANAGEMENT_KEY" in result.stderr and "not accepted" not in result.stderr


def test_changes_when_no_read_succeeds_is_an_error_not_nothing_changed(home, own_served, memory_keyring, run):
    import httpx

    team = own_served.teams["orbit"]
    added = run("team", "add", "Orbit", "--key-stdin", "--api-url", own_served.url, input=team["managementKey"])
    assert added.exit_code == 0, added.output
    assert run("changes", "--exit-code").exit_code == 0  # the baseline
    httpx.post(f"{own_served.url}/sandbox/faults", json={"errorRate": 1.0}).raise_for_status()
    try:
        failed = run("changes", "--exit-code", "--json")
    finally:
        httpx.post(f"{own_served.url}/sandbox/faults", json={"errorRate": 0.0}).raise_for_status()
    assert failed.exit_code == 1, failed.output
    [row] = json.loads(failed.stdout)["teams"]
    assert row["error"] and "changed" not in row
    assert failed.stderr.startswith("xconsole: Orbit: ") and "nothing changed" not in failed.output
    again = run("changes", "--exit-code")  # the last good look was kept
    assert again.exit_code == 0 and "nothing changed" in again.stdout, again.output


def test_changes_all_with_one_team_unread_is_exit_1_even_when_nothing_changed(home, served, memory_keyring, run):
    for name in ("lumen", "orbit"):
        added = run("team", "add", name.title(), "--key-stdin", "--api-url", served.url,
                    input=served.teams[name]["managementKey"])
        assert added.exit_code == 0, added.output
    assert run("changes", "--all", "--exit-code").exit_code == 0  # the baselines
    memory_keyring.store[("xconsole", f"team:{served.teams['orbit']['teamId']}")] = "xai-revokedrevokedrevoked0000"
    result = run("changes", "--all", "--exit-code")
    assert result.exit_code == 1 and "xconsole: Orbit: Key rejected" in result.stderr  # Orbit may have changed
    assert "Lumen" in result.stdout and "nothing changed" in result.stdout
