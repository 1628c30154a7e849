"""`xconsole team` against a served sandbox and the real API's shapes; keys never in the config."""

import json
import stat

import keyring
import respx
from keyring.backends import fail

from tests.fixtures import reference as ref
from tests.fixtures.keyrings import HangingKeyring


def config_text(home):
    path = home / "config" / "config.toml"
    return path.read_text() if path.exists() else ""


def test_add_list_rename_remove_keeps_the_key_out_of_the_config(home, served, memory_keyring, run):
    lumen = served.teams["lumen"]
    key = lumen["managementKey"]
    result = run("team", "add", "Lumen", "--key-stdin", "--api-url", served.url, input=key + "\n")
    assert result.exit_code == 0, result.output
    assert "xai-…" in result.output and key not in result.output
    assert memory_keyring.store[("xconsole", f"team:{lumen['teamId']}")] == key
    path = home / "config" / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key not in config_text(home) and lumen["teamId"] in config_text(home)

    listed = json.loads(run("team", "list", "--json").output)["teams"]
    assert listed == [{"name": "Lumen", "teamId": lumen["teamId"], "keyHint": f"xai-…{key[-4:]}",
                       "apiUrl": served.url, "lastUsed": None, "active": False}]

    assert run("team", "rename", "Lumen", "Lumen Labs").exit_code == 0
    assert key not in config_text(home) and "Lumen Labs" in config_text(home)

    result = run("team", "remove", "lumen labs")
    assert result.exit_code == 0 and "Removed" in result.output
    assert memory_keyring.store == {}
    assert lumen["teamId"] not in config_text(home) and key not in config_text(home)


def test_adding_the_same_team_again_updates_it(home, served, memory_keyring, run):
    lumen = served.teams["lumen"]
    for name in ("Lumen", "Lumen"):
        assert run("team", "add", name, "--key-stdin", "--api-url", served.url, input=lumen["managementKey"]).exit_code == 0
    assert len(json.loads(run("team", "list", "--json").output)["teams"]) == 1
    # The same key under another name and URL: one team still, and both said.
    elsewhere = served.url.replace("127.0.0.1", "localhost")
    again = run("team", "add", "lumen-ro", "--key-stdin", "--api-url", elsewhere, input=lumen["managementKey"])
    assert again.exit_code == 0, again.output
    assert 'Replaced the key of team "Lumen"' in again.output
    assert 'the name "lumen-ro" was not used' in again.output
    assert f"Its API URL changed: {served.url} → {elsewhere}." in again.output
    assert [t["name"] for t in json.loads(run("team", "list", "--json").output)["teams"]] == ["Lumen"]
    # Another team may not take a used name.
    orbit = served.teams["orbit"]
    result = run("team", "add", "lumen", "--key-stdin", "--api-url", served.url, input=orbit["managementKey"])
    assert result.exit_code == 1 and "already used" in result.output


def test_bad_key_stores_nothing(home, served, memory_keyring, run):
    result = run("team", "add", "Nope", "--key-stdin", "--api-url", served.url, input="xai-not-a-real-key-000000")
    assert result.exit_code == 1
    assert "Key not accepted" in result.output and "Key rejected" in result.output
    assert memory_keyring.store == {} and config_text(home) == ""


def test_an_unreachable_server_is_not_called_a_refused_key(home, memory_keyring, run):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    result = run("team", "add", "Nope", "--key-stdin", "--api-url", url, input="xai-" + "k" * 40)
    assert result.exit_code == 1 and "Key not accepted" not in result.output, result.output
    assert f"Could not check the key with {url}" in result.output and "Nothing was registered" in result.output
    assert memory_keyring.store == {} and config_text(home) == ""


def test_team_adds_own_api_url_wins_over_the_environments(home, served, memory_keyring, run):
    from xconsole.core.paths import API_URL_ENV

    lumen = served.teams["lumen"]
    result = run("team", "add", "Lumen", "--key-stdin", "--api-url", served.url, input=lumen["managementKey"],
                 env={API_URL_ENV: "https://elsewhere.invalid"})
    assert result.exit_code == 0, result.output
    assert json.loads(run("team", "list", "--json").output)["teams"][0]["apiUrl"] == served.url
    wrong = run("team", "add", "Orbit", "--key-stdin", input="xai-" + "k" * 40, env={API_URL_ENV: "example.com"})
    assert wrong.exit_code == 1 and API_URL_ENV in wrong.output  # said before any key is read or stored


def test_a_wrong_path_is_not_called_a_refused_key(home, served, memory_keyring, run):
    lumen = served.teams["lumen"]
    result = run("team", "add", "Lumen", "--key-stdin", "--api-url", f"{served.url}/not-the-api", input=lumen["managementKey"])
    assert result.exit_code == 1 and "Key not accepted" not in result.output, result.output
    assert "Could not check the key" in result.output and "Is the API URL right?" in result.output
    assert memory_keyring.store == {}


