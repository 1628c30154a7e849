"""The early read: a second process reads the starting team's numbers while the console starts
(cli/early_read.py). It must say exactly what `balance` says, for that team only, and never the key."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from xconsole.core import early_read
from tests.cli.conftest import credentials_dir


@pytest.fixture
def keys_dir(home, served, monkeypatch):
    directory = credentials_dir(home / "credentials", served, "lumen", "orbit")
    monkeypatch.setenv("XCONSOLE_CREDENTIALS_DIRECTORY", str(directory))
    monkeypatch.delenv(early_read.DISABLE_ENV, raising=False)
    return directory


def child(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xconsole.cli.early_read", *args], capture_output=True, timeout=60)


def test_it_prints_what_balance_says_for_that_team_and_never_the_key(keys_dir, served, run):
    lumen = served.teams["lumen"]
    done = child(lumen["teamId"], "--api-url", served.url)
    assert done.returncode == 0, done.stderr
    assert lumen["managementKey"].encode() not in done.stdout + done.stderr
    numbers = early_read.parse(done.stdout, lumen["teamId"])
    assert numbers is not None and numbers.live and numbers.sandbox  # this server says it is the sandbox
    row = json.loads(run("--api-url", served.url, "balance", "--team", lumen["teamId"], "--json").stdout)["teams"][0]
    assert (numbers.live_balance, numbers.month_spend, numbers.soft_limit) == \
        (row["balance"]["cents"], row["monthSpend"]["cents"], row["invoicedLimit"]["cents"])
    assert early_read.parse(done.stdout, served.teams["orbit"]["teamId"]) is None  # another team's: never


def test_a_team_without_a_key_or_an_unreachable_server_says_nothing(keys_dir, served):
    unknown = child("00000000-0000-4000-8000-000000000000", "--api-url", served.url)
    assert unknown.returncode != 0 and unknown.stdout == b""
    refused = child(served.teams["lumen"]["teamId"], "--api-url", "http://127.0.0.1:9")  # nothing listens
    assert refused.returncode != 0 and refused.stdout == b""


def test_the_console_gets_the_numbers_through_the_pipe(keys_dir, served):
    lumen = served.teams["lumen"]
    started = early_read.spawn(lumen["teamId"], served.url)
    assert started is not None
    try:
        numbers = asyncio.run(started.numbers())
    finally:
        started.stop()
    assert numbers is not None and numbers.team_id == lumen["teamId"] and numbers.live_balance is not None
    assert started.process.returncode in (0, -signal.SIGKILL)  # ended by itself or, still closing, by stop()


def test_the_line_counts_as_soon_as_it_ends_not_when_the_child_exits():
    # The child writes its numbers before it closes its connections: the console does not wait.
    line = ('{"version": 1, "team_id": "T", "live_balance": 1, "month_spend": 2, "soft_limit": 0, '
            '"read_at": "2026-11-28T10:00:00+00:00"}')
    script = f"import sys, time; print({line!r}, flush=True); time.sleep(60)"
    started = early_read.EarlyRead("T", subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE))
    try:
        # Bounded, never waited out: without the newline rule the answer would come at exit (60 s).
        numbers = asyncio.run(asyncio.wait_for(started.numbers(), 30))
        assert started.process.poll() is None  # still "closing"
    finally:
        started.stop()
    assert numbers is not None and (numbers.live_balance, numbers.month_spend) == (1, 2)
    assert started.process.returncode is not None


def test_stop_ends_a_child_that_is_still_reading():
    # A child that never answers (a keyring waiting for a password): quitting the console ends it.
    started = early_read.EarlyRead("t", subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                                                         stdout=subprocess.PIPE))
    started.stop()
    assert started.process.returncode is not None


def test_switched_off_it_starts_nothing(monkeypatch):
    monkeypatch.setenv(early_read.DISABLE_ENV, "1")
    assert early_read.spawn("any", None) is None


@pytest.mark.parametrize("output", [
    b"",
    b"not json",
    b'{"version": 2, "team_id": "T", "live_balance": 1, "month_spend": 1, "soft_limit": 0, "read_at": "2026-11-28T10:00:00+00:00"}',
    b'{"version": 1, "team_id": "T", "live_balance": "1", "month_spend": 1, "soft_limit": 0, "read_at": "2026-11-28T10:00:00+00:00"}',
    b'{"version": 1, "team_id": "T", "live_balance": 1.5, "month_spend": 1, "soft_limit": 0, "read_at": "2026-11-28T10:00:00+00:00"}',
    b'{"version": 1, "team_id": "T", "live_balance": 1, "month_spend": 1, "soft_limit": 0, "read_at": "2026-11-28T10:00:00"}',
    b'{"version": 1, "team_id": "T", "live_balance": 1, "month_spend": 1}',
    b'[1, 2]',
])
def test_anything_but_a_well_formed_answer_is_ignored(output):
    assert early_read.parse(output, "T") is None


def test_a_well_formed_answer_is_live_numbers():
    output = b'{"version": 1, "team_id": "T", "live_balance": -250, "month_spend": null, "soft_limit": 0, ' \
             b'"read_at": "2026-11-28T10:00:00+00:00", "sandbox": false}'
    numbers = early_read.parse(output, "T")
    assert numbers is not None and numbers.live and not numbers.sandbox
    assert (numbers.live_balance, numbers.month_spend, numbers.soft_limit, numbers.runway_days) == (-250, None, 0, None)
    assert numbers.saved_at == datetime(2026, 11, 28, 10, tzinfo=timezone.utc)


def test_code_where_the_console_was_started_is_never_imported(keys_dir, served, tmp_path):
    # `python -m` would put the working directory first on sys.path: a json.py there must not run
    # in the process that reads the key.
    (tmp_path / "json.py").write_text("raise SystemExit('the decoy ran')\n")
    lumen = served.teams["lumen"]
    started = early_read.spawn(lumen["teamId"], served.url)
    assert started is not None
    started.stop()
    done = subprocess.run(started.process.args, capture_output=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0 and b"the decoy ran" not in done.stderr
    assert early_read.parse(done.stdout, lumen["teamId"]) is not None


def test_the_child_never_asks_the_keyring_for_a_password(home):
    from xconsole.cli.options import Options
    from xconsole.cli.wiring import registry_session

    assert registry_session(Options(keyring_may_prompt=False)).keystore.may_prompt is False
    assert registry_session(Options()).keystore.may_prompt is True


def test_only_the_first_line_counts():
    line = b'{"version": 1, "team_id": "T", "live_balance": 7, "month_spend": 1, "soft_limit": 0, ' \
           b'"read_at": "2026-11-28T10:00:00+00:00"}'
    numbers = early_read.parse(line + b"\nanything else", "T")
    assert numbers is not None and numbers.live_balance == 7


def test_with_a_proxy_in_the_environment_it_reads_through_the_session_which_uses_it(keys_dir, served):
    # The standard-library reader does no proxies: httpx does. Nothing listens at this proxy, so
    # an answer could only come from a read that went around it.
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["HTTP_PROXY"] = "http://127.0.0.1:9"
    done = subprocess.run([sys.executable, "-m", "xconsole.cli.early_read", served.teams["lumen"]["teamId"],
                           "--api-url", served.url], capture_output=True, timeout=60, env=env)
    assert done.returncode != 0 and done.stdout == b""


def _register(home, team: dict, api_url: str) -> None:
    import tomli_w

    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(tomli_w.dumps({"teams": [{"name": "Lumen", "team_id": team["teamId"], "api_url": api_url}]}))


def test_a_registered_team_key_comes_from_the_keyring_without_a_prompt_and_its_own_api_url(home, served, monkeypatch):
    from xconsole.cli import early_read as process
    from xconsole.core.credentials import KeyringKeyStore

    lumen = served.teams["lumen"]
    _register(home, lumen, served.url)
    asked = []

    def get_sync(store, team_id):  # noqa: ANN001, ANN202
        asked.append((team_id, store.may_prompt))
        return lumen["managementKey"] + "\n"

    monkeypatch.setattr(KeyringKeyStore, "get_sync", get_sync)
    record = process._read_plain(lumen["teamId"], None)
    assert asked == [(lumen["teamId"], False)]
    assert record["team_id"] == lumen["teamId"] and record["live_balance"] is not None and record["sandbox"] is True
    assert lumen["managementKey"] not in json.dumps(record)


def test_a_team_that_is_not_registered_is_not_read_and_no_key_is_asked_for(home, served, monkeypatch):
    from xconsole.cli import early_read as process
    from xconsole.core.credentials import KeyringKeyStore

    _register(home, served.teams["orbit"], served.url)
    monkeypatch.setattr(KeyringKeyStore, "get_sync", lambda *_: pytest.fail("the keyring was asked"))
    with pytest.raises(SystemExit):
        process._read_plain(served.teams["lumen"]["teamId"], served.url)


def test_it_ends_with_a_console_that_is_killed(keys_dir, served, tmp_path):
    # A closed terminal or SIGTERM ends the console without `stop()`: the child, in its own
    # session, must not live on until its read times out (here, a server that never answers).
    import select
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    console = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from xconsole.core import early_read; "
         f"e = early_read.spawn({served.teams['lumen']['teamId']!r}, {url!r}); print(e.process.pid, flush=True); "
         "time.sleep(120)"], stdout=subprocess.PIPE, text=True)
    try:
        child = os.pidfd_open(int(console.stdout.readline()))  # readable once the child has ended
        connection, _ = silent.accept()  # the child is reading: its request is sent, never answered
        console.kill()
        console.wait(30)
        # Bounded well below the child's own 20 s read timeout, which would end it anyway.
        ended, _, _ = select.select([child], [], [], 10)
        assert ended, "the early-read process outlived the console"
        os.close(child)
        connection.close()
    finally:
        console.kill()
        silent.close()
