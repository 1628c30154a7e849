"""`xconsole buy` asked at a terminal: y/N below the typed-name threshold, the team's name from
it on (config `settings.type_team_name_from`), and what "Pay with" names on each server."""

from __future__ import annotations

import importlib
import json

import pytest

from xconsole.core.config import Config, Settings, TeamEntry, save_config
from tests.fixtures import reference as ref
from tests.fixtures.strict_api import Served, StrictApi


@pytest.fixture
def at_a_terminal(monkeypatch):
    """The command believes a person is at a terminal to answer it."""
    monkeypatch.setattr(importlib.import_module("xconsole.cli.buy"), "_can_ask", lambda: True)


@pytest.fixture
def strict(home, monkeypatch):
    api = StrictApi()
    with Served(api) as served:
        monkeypatch.setenv("XAI_MANAGEMENT_KEY", ref.KEY)
        yield api, served.url
    assert api.extension_requests == []


def configure(home, dollars: int | None = None, name: str = "Prod") -> None:
    settings = Settings() if dollars is None else Settings(type_team_name_from=dollars)
    save_config(Config(settings=settings, teams=[TeamEntry(name=name, team_id=ref.TEAM)]),
                home / "config" / "config.toml")


def test_below_the_threshold_a_yes_buys(strict, at_a_terminal, run):
    api, url = strict
    result = run("--api-url", url, "buy", "25", input="y\n")
    assert result.exit_code == 0, result.output
    assert "Pay with  the team's default payment method" in result.stderr
    assert "Buy $25.00?" in result.stderr and "Type the team's name" not in result.stderr
    assert "$25.00 of credits bought." in result.stdout
    assert [json.loads(r.body) for r in api.sent("POST", "/prepaid/top-up")] == [{"amount": {"val": "2500"}}]


def test_below_the_threshold_a_no_buys_nothing(strict, at_a_terminal, run):
    api, url = strict
    result = run("--api-url", url, "buy", "25", input="n\n")
    assert result.exit_code == 1 and "Nothing bought." in result.stderr
    assert api.sent("POST", "/prepaid/top-up") == []


def test_from_the_default_threshold_the_name_is_typed(strict, at_a_terminal, home, run):
    api, url = strict
    configure(home)  # names the team; the threshold stays $1,000
    wrong = run("--api-url", url, "buy", "1000", input="y\n")
    assert "Type the team's name (Prod) to buy $1,000.00" in wrong.stderr
    assert wrong.exit_code == 1 and "Nothing bought." in wrong.stderr
    assert api.sent("POST", "/prepaid/top-up") == []
    below = run("--api-url", url, "buy", "999.99", input="n\n")
    assert "Buy $999.99?" in below.stderr and below.exit_code == 1
    right = run("--api-url", url, "buy", "1000", "--json", input="Prod\n")
    assert right.exit_code == 0, right.output
    assert json.loads(right.stdout)["state"] == "bought"
    assert [json.loads(r.body) for r in api.sent("POST", "/prepaid/top-up")] == [{"amount": {"val": "100000"}}]


def test_a_team_with_no_name_is_confirmed_by_its_id(strict, at_a_terminal, run):
    api, url = strict  # XAI_MANAGEMENT_KEY, no config entry: the API never says the team's name
    asked = run("--api-url", url, "buy", "1000", input=f"team {ref.TEAM[:8]}\n")
    assert f"Type the team's ID ({ref.TEAM[:8]}) to buy $1,000.00" in asked.stderr
    assert asked.exit_code == 1 and api.sent("POST", "/prepaid/top-up") == []
    right = run("--api-url", url, "buy", "1000", input=f"{ref.TEAM[:8]}\n")
    assert right.exit_code == 0, right.output
    assert len(api.sent("POST", "/prepaid/top-up")) == 1


