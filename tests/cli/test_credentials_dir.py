"""Keys for services without a keyring: `team-<team_id>` files in a credentials directory
(`XCONSOLE_CREDENTIALS_DIRECTORY`, or systemd's `$CREDENTIALS_DIRECTORY`)."""

from __future__ import annotations

import asyncio
import json

import pytest

from xconsole.cli.options import Options
from tests.cli.conftest import credentials_dir


@pytest.fixture
def keys_dir(home, served, monkeypatch):
    directory = credentials_dir(home / "credentials", served, "lumen", "orbit")
    monkeypatch.setenv("XCONSOLE_CREDENTIALS_DIRECTORY", str(directory))
    return directory


def test_commands_read_the_teams_and_keys_from_the_directory(keys_dir, served, run):
    result = run("--api-url", served.url, "balance", "--all", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["teams"]
    assert {r["teamId"] for r in rows} == {served.teams["lumen"]["teamId"], served.teams["orbit"]["teamId"]}
    assert all(r["source"] == "credentials" and r["error"] is None for r in rows)
    checked = run("--api-url", served.url, "check", "--all")
    assert checked.exit_code in (0, 1, 2) and "UNKNOWN" not in checked.stdout.splitlines()[0]
    assert served.teams["lumen"]["managementKey"] not in result.output + checked.output


def test_systemds_variable_works_too_and_the_tui_gets_the_same_teams(keys_dir, served, monkeypatch):
    from xconsole.cli.wiring import build_session

    monkeypatch.delenv("XCONSOLE_CREDENTIALS_DIRECTORY")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(keys_dir))  # as LoadCredential= sets it
    session = asyncio.run(build_session(Options(api_url=served.url)))  # what the TUI and every command build
    assert sorted(t.source for t in session.teams) == ["credentials", "credentials"]
    assert not session.can_add_teams  # a service's keys are provided, not added here


def test_a_key_file_readable_by_others_is_refused_in_one_line(keys_dir, served, run):
    orbit = served.teams["orbit"]
    (keys_dir / f"team-{orbit['teamId']}").chmod(0o644)  # a Secret volume's default mode
    result = run("--api-url", served.url, "balance", "--all", "--json")
    rows = {r["teamId"]: r for r in json.loads(result.stdout)["teams"]}
    error = rows[orbit["teamId"]]["error"]
    assert "open to group or others (mode 0644): refused" in error and "\n" not in error
    assert rows[served.teams["lumen"]["teamId"]]["error"] is None
    assert orbit["managementKey"] not in result.output


def test_doctor_says_where_each_teams_key_comes_from(keys_dir, served, run):
    result = run("--api-url", served.url, "doctor")
    assert "credentials directory" in result.output and "keys for 2 team(s)" in result.output
    assert result.output.count("key valid (credentials)") == 2
    assert served.teams["lumen"]["managementKey"] not in result.output


def test_doctor_with_an_environment_key_does_not_fail_on_an_unusable_keyring(home, served, run, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # a host with no keyring
    env = {"XAI_MANAGEMENT_KEY": served.teams["lumen"]["managementKey"]}
    result = run("--api-url", served.url, "doctor", env=env)
    assert result.exit_code == 0, result.output
    keyring = [line for line in result.output.splitlines() if line[3:].lstrip().startswith("keyring")]
    assert keyring and all(line.startswith("ok ") for line in keyring), result.output
    assert "not used: the key comes from XAI_MANAGEMENT_KEY" in result.output
    assert served.teams["lumen"]["managementKey"] not in result.output
