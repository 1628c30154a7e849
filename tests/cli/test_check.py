"""`xconsole check`: plugin output and exit status as monitoring systems read them, and hooks that
fire once per change of a team's state (design.md 8)."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from xconsole.core.check import State, TeamCheck, Thresholds, perfdata, worst
from tests.cli.test_commands import register
from tests.cli.test_metrics import free_port

#: One perfdata item of the plugin format: 'label'=value;warn;crit;min;max
PERF_ITEM = re.compile(r"'[a-z0-9_]+'=-?\d+(\.\d+)?;(\d+(\.\d+)?:)?;(\d+(\.\d+)?:)?;0;")


@pytest.fixture
def state_home(home, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    return home


class Receiver:
    """A webhook receiver on loopback that records every JSON body it is sent."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        received = self.calls

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_worst_state_wins_in_the_monitoring_order():
    def team(state: State) -> TeamCheck:
        return TeamCheck("t", "id", state=state)

    assert worst([team(State.OK), team(State.UNKNOWN)]) is State.UNKNOWN
    assert worst([team(State.UNKNOWN), team(State.WARNING)]) is State.WARNING
    assert worst([team(State.WARNING), team(State.CRITICAL), team(State.UNKNOWN)]) is State.CRITICAL
    assert worst([team(State.OK), team(State.OK)]) is State.OK


def test_perfdata_uses_the_plugin_range_grammar_and_leaves_unknown_figures_out():
    checks = [TeamCheck("Acme Corp", "a", balance=8455, runway_days=3.2, runway_known=True),
              TeamCheck("Unread", "b", balance=None, runway_known=False)]
    data = perfdata(checks, Thresholds(warn_below=10000, crit_below=5000))
    assert data == "'acme_corp_credits'=84.55;100:;50:;0; 'acme_corp_runway_days'=3.2;7:;1:;0;"


def test_plugin_output_and_exit_status_on_the_sandbox(state_home, run):
    ok = run("--sandbox", "check", "--team", "lumen")
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("XCONSOLE OK - 1 team OK | 'lumen_labs_credits'=")
    assert ok.stdout.splitlines()[1].startswith("OK Lumen Labs:")

    everything = run("--sandbox", "check", "--all")
    lines = everything.stdout.splitlines()
    head, data = lines[0].split(" | ")
    assert everything.exit_code == 1 and head.startswith("XCONSOLE WARNING - 2 of 3 teams need attention")
    assert all(PERF_ITEM.fullmatch(item) for item in data.split(" ")), data
    states = {line.split(" ", 1)[1].split(":")[0]: line.split(" ")[0] for line in lines[1:]}
    assert states == {"Lumen Labs": "OK", "Orbit Robotics": "WARNING", "Helix Health": "WARNING"}
    assert "requests rejected in" in everything.stdout and "a charge failed in the last 30 days" in everything.stdout

    critical = run("--sandbox", "check", "--all", "--crit-runway", "2d", "--json")
    document = json.loads(critical.stdout)
    assert critical.exit_code == 2 and document["schemaVersion"] == 1 and document["state"] == "CRITICAL"
    orbit = next(t for t in document["teams"] if t["name"] == "Orbit Robotics")
    assert orbit["state"] == "CRITICAL" and isinstance(orbit["balance"]["cents"], int)

    below = run("--sandbox", "check", "--team", "lumen", "--warn-below", "1000000", "--crit-below", "1")
    assert below.exit_code == 1 and "credits" in below.stdout.splitlines()[1] and "below $1,000,000.00" in below.stdout
    bad = run("--sandbox", "check", "--warn-runway", "a week")  # a check that cannot start is UNKNOWN
    assert bad.exit_code == 3 and bad.stdout.startswith("XCONSOLE UNKNOWN - --warn-runway")
    assert run("--sandbox", "check", "--no-such-flag").exit_code == 3
    assert run("--sandbox", "check", "--webhook", "http://[::1").stdout.startswith("XCONSOLE UNKNOWN - --webhook")


def test_a_rejected_key_is_unknown_for_that_team_and_the_others_are_still_checked(home, served, memory_keyring, run):
    register(run, served, "lumen", "orbit")
    memory_keyring.store[("xconsole", f"team:{served.teams['orbit']['teamId']}")] = "xai-revokedrevokedrevoked0000"
    result = run("--api-url", served.url, "check", "--all")
    lines = result.stdout.splitlines()
    assert result.exit_code == 3, result.output
    assert next(line for line in lines[1:] if "Orbit" in line).startswith("UNKNOWN Orbit: key rejected")
    assert next(line for line in lines[1:] if "Lumen" in line).startswith("OK Lumen")
    assert "xai-revoked" not in result.output


