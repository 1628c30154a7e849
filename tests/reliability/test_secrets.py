"""A full scripted session — add a team with its key, every screen, exports, errors — and then
a search for the key everywhere it could leak: config, logs, exports, screens, notifications,
error text, the repo's screenshots and snapshots, and the process's arguments."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from textual.widgets import Input

from xconsole.core.credentials import MemoryKeyStore
from xconsole.sandbox.seed import DEMO_TEAMS, management_key_for
from tests.tmux_driver import TmuxSession, isolated_env, tmux_available
from tests.tui.harness import DelayTransport, embedded, registry_app, settle

ROOT = Path(__file__).resolve().parents[2]


class EchoingServer(httpx.AsyncBaseTransport):
    """Wraps the sandbox; when `echo` is on, answers 500 with the caller's key in the message, as
    a careless server might. The console must still never show or log it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.echo = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.echo:
            key = request.headers.get("authorization", "").removeprefix("Bearer ")
            return httpx.Response(500, json={"code": 13, "message": f"internal error for key {key}"})
        return await self.inner.handle_async_request(request)


def leaks(key: str, *texts: str) -> list[str]:
    """The texts that hold the key, or any 12-character piece of its secret part."""
    secret = key.removeprefix("xai-")
    pieces = {secret[i:i + 12] for i in range(0, len(secret) - 11, 4)}
    return [t[:200] for t in texts if key in t or any(p in t for p in pieces)]


