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