def test_a_webhook_fires_once_per_change_and_says_resolved_after_a_purchase(state_home, run, receiver):
    check = ("--sandbox", "check", "--team", "orbit", "--crit-runway", "2d", "--webhook", receiver.url)
    first = run(*check)
    assert first.exit_code == 2 and len(receiver.calls) == 1
    call = receiver.calls[0]
    assert call["schemaVersion"] == 1 and call["team"]["name"] == "Orbit Robotics"
    assert call["oldState"] == "OK" and call["newState"] == "CRITICAL" and not call["resolved"]  # first seen: from OK
    assert call["numbers"]["balance"]["cents"] > 0 and call["reasons"]
    assert run(*check).exit_code == 2 and len(receiver.calls) == 1  # same state: no second call

    bought = run("--sandbox", "buy", "500", "--team", "orbit", "--yes")
    assert bought.exit_code == 0, bought.output
    assert run(*check).exit_code == 0 and len(receiver.calls) == 2
    assert receiver.calls[1]["oldState"] == "CRITICAL" and receiver.calls[1]["newState"] == "OK"
    assert receiver.calls[1]["resolved"] is True
    assert "xai-" not in json.dumps(receiver.calls)  # never a key


def test_stateless_checks_report_every_run(state_home, run, receiver):
    check = ("--sandbox", "check", "--team", "orbit", "--webhook", receiver.url, "--stateless")
    run(*check)
    run(*check)
    assert [c["newState"] for c in receiver.calls] == ["WARNING", "WARNING"]


def test_the_command_hook_gets_the_change_on_stdin_and_in_variables(state_home, run, tmp_path):
    out = f"{tmp_path}/hook-$XCONSOLE_TEAM_ID"  # hooks run side by side: one set of files per team
    command = f"cat > {out}.json; env | grep '^XCONSOLE_' | sort > {out}.env; env | grep -c XAI_ > {out}.keys || true"
    result = run("--sandbox", "check", "--all", "--on-change", command,
                 env={"XAI_MANAGEMENT_KEY": ""})
    assert result.exit_code == 1, result.output
    payloads = sorted(tmp_path.glob("hook-*.json"))
    assert len(payloads) == 2  # Orbit and Helix turned WARNING; Lumen stayed OK
    for path in payloads:
        payload = json.loads(path.read_text())
        variables = dict(line.split("=", 1) for line in path.with_suffix(".env").read_text().splitlines())
        assert variables["XCONSOLE_STATE"] == payload["newState"] == "WARNING"
        assert variables["XCONSOLE_TEAM"] == payload["team"]["name"]
        assert variables["XCONSOLE_TEAM_ID"] == payload["team"]["teamId"] == path.stem.removeprefix("hook-")
        assert path.with_suffix(".keys").read_text().strip() == "0"
    state = next((state_home / "state").rglob("check-state.json"))
    assert oct(state.stat().st_mode & 0o777) == "0o600"
    assert set(json.loads(state.read_text())["teams"].values()) == {"OK", "WARNING"}


def test_a_failing_hook_is_said_on_stderr_and_does_not_change_the_exit_status(state_home, run):
    result = run("--sandbox", "check", "--team", "orbit", "--on-change", "echo broken >&2; exit 4",
                 "--webhook", f"http://127.0.0.1:{free_port()}/nowhere")
    assert result.exit_code == 1
    assert "the hook command exited 4: broken" in result.stderr and "the webhook could not be reached" in result.stderr


def test_a_team_with_an_invoiced_limit_is_judged_by_its_forecast(state_home, run):
    """Helix: $0 credits, $2,000 of invoiced limit, ~$51 a day: the 7-day runway says ~12 days, but
    the billing cycle starts again (and the limit with it) before the limit is reached. The runway
    given (JSON, perfdata, balance, watch, metrics) is the forecast's too: at least its 30 days."""
    result = run("--sandbox", "check", "--team", "helix", "--warn-runway", "30d", "--crit-runway", "20d", "--json")
    helix = json.loads(result.stdout)["teams"][0]
    assert helix["forecast"]["rejected"] is False
    assert helix["runwayDays"] == 30 and helix["runwayAtLeast"] is True
    assert not any("requests rejected" in reason for reason in helix["reasons"])
    plain = run("--sandbox", "check", "--team", "helix", "--warn-runway", "30d", "--crit-runway", "20d").stdout
    assert "'helix_health_runway_days'=30;30:;20:;0;" in plain  # not inside its own warning range
    (row,) = json.loads(run("--sandbox", "balance", "--team", "helix", "--json").stdout)["teams"]
    assert (row["runwayDays"], row["runwayAtLeast"]) == (30, True)
    assert "30+ days" in run("--sandbox", "balance", "--team", "helix").stdout
    assert "30+ days" in run("--sandbox", "watch", "--once").stdout
    # A threshold beyond the forecast's 30 days is judged at the 7-day rate: the figure given is that one.
    beyond = json.loads(run("--sandbox", "check", "--team", "helix", "--warn-runway", "31d", "--crit-runway", "20d",
                            "--json").stdout)["teams"][0]
    assert beyond["state"] == "CRITICAL" and beyond["runwayDays"] < 20 and beyond["runwayAtLeast"] is False
    assert run("--sandbox", "check", "--team", "helix").stdout.startswith("XCONSOLE WARNING")  # its failed charge only


