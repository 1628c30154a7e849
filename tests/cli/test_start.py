"""cli/start.py: the console's usual starts skip click, and must mean exactly what click would."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from xconsole.cli import start
from xconsole.core.paths import API_URL_ENV


def by_click(argv: list[str], monkeypatch, env: dict[str, str]):  # noqa: ANN001, ANN201
    """The Options the click group hands the console for `argv`, or its exit code."""
    from click.testing import CliRunner

    from xconsole.cli import main, tui

    seen = []
    monkeypatch.setattr(tui, "run_tui", seen.append)
    result = CliRunner().invoke(main, argv, env=env, catch_exceptions=False)
    return seen[0] if seen else result.exit_code


@pytest.mark.parametrize("argv", [[], ["--sandbox"], ["--read-only"], ["--no-cache"], ["--sandbox", "--fresh"],
                                  ["--fresh", "--sandbox", "--read-only", "--no-cache"]])
@pytest.mark.parametrize("api_url", [None, "", "http://127.0.0.1:9"])
def test_the_usual_starts_give_what_click_gives(argv, api_url, monkeypatch):
    env = {API_URL_ENV: api_url} if api_url is not None else {}
    monkeypatch.delenv(API_URL_ENV, raising=False)
    assert start.console_options(argv, env) == by_click(argv, monkeypatch, env)


@pytest.mark.parametrize("argv", [["--fresh"], ["balance"], ["--help"], ["-h"], ["--version"], ["--team", "Lumen"],
                                  ["--team=Lumen"], ["--api-url", "http://x"], ["--sandbox", "--sandbox"],
                                  ["--sandbx"], ["--sandbox", "balance"]])
def test_everything_else_is_clicks(argv):
    assert start.console_options(argv, {}) is None


def test_a_shell_asking_for_completions_gets_them_not_the_console():
    assert start.console_options([], {"_XCONSOLE_COMPLETE": "bash_source"}) is None
    done = subprocess.run([sys.executable, "-m", "xconsole"], env={**os.environ, "_XCONSOLE_COMPLETE": "bash_source"},
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and "_xconsole_completion" in done.stdout


def test_ctrl_c_before_the_console_has_the_terminal_is_clicks_aborted(monkeypatch, capsys):
    from xconsole.cli import tui

    def interrupted(_opts):  # noqa: ANN001, ANN202
        raise KeyboardInterrupt

    monkeypatch.setattr(tui, "run_tui", interrupted)
    with pytest.raises(SystemExit) as exited:
        start.run(["--sandbox"])
    assert exited.value.code == 1 and "Aborted!" in capsys.readouterr().err


def test_the_console_started_without_a_command_never_imports_click():
    script = ("import sys; from xconsole.cli import start, tui; "
              "tui.run_tui = lambda opts: print(opts.sandbox, 'click' in sys.modules); start.run(['--sandbox'])")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["True", "False"], done.stderr


def test_a_command_still_goes_through_click():
    done = subprocess.run([sys.executable, "-m", "xconsole", "--fresh"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--fresh only applies with --sandbox" in done.stderr
    done = subprocess.run([sys.executable, "-m", "xconsole", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "xconsole" in done.stdout


def test_the_consoles_session_building_does_not_import_click_until_it_fails(tmp_path):
    # The console builds its session with cli.wiring (in a thread, right after its first frame).
    script = ("import asyncio, sys, xconsole.cli.wiring as w; from xconsole.cli.run_options import Options\n"
              "session = asyncio.run(w.build_session(Options(sandbox=True))); print(len(session.teams) > 0, 'click' in sys.modules)\n"
              "err = w._fail('x'); import click; print(isinstance(err, click.ClickException))")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert done.stdout.split() == ["True", "False", "True"], done.stderr


def test_api_url_with_the_sandbox_is_refused_on_the_command_line_and_ignored_from_the_environment():
    done = subprocess.run([sys.executable, "-m", "xconsole", "--sandbox", "--api-url", "https://example.com"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--api-url does not apply with --sandbox" in done.stderr
    assert start.console_options(["--sandbox"], {API_URL_ENV: "https://example.com"}) is not None


def test_a_wrong_api_url_in_the_environment_is_named_where_it_is_used_and_nowhere_else(home, run):
    env = {API_URL_ENV: "example.com", "XAI_MANAGEMENT_KEY": "xai-" + "k" * 40}
    used = run("balance", env=env)
    assert used.exit_code == 1 and f"{API_URL_ENV} (or --api-url): the API URL must be an http://" in used.stderr
    assert "xai-" not in used.stderr
    assert run("--sandbox", "balance", env=env).exit_code == 0  # the sandbox does not use it
    assert run("team", "list", env=env).exit_code == 0
    doctor = run("doctor", env=env)  # a check among others, not a crash
    assert f"{API_URL_ENV} (or --api-url): the API URL must be" in doctor.output and "Traceback" not in doctor.output


def test_the_console_with_a_wrong_api_url_in_the_environment_says_so_before_it_opens(monkeypatch):
    monkeypatch.setenv(API_URL_ENV, "https://user@example.com")
    done = subprocess.run([sys.executable, "-m", "xconsole"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "XAI_MANAGEMENT_KEY": "xai-" + "k" * 40})
    assert done.returncode == 2 and done.stderr == f"xconsole: {API_URL_ENV}: a user or password in the API URL is not used: the key is the credential\n"


@pytest.mark.parametrize(("status", "retryable"), [(503, True), (401, False)])
async def test_an_environment_key_the_server_could_not_judge_may_be_tried_again(monkeypatch, home, status, retryable):
    import respx

    from xconsole.cli import wiring
    from xconsole.cli.options import Fail
    from xconsole.cli.run_options import Options

    with respx.mock(base_url="https://billing.test", assert_all_called=False) as api:
        api.route().respond(status, json={"code": 14, "message": "down"})
        with pytest.raises(Fail) as failed:
            await wiring.env_session(Options(api_url="https://billing.test"), "xai-" + "a" * 40)
    assert failed.value.retryable is retryable
    assert ("Could not check" if retryable else "was not accepted") in failed.value.format_message()