def test_the_threshold_comes_from_the_config(strict, at_a_terminal, home, run):
    api, url = strict
    configure(home, dollars=50)
    asked = run("--api-url", url, "buy", "50", input="prod\n")  # the name exactly, not another case
    assert "Type the team's name (Prod) to buy $50.00" in asked.stderr
    assert asked.exit_code == 1 and "Nothing bought." in asked.stderr
    assert "Buy $49.00?" in run("--api-url", url, "buy", "49", input="n\n").stderr
    assert api.sent("POST", "/prepaid/top-up") == []


def test_yes_skips_the_typed_name(strict, home, run):
    api, url = strict
    configure(home, dollars=25)
    result = run("--api-url", url, "buy", "25", "--yes")
    assert result.exit_code == 0, result.output
    assert "Type the team's name" not in result.output
    assert len(api.sent("POST", "/prepaid/top-up")) == 1


def test_read_only_buys_nothing_and_asks_nothing(strict, at_a_terminal, run):
    api, url = strict
    result = run("--api-url", url, "--read-only", "buy", "25", "--yes")
    assert result.exit_code == 1 and "Read-only mode" in result.stderr
    assert api.requests == []


def test_on_a_registered_sandbox_team_the_default_card_is_named_and_the_name_typed(home, served, memory_keyring,
                                                                                  at_a_terminal, run):
    lumen = served.teams["lumen"]
    added = run("team", "add", "Lumen", "--key-stdin", "--api-url", served.url, input=lumen["managementKey"])
    assert added.exit_code == 0, added.output
    from xconsole.core.config import load_config

    config = load_config(home / "config" / "config.toml")
    config.settings.type_team_name_from = 30
    save_config(config, home / "config" / "config.toml")
    wrong = run("buy", "30", "--team", "Lumen", input="Orbit\n")
    assert "Pay with  Visa ··4242 (the default payment method)" in wrong.stderr
    assert "Type the team's name (Lumen) to buy $30.00" in wrong.stderr
    assert wrong.exit_code == 1 and "Nothing bought." in wrong.stderr
    right = run("buy", "30", "--team", "Lumen", "--json", input="Lumen\n")
    assert right.exit_code == 0, right.output
    assert json.loads(right.stdout)["state"] == "bought"


def test_credits_that_pay_this_months_usage_first_are_confirmed_as_such(home, served, memory_keyring, at_a_terminal, run):
    helix = served.teams["helix"]  # no credits, this month's usage beyond them
    added = run("team", "add", "Helix", "--key-stdin", "--api-url", served.url, input=helix["managementKey"])
    assert added.exit_code == 0, added.output
    result = run("buy", "25", "--team", "Helix", input="n\n")
    assert result.exit_code == 1 and "Nothing bought." in result.stderr
    assert "Pays      first $25.00 of the $" in result.stderr
    assert "used this month beyond prepaid credits (less to pay at month end): credits stay $0.00" in result.stderr


def test_with_several_teams_a_purchase_needs_the_team_named_in_full(home, own_served, memory_keyring, run):
    for name in ("Lumen", "Orbit"):  # a sandbox of its own: the shared one's balances are others' fixtures
        added = run("team", "add", name, "--key-stdin", "--api-url", own_served.url,
                    input=own_served.teams[name.lower()]["managementKey"])
        assert added.exit_code == 0, added.output
    unnamed = run("buy", "25", "--yes")  # never the last used or the first team
    assert unnamed.exit_code == 1 and "name the one to act on with --team" in unnamed.stderr
    prefix = run("buy", "25", "--team", "o", "--yes")
    assert prefix.exit_code == 1 and "a write needs the team's name (whole words) or ID" in prefix.stderr
    assert run("balance", "--team", "o").exit_code == 0  # a read may still use the first letters
    named = run("buy", "25", "--team", "orbit", "--yes", "--json")
    assert named.exit_code == 0 and json.loads(named.stdout)["team"]["name"] == "Orbit", named.output