async def test_a_full_session_leaves_the_key_nowhere(tmp_path, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    monkeypatch.chdir(tmp_path)
    sandbox = embedded()
    echo = EchoingServer(sandbox.transport)
    sandbox.transport = DelayTransport(echo)  # type: ignore[assignment]
    config = tmp_path / "config.toml"
    store = MemoryKeyStore()
    app = registry_app(sandbox, config, keystore=store)
    team = sandbox.teams[0]
    key = team.management_key
    screens: list[str] = []
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        app.screen.query_one("#name", Input).value = "Prod"
        app.screen.query_one("#key", Input).value = f"  {key}\n"  # pasted with whitespace around it
        screens.append(app.export_screenshot())  # the key field is a password field
        app.screen.query_one("#key", Input).focus()
        await pilot.press("enter")
        for _ in range(100):
            await settle(pilot)
            if app.team is not None:
                break
        assert app.team is not None and await store.get(team.team_id) == key
        for screen_key in "012345":
            await pilot.press(screen_key)
            await settle(pilot)
            screens.append(app.export_screenshot())
        await pilot.press("4")
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("enter")  # export the invoice list
        await settle(pilot)
        await pilot.press("enter")  # open an invoice
        await settle(pilot)
        screens.append(app.export_screenshot())
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("enter")  # export its lines
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        echo.echo = True  # errors whose server message contains the key
        for screen_key in "0145":
            await pilot.press(screen_key)
            await pilot.press("r")
            await settle(pilot)
            screens.append(app.export_screenshot())
        errors_seen = [d.error or "" for d in app.store.cache.values()]
        errors_seen += [r.error or "" for d in app.store.cache.values() for r in d.resources.values()]
        notes = [message for message, _severity in app.notices]
        echo.echo = False
    assert any("internal error for key" in e for e in errors_seen)  # the errors did happen
    exports = [p.read_text() for p in tmp_path.glob("xconsole-*")]
    assert len(exports) == 2
    logs = [r.getMessage() for r in caplog.records] + [str(r.args) for r in caplog.records]
    texts = [config.read_text(), *exports, *logs, *screens, *notes, *errors_seen, *state_files()]
    assert leaks(key, *texts) == []
    assert "xai-…" in " ".join(errors_seen)  # shown masked instead


def state_files() -> list[str]:
    """Everything xconsole keeps in the user state dir: the action journal, the last looks."""
    root = Path(os.environ["XDG_STATE_HOME"])
    return [p.read_text(errors="replace") for p in root.rglob("*") if p.is_file()]


async def test_the_journal_and_the_last_looks_hold_no_key_card_number_or_cvc(caplog, monkeypatch):
    """Writes that succeed, fail, and fail with the key echoed by the server; a card added; a
    look at what changed: then the state dir is searched for the key, the card number, the CVC."""
    from xconsole.cli.options import Options
    from xconsole.cli.wiring import sandbox_session
    from xconsole.core import models, purchase
    from xconsole.core.changes import what_changed
    from xconsole.core.client import ManagementClient
    from xconsole.core.journal import Journal
    from xconsole.sandbox.embedded import BASE_URL

    monkeypatch.setattr(purchase, "FOLLOW_DELAYS_S", (0.0, 0.0, 0.0))
    caplog.set_level(logging.DEBUG)
    sandbox = embedded()
    echo = EchoingServer(sandbox.transport)
    session = sandbox_session(Options(sandbox=True), sandbox)
    session.make_client = lambda k, _url: ManagementClient(k, BASE_URL, transport=echo, sandbox=True)
    team = next(t for t in session.teams if t.name.startswith("Lumen"))
    key = next(t.management_key for t in sandbox.teams if t.team_id == team.team_id)
    client = await session.client_for(team)
    await what_changed(client, team.team_id, team.name)
    actions = await session.actions_for(team)
    number, cvc = "5555 5555 5555 4444", "739"
    await actions.add_card(models.CardInput(number=number, exp_month=11, exp_year=2031, cvc=cvc, name="A Person"))
    await actions.buy(2_500)
    echo.echo = True  # the server's errors now carry the caller's key
    for write in (actions.set_limit(0), actions.buy(3_000), actions.add_card(models.CardInput(
            number=number, exp_month=11, exp_year=2031, cvc=cvc, name="A Person"))):
        try:
            await write
        except Exception:  # noqa: BLE001 - every write fails here; the journal is what is checked
            pass
    echo.echo = False
    await what_changed(client, team.team_id, team.name)
    await session.aclose()
    journal = Journal().path.read_text()
    assert len(journal.splitlines()) == 5 and '"outcome":"unknown"' in journal
    texts = state_files()
    assert len(texts) >= 2  # the journal and the team's last look
    digits = number.replace(" ", "")
    assert leaks(key, *texts) == []
    assert [t[:80] for t in texts if digits in t or number in t or digits[:12] in t or f'"{cvc}"' in t or f" {cvc}" in t] == []


def demo_keys() -> list[str]:
    keys = []
    for team in DEMO_TEAMS:
        keys += [management_key_for(0, team.slug), management_key_for(0, team.slug, "viewer")]
    return keys


def test_screenshots_and_snapshots_hold_no_demo_key():
    files = [*(ROOT / "screenshots").glob("*.svg"), *(ROOT / "tests").rglob("__snapshots__/**/*.svg")]
    assert len(files) > 20
    for key in demo_keys():
        assert [f.name for f in files if leaks(key, f.read_text())] == []


def test_no_command_takes_a_key_as_an_argument():
    from click.testing import CliRunner

    from xconsole.cli import main

    runner = CliRunner()
    add_help = runner.invoke(main, ["team", "add", "--help"]).output
    assert "--key-stdin" in add_help and "--key " not in add_help and "--key=" not in add_help
    for args in (["team", "add", "X", "--key", "xai-abc"], ["--key", "xai-abc"], ["balance", "--key", "xai-abc"]):
        assert runner.invoke(main, args).exit_code == 2


def test_the_key_is_not_in_the_process_arguments_or_title(tmp_path):
    if not tmux_available():
        import pytest

        pytest.skip("tmux not installed")
    from tests.served import ServedSandbox

    with ServedSandbox() as served:
        key = served.teams["lumen"]["managementKey"]
        env = isolated_env(tmp_path, XAI_MANAGEMENT_KEY=key)
        with TmuxSession(["--api-url", served.url], env=env) as tui:
            tui.wait_for("Credits", timeout=60)
            # This session's xconsole process only (the harness hands the key over through `env`, as a
            # shell assignment would; other processes on the machine are not ours to judge).
            tree, frontier = [], [tui.pane_pid()]
            while frontier:
                children = subprocess.run(["pgrep", "-P", frontier.pop()], capture_output=True, text=True).stdout.split()
                tree += children
                frontier += children
            pids = [p for p in tree if b"xconsole" in Path(f"/proc/{p}/cmdline").read_bytes()
                    and b"--api-url" in Path(f"/proc/{p}/cmdline").read_bytes()]
            assert pids
            for pid in pids:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
                comm = Path(f"/proc/{pid}/comm").read_text()
                assert leaks(key, cmdline, comm) == []
            tui.send("q")
        # `team add` reads the key from stdin, never from its arguments.
        proc = subprocess.Popen([sys.executable, "-m", "xconsole", "team", "add", "Lumen", "--key-stdin",
                                 "--api-url", served.url], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env={**os.environ, **isolated_env(tmp_path),
                                                             "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"})
        # Its arguments and title while it waits for the key (Popen returns once it has exec'd),
        # then all along while it uses the key, until it exits.
        seen = [_args_and_title(proc.pid)]
        answer: list[bytes] = []
        feeder = threading.Thread(target=lambda: answer.extend(proc.communicate(key.encode(), timeout=60)))
        feeder.start()
        while feeder.is_alive():
            seen.append(_args_and_title(proc.pid))
            time.sleep(0.01)
        out, err = answer
        assert seen[0] and leaks(key, *seen, out.decode(), err.decode()) == []


def _args_and_title(pid: int) -> str:
    try:
        return (Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace") + " "
                + Path(f"/proc/{pid}/comm").read_text())
    except (FileNotFoundError, ProcessLookupError):  # it has just exited
        return ""