def test_an_api_url_that_cannot_be_one_is_refused_before_the_key_is_read(home, memory_keyring, run):
    key = "xai-" + "k" * 40
    for url, says in (("127.0.0.1:8787", "http:// or https://"), ("ftp://example.com", "http:// or https://"),
                      ("https://user:s3cret@example.com", "user or password"), ("https://example.com?a=s3cret", "query"),
                      ("http://u:s3cret@example.com:port", "user or password"), ("http://example.com:port", "valid host and port"),
                      ("https://example.com\r", "control characters"), (" https://example.com", "spaces"),
                      ("http://example.com:0", "port cannot be 0"), (key, "http:// or https://")):
        for where in (("--api-url", url, "team", "add", "X", "--key-stdin"), ("team", "add", "X", "--key-stdin", "--api-url", url)):
            result = run(*where, input=key)
            assert result.exit_code == 2 and "Invalid value for '--api-url'" in result.output and says in result.output, \
                (where, result.output)
            assert "s3cret" not in result.output and key not in result.output  # the value is never repeated
    assert memory_keyring.store == {} and config_text(home) == ""
    # A path prefix, a trailing slash and IPv6 hosts are URLs an API can have.
    from xconsole.core.endpoints import api_url_problem

    for fine in ("https://host/api/", "http://[::1]:8787", "https://management-api.x.ai"):
        assert api_url_problem(fine) is None, fine


def test_key_with_inner_whitespace_is_refused(home, served, memory_keyring, run):
    result = run("team", "add", "X", "--key-stdin", "--api-url", served.url, input="xai-abc def\n")
    assert result.exit_code == 1 and "spaces, newlines" in result.output


def test_team_id_mismatch_is_refused(home, served, memory_keyring, run):
    lumen, orbit = served.teams["lumen"], served.teams["orbit"]
    result = run("team", "add", "X", "--key-stdin", "--api-url", served.url, "--team-id", orbit["teamId"],
                 input=lumen["managementKey"])
    assert result.exit_code == 1 and "belongs to team" in result.output


def test_read_only_key_is_noted(home, served, memory_keyring, run):
    lumen = served.teams["lumen"]
    result = run("team", "add", "Viewer", "--key-stdin", "--api-url", served.url, input=lumen["readOnlyKey"])
    assert result.exit_code == 0 and "cannot change it" in result.output.replace("not change", "cannot change")


def test_real_api_shapes_and_org_scoped_keys(home, memory_keyring, run):
    with respx.mock(base_url=ref.BASE) as api:
        api.get("/auth/management-keys/validation").respond(json=ref.VALIDATION)
        api.get(f"/v1/billing/teams/{ref.TEAM}/postpaid/spending-limits").respond(json=ref.SPENDING_LIMITS)
        result = run("team", "add", "Real", "--key-stdin", input=ref.KEY)
        assert result.exit_code == 0, result.output
        assert memory_keyring.store[("xconsole", f"team:{ref.TEAM}")] == ref.KEY
        assert "cannot change" in result.output.replace("not change", "cannot change")  # the example key lacks BillingWrite

    with respx.mock(base_url=ref.BASE) as api:
        api.get("/auth/management-keys/validation").respond(json={"scope": "SCOPE_ORGANIZATION", "scopeId": "org-1"})
        result = run("team", "add", "Org", "--key-stdin", input="xai-organisation-key-0000000000")
        assert result.exit_code == 1 and "--team-id" in result.output


def test_fail_backend_names_the_way_out(home, served, run):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        result = run("team", "add", "Lumen", "--key-stdin", "--api-url", served.url, input=served.teams["lumen"]["managementKey"])
    finally:
        keyring.set_keyring(previous)
    assert result.exit_code == 1
    assert "XAI_MANAGEMENT_KEY" in result.output and "xconsole doctor" in result.output
    assert config_text(home) == ""


def test_env_key_works_without_a_keyring(home, served, run):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        env = {"XAI_MANAGEMENT_KEY": served.teams["orbit"]["managementKey"]}
        result = run("--api-url", served.url, "balance", "--json", env=env)
        assert result.exit_code == 0, result.output
        doc = json.loads(result.output)
        assert doc["teams"][0]["teamId"] == served.teams["orbit"]["teamId"] and doc["teams"][0]["source"] == "env"
        assert run("team", "list", env=env).exit_code == 0
    finally:
        keyring.set_keyring(previous)


def test_hanging_keyring_times_out_with_a_clear_error(home, served, run, monkeypatch):
    monkeypatch.setenv("XCONSOLE_KEYRING_TIMEOUT", "0.3")
    previous = keyring.get_keyring()
    keyring.set_keyring(HangingKeyring())
    try:
        result = run("team", "add", "Lumen", "--key-stdin", "--api-url", served.url, input=served.teams["lumen"]["managementKey"])
    finally:
        keyring.set_keyring(previous)
    assert result.exit_code == 1 and "did not answer within 0.3 s" in result.output
    assert config_text(home) == ""


def test_no_key_argument_exists(run):
    help_text = run("team", "add", "--help").output
    assert "--key-stdin" in help_text and "--key " not in help_text


def test_bad_arguments_exit_2(run):
    assert run("balance", "--team", "a", "--all").exit_code == 2
    assert run("nonsense").exit_code == 2
