"""Commands against the strict real-shape server over HTTP: nothing sandbox-only is ever sent,
unset fields do not break a command, and an organisation-scoped key is told what to do."""

import json

import pytest

from tests.fixtures import reference as ref
from tests.fixtures.strict_api import Served, StrictApi


@pytest.fixture
def strict():
    api = StrictApi()
    with Served(api) as served:
        yield api, served.url
    assert api.extension_requests == []


@pytest.mark.parametrize("slash", ["", "/"])
def test_balance_json_on_the_real_api_shape(home, strict, run, monkeypatch, slash):
    api, url = strict
    monkeypatch.setenv("XAI_MANAGEMENT_KEY", ref.KEY)
    result = run("--api-url", url + slash, "balance", "--json")
    assert result.exit_code == 0, result.output
    row = json.loads(result.output)["teams"][0]
    assert row["teamId"] == ref.TEAM and row["error"] is None
    assert row["balance"]["cents"] == 7_750 - 1_875 and row["autoTopUp"] is None  # the live figure
    assert row["unreported"] == []
    assert ref.KEY not in result.output
    assert not any("auto-top-up" in r.path or "invoiced-billing" in r.path for r in api.requests)


def test_doctor_names_access_kind_and_console_only_features(home, strict, run, monkeypatch):
    _api, url = strict
    monkeypatch.setenv("XAI_MANAGEMENT_KEY", ref.KEY)
    result = run("--api-url", url, "doctor")
    line = next(line for line in result.output.splitlines() if "API:" in line)
    assert f"team {ref.TEAM}" in line and "billing read yes, write yes" in line
    assert f"real API at {url}" in line and "console only here: auto top-up, promo codes" in line
    assert ref.KEY not in result.output and ref.KEY[-4:] not in line


def test_doctor_on_the_served_sandbox_says_sandbox(home, served, run, monkeypatch):
    monkeypatch.setenv("XAI_MANAGEMENT_KEY", served.teams["lumen"]["managementKey"])
    result = run("--api-url", served.url, "doctor")
    line = next(line for line in result.output.splitlines() if "API:" in line)
    assert f"sandbox at {served.url}" in line and "console only" not in line


def test_an_organisation_key_is_asked_for_the_team_id(home, run, monkeypatch):
    api = StrictApi(org_scoped=True)
    with Served(api) as served:
        monkeypatch.setenv("XAI_MANAGEMENT_KEY", ref.KEY)
        refused = run("--api-url", served.url, "balance")
        assert refused.exit_code == 1 and "organisation-scoped" in refused.output and "--team <team id>" in refused.output
        assert "--team-id" not in refused.output
        result = run("--api-url", served.url, "--team", ref.TEAM, "balance", "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["teams"][0]["teamId"] == ref.TEAM


def test_team_add_validates_a_key_against_null_filled_answers(home, strict, memory_keyring, run):
    _api, url = strict
    result = run("team", "add", "Lumen", "--key-stdin", "--api-url", url, input=ref.KEY + "\n")
    assert result.exit_code == 0, result.output
    assert memory_keyring.store[("xconsole", f"team:{ref.TEAM}")] == ref.KEY


def test_buy_sends_the_amount_once_and_says_what_happened(home, strict, run, monkeypatch):
    api, url = strict
    monkeypatch.setenv("XAI_MANAGEMENT_KEY", ref.KEY)
    result = run("--api-url", url, "buy", "25", "--yes", "--json")
    assert result.exit_code == 0, result.output
    done = json.loads(result.output)
    assert done["state"] == "bought" and done["created"] and done["amount"]["cents"] == 2500
    assert [json.loads(r.body) for r in api.sent("POST", "/prepaid/top-up")] == [{"amount": {"val": "2500"}}]


def test_buy_while_a_top_up_is_pending_makes_no_new_charge(home, run, monkeypatch):
    api = StrictApi(settle_after_reads=None)
    monkeypatch.setattr("xconsole.core.purchase.FOLLOW_DELAYS_S", (0.0,))
    with Served(api) as served:
        monkeypatch.setenv("XAI_MANAGEMENT_KEY", ref.KEY)
        first = run("--api-url", served.url, "buy", "25", "--yes")
        assert first.exit_code == 0 and "is charging" in first.output and "bank" not in first.output.lower()
        second = run("--api-url", served.url, "buy", "50", "--yes")
        assert second.exit_code == 1 and "A top-up of $25.00 from" in second.output
        assert "no new charge was made" in second.output
    assert len(api.sent("POST", "/prepaid/top-up")) == 2 and len(api.charged) == 1 and api.extension_requests == []


def test_buy_refuses_without_a_confirmation_and_under_the_minimum(home, strict, run, monkeypatch):
    api, url = strict
    monkeypatch.setenv("XAI_MANAGEMENT_KEY", ref.KEY)
    assert run("--api-url", url, "buy", "25").exit_code == 1  # no terminal to ask on, no --yes
    declined = run("--api-url", url, "buy", "25", input="n\n")
    assert "--yes" in declined.output or "Nothing bought" in declined.output
    low = run("--api-url", url, "buy", "24.99", "--yes")
    assert low.exit_code == 2 and "at least $25.00" in low.output
    assert api.sent("POST", "/prepaid/top-up") == []


def test_buy_on_a_served_sandbox_names_the_default_card(home, run, monkeypatch):
    from tests.served import ServedSandbox

    with ServedSandbox() as sandbox:
        monkeypatch.setenv("XAI_MANAGEMENT_KEY", sandbox.teams["lumen"]["managementKey"])
        result = run("--api-url", sandbox.url, "buy", "25", "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["state"] == "bought"


def test_an_unknown_figure_trips_a_threshold_instead_of_passing_quietly(home, run, monkeypatch):
    api = StrictApi(usage_fails=True)  # no spend rate: the runway cannot be known
    with Served(api) as served:
        monkeypatch.setenv("XAI_MANAGEMENT_KEY", ref.KEY)
        result = run("--api-url", served.url, "balance", "--json", "--runway-below", "5")
    row = json.loads(result.stdout)["teams"][0]
    assert row["runwayKnown"] is False and row["usageError"] and row["balance"]["cents"] == 5875
    assert result.exit_code == 3 and "runway unknown" in result.stderr