def test_the_forecast_judges_the_runway_conditions_with_its_cause():
    from datetime import datetime, timedelta, timezone

    from xconsole.core import billing
    from xconsole.core.check import evaluate
    from xconsole.core.forecast import ForecastInput, forecast
    from xconsole.core.hourly import HourlyUsage
    from xconsole.core.session import TeamHandle
    from xconsole.core.spend import TeamSummary

    now = datetime(2026, 11, 10, 12, tzinfo=timezone.utc)
    history = HourlyUsage(now - timedelta(days=28), (500,) * 28 * 24)  # $120 a day
    summary = billing.SpendSummary(live_balance=0, month_spend=90_000, beyond_prepaid=90_000, pending_purchases=None,
                                   soft_limit=150_000, hard_limit=500_000, runway_days=5.0)
    predicted = forecast(history, ForecastInput(credits=0, beyond_prepaid=90_000, month_spend=90_000,
                                                invoiced_limit=150_000), now)
    snap = TeamSummary(summary=summary, auto_top_up=None, daily=[], today=now.date(), forecast=predicted)
    team = TeamHandle("Acme", "acme-id", "keyring", "")
    checked = evaluate(team, snap, [], Thresholds(crit_runway_days=7), now=now)
    assert checked.state is State.CRITICAL and checked.rejected_at == predicted.rejected_at
    assert checked.reasons == ["requests rejected in ~5 days (from Sun 15 Nov ~12:00 — credits used up and the "
                               "invoiced billing limit reached)"]


def test_a_change_whose_hook_failed_is_reported_again_on_the_next_run(state_home, run, receiver):
    closed = f"http://127.0.0.1:{free_port()}/hook"
    failed = run("--sandbox", "check", "--team", "orbit", "--webhook", closed)
    assert failed.exit_code == 1 and "the webhook could not be reached" in failed.stderr
    run("--sandbox", "check", "--team", "orbit", "--webhook", receiver.url)
    assert [(c["oldState"], c["newState"]) for c in receiver.calls] == [("OK", "WARNING")]


def test_perf_labels_are_ascii_and_never_shared():
    from xconsole.core.check import perf_labels

    labels = perf_labels([TeamCheck("Acme Inc", "aaaaaaaa-1"), TeamCheck("acme-inc", "bbbbbbbb-2"),
                          TeamCheck("Équipe Zürich", "cccccccc-3"), TeamCheck("团队", "dddddddd-4")])
    assert labels == {"aaaaaaaa-1": "acme_inc_aaaaaaaa", "bbbbbbbb-2": "acme_inc_bbbbbbbb",
                      "cccccccc-3": "equipe_zurich", "dddddddd-4": "team_dddddddd"}
    data = perfdata([TeamCheck("Acme Inc", "aaaaaaaa-1", balance=100), TeamCheck("acme-inc", "bbbbbbbb-2", balance=200)],
                    Thresholds())
    assert all(PERF_ITEM.fullmatch(item) for item in data.split(" ")) and len(set(data.split("=")[0::1])) > 1


def test_plugin_output_of_many_teams_fits_what_nagios_reads_with_the_worst_first():
    from xconsole.core.check import PLUGIN_OUTPUT_MAX_BYTES, plugin_output

    checks = [TeamCheck(f"Extra Team {i:03d}", f"{i:08d}-team", balance=10_000 + i, runway_days=30.0, runway_known=True)
              for i in range(300)]
    checks[250].raise_to(State.CRITICAL, "requests rejected in 12 h")
    checks[7].raise_to(State.WARNING, "a charge failed in the last 30 days (invoice 12)")
    out = plugin_output(checks, Thresholds())
    lines = out.splitlines()
    head, data = lines[0].split(" | ")
    assert len(out.encode()) <= PLUGIN_OUTPUT_MAX_BYTES
    assert head.startswith("XCONSOLE CRITICAL - 2 of 300 teams need attention") and "(perfdata of " in head
    assert data.startswith("'extra_team_250_credits'=") and all(PERF_ITEM.fullmatch(i) for i in data.split(" "))
    assert lines[1].startswith("CRITICAL Extra Team 250") and lines[2].startswith("WARNING Extra Team 007")
    assert re.fullmatch(r"\.\.\. \d+ more teams \(\d+ OK\): xconsole check --json lists every team", lines[-1])
    few = plugin_output(checks[:3], Thresholds())
    assert [line.split(":")[0] for line in few.splitlines()[1:]] == ["OK Extra Team 000", "OK Extra Team 001", "OK Extra Team 002"]


