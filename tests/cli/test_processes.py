"""The real `xconsole` process: Secret Service round trip, backends chosen by environment,
`sandbox serve` answering curl, and `doctor`."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
XCONSOLE = [sys.executable, "-m", "xconsole"]


def env_for(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("XAI_MANAGEMENT_KEY", "XCONSOLE_API_URL", "PYTHON_KEYRING_BACKEND")}
    env.update(XCONSOLE_CONFIG_FILE=str(home / "config.toml"), XDG_DATA_HOME=str(home / "data"),
               PYTHONPATH=str(ROOT), TERM="xterm-256color", COLUMNS="100", LINES="30")
    env.update(extra)
    return env


def xconsole(*args: str, env: dict, stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([*XCONSOLE, *args], input=stdin, env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


in_secret_service = pytest.mark.skipif(
    not os.environ.get("XCONSOLE_IN_SECRET_SERVICE"),
    reason="needs the private Secret Service that `make test` starts (scripts/with-secret-service.sh)",
)


@pytest.mark.keyring
@in_secret_service
def test_round_trip_through_the_real_secret_service(tmp_path, served):
    lumen = served.teams["lumen"]
    env = env_for(tmp_path)
    lookup = ["secret-tool", "lookup", "service", "xconsole", "username", f"team:{lumen['teamId']}"]
    added = xconsole("team", "add", "Lumen", "--key-stdin", "--api-url", served.url, env=env, stdin=lumen["managementKey"])
    assert added.returncode == 0, added.stderr
    assert "SecretService" in added.stdout
    found = subprocess.run(lookup, capture_output=True, text=True, env=env)
    assert found.stdout == lumen["managementKey"]
    assert lumen["managementKey"] not in (tmp_path / "config.toml").read_text()
    balance = xconsole("balance", "--json", env=env)
    assert balance.returncode == 0, balance.stderr
    assert '"source": "keyring"' in balance.stdout
    removed = xconsole("team", "remove", "Lumen", env=env)
    assert removed.returncode == 0, removed.stderr
    gone = subprocess.run(lookup, capture_output=True, text=True, env=env)
    assert gone.stdout == "" and gone.returncode != 0


def test_fail_backend_by_environment(tmp_path, served):
    env = env_for(tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    result = xconsole("team", "add", "Lumen", "--key-stdin", "--api-url", served.url, env=env,
                      stdin=served.teams["lumen"]["managementKey"])
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "XAI_MANAGEMENT_KEY" in result.stderr and "xconsole doctor" in result.stderr
    assert not (tmp_path / "config.toml").exists()
    doctor = xconsole("doctor", env=env)
    assert doctor.returncode == 1 and "gnome-keyring-daemon --unlock" in doctor.stdout
    with_env = xconsole("--api-url", served.url, "balance", env={**env, "XAI_MANAGEMENT_KEY": served.teams["helix"]["managementKey"]})
    assert with_env.returncode == 0 and served.teams["helix"]["teamId"][:8] in with_env.stdout


@pytest.mark.keyring
@in_secret_service
def test_doctor_all_good_with_a_working_keyring(tmp_path, served):
    # Its round trip is the console's: a process per call, so a real keyring, shared between them.
    env = env_for(tmp_path)
    result = xconsole("doctor", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "keyring round trip" in result.stdout and "All good" in result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")
def test_sandbox_serve_answers_curl(tmp_path):
    port = free_port()
    env = env_for(tmp_path)
    proc = subprocess.Popen([*XCONSOLE, "sandbox", "serve", "--port", str(port), "--db", str(tmp_path / "s.db")],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                teams = httpx.get(f"{base}/sandbox/teams", timeout=1).json()["teams"]
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("sandbox serve did not come up: " + proc.stderr.read() if proc.poll() is not None else "timeout")
        team = teams[0]
        out = subprocess.run(
            ["curl", "-sf", "-H", f"Authorization: Bearer {team['managementKey']}",
             f"127.0.0.1:{port}/v1/billing/teams/{team['teamId']}/prepaid/balance"],
            capture_output=True, text=True, timeout=30,
        )
        assert out.returncode == 0
        body = httpx.Response(200, text=out.stdout).json()
        assert set(body) == {"changes", "total"} and isinstance(body["total"]["val"], str)
        assert body["changes"][0]["amount"]["val"].lstrip("-").isdigit()
        spec = httpx.get(f"{base}/openapi.json").json()
        tags = {tag for op in spec["paths"].values() for o in op.values() for tag in o.get("tags", [])}
        assert "sandbox-only: console features" in tags
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.keyring
@in_secret_service
def test_the_early_read_gets_the_key_from_an_unlocked_secret_service(tmp_path, served):
    # Orbit, not Lumen: the round trip above stores and removes Lumen's key in the same Secret
    # Service, and the two may run at once on two pytest workers ("No key stored for Lumen").
    orbit = served.teams["orbit"]
    env = env_for(tmp_path)
    added = xconsole("team", "add", "Orbit", "--key-stdin", "--api-url", served.url, env=env, stdin=orbit["managementKey"])
    assert added.returncode == 0, added.stderr
    try:
        done = subprocess.run([sys.executable, "-P", "-m", "xconsole.cli.early_read", orbit["teamId"]],
                              env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert '"team_id": "%s"' % orbit["teamId"] in done.stdout and orbit["managementKey"] not in done.stdout
    finally:
        xconsole("team", "remove", "Orbit", env=env)


CONSOLE_SESSION = """
import asyncio, sys
from xconsole.cli.run_options import Options
from xconsole.cli.tui import build_app
from xconsole.core.spend import read_numbers

async def main():
    session = await build_app(Options()).session_factory()
    team = session.teams[0]
    numbers = await read_numbers(await session.client_for(team), team.team_id)
    loaded = sorted({"keyring", "secretstorage", "cryptography", "jeepney"} & {m.split(".")[0] for m, module in sys.modules.items() if module})
    print(type(session.keystore).__name__, numbers.live_balance is not None, loaded)
    await session.aclose()

asyncio.run(main())
"""


@pytest.mark.keyring
@in_secret_service
def test_the_console_reads_a_key_without_loading_the_keyring_into_its_process(tmp_path, served):
    """The keyring stack (~10 MB) stays out of the console's process: keys come through a child."""
    lumen = served.teams["lumen"]
    env = env_for(tmp_path, XCONSOLE_NO_EARLY_READ="1")
    added = xconsole("team", "add", "Lumen", "--key-stdin", "--api-url", served.url, env=env, stdin=lumen["managementKey"])
    assert added.returncode == 0, added.stderr
    done = subprocess.run([sys.executable, "-c", CONSOLE_SESSION], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["ProcessKeyStore", "True", "[]"], done.stderr