def test_a_check_that_cannot_run_answers_json_when_asked(home, run):
    nothing = run("check", "--all", "--json")  # no team registered anywhere
    document = json.loads(nothing.stdout)
    assert nothing.exit_code == 3 and document["state"] == "UNKNOWN" and document["teams"] == []
    assert document["schemaVersion"] == 1 and document["error"]
    bad = run("--sandbox", "check", "--json", "--warn-runway", "a week")
    assert bad.exit_code == 3 and json.loads(bad.stdout)["error"].startswith("--warn-runway")


def test_hooks_run_side_by_side_and_a_run_stops_waiting_at_its_budget(tmp_path):
    from xconsole.core import alerts
    from tests.cli.test_metrics import wait_for

    checks = [TeamCheck(f"Team {i}", f"id-{i}", state=State.CRITICAL, reasons=["x"]) for i in range(3)]
    changes = alerts.changes(checks, {})

    def hook(phase: str) -> str:  # says it started, then holds until its phase's release file exists
        return f"echo >> {tmp_path / phase}.started; while [ ! -e {tmp_path / phase}.release ]; do sleep 0.05; done"

    # Hooks that do not end within the budget: the run stops waiting and reports them late.
    late = alerts.deliver(changes, hook("late"), None, budget_s=0.2)
    (tmp_path / "late.release").touch()
    assert [c.check.name for c, _ in late] == ["Team 0", "Team 1", "Team 2"]
    assert all(problem == "not delivered within 0.2 s: reported again next run" for _c, problem in late)

    # Side by side: all three hooks are running at once before any is let go.
    result: list = []
    runner = threading.Thread(target=lambda: result.extend(alerts.deliver(changes, hook("wide"), None)))
    runner.start()
    wait_for(lambda: len((tmp_path / "wide.started").read_text().splitlines()) == 3, "three hooks running at once")
    (tmp_path / "wide.release").touch()
    runner.join()
    assert result == []


def test_the_output_limit_holds_for_any_number_of_teams_and_labels_stay_unique():
    from xconsole.core.check import PLUGIN_OUTPUT_MAX_BYTES, perf_labels, plugin_output

    for count in (150, 400, 1500):
        checks = [TeamCheck(f"Extra Team {i:04d}", f"{i:08d}-team", balance=10_000, runway_days=30.0, runway_known=True)
                  for i in range(count)]
        for i in range(0, count, 7):
            checks[i].raise_to(State.WARNING if i % 2 else State.CRITICAL, "x")
        assert len(plugin_output(checks, Thresholds()).encode()) <= PLUGIN_OUTPUT_MAX_BYTES
    labels = perf_labels([TeamCheck("Acme", "1234abcd-1"), TeamCheck("acme", "5678efgh-2"),
                          TeamCheck("Acme 1234abcd", "9999zzzz-3")])
    assert len(set(labels.values())) == 3


def test_a_runway_threshold_beyond_the_forecast_horizon_uses_the_seven_day_rate():
    from datetime import datetime, timedelta, timezone

    from xconsole.core import billing
    from xconsole.core.check import evaluate
    from xconsole.core.forecast import ForecastInput, forecast
    from xconsole.core.hourly import HourlyUsage
    from xconsole.core.session import TeamHandle
    from xconsole.core.spend import TeamSummary

    now = datetime(2026, 11, 10, 12, tzinfo=timezone.utc)
    history = HourlyUsage(now - timedelta(days=28), (83,) * 28 * 24)  # ~$20 a day
    summary = billing.SpendSummary(live_balance=100_000, month_spend=20_000, beyond_prepaid=0, pending_purchases=None,
                                   soft_limit=0, hard_limit=0, runway_days=50.0)
    predicted = forecast(history, ForecastInput(credits=100_000, month_spend=20_000, invoiced_limit=0), now)
    assert predicted.rejected_at is None  # beyond its 30 days
    snap = TeamSummary(summary=summary, auto_top_up=None, daily=[], today=now.date(), forecast=predicted)
    checked = evaluate(TeamHandle("Acme", "acme-id", "keyring", ""), snap, [], Thresholds(warn_runway_days=60), now=now)
    assert checked.state is State.WARNING and checked.reasons == ["requests rejected in ~50 days"]
