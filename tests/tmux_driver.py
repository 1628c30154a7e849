"""Driving the real `xconsole` process in tmux, as a person at a terminal would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class TmuxSession:
    def __init__(self, args: list[str], *, width: int = 100, height: int = 30, env: dict[str, str] | None = None) -> None:
        self.name = f"xc-{uuid.uuid4().hex[:8]}"
        # A tmux server of its own: on the shared default server, a session starting just as
        # another test's last session ends meets a server on its way out ("server exited unexpectedly").
        self.socket = self.name
        self.width, self.height = width, height
        self.env = env or {}
        self.args = args

    def __enter__(self) -> TmuxSession:
        assignments = [f"{k}={v}" for k, v in self.env.items()]
        command = " ".join(["env", *map(_quote, assignments), _quote(sys.executable), "-m", "xconsole", *map(_quote, self.args)])
        # Print the exit status and linger, so a test can read how the process ended.
        shell = f"cd {_quote(str(ROOT))} && {command}; echo XCONSOLE_EXIT=$?; sleep 30"
        size = ("-x", str(self.width), "-y", str(self.height))
        subprocess.run(self._tmux("new-session", "-d", "-s", self.name, *size, shell), check=True)
        return self

    def __exit__(self, *exc: object) -> None:
        subprocess.run(self._tmux("kill-server"), capture_output=True)

    def _tmux(self, *args: str) -> list[str]:
        return ["tmux", "-L", self.socket, *args]

    def pane_pid(self) -> str:
        """The process id of the shell that runs xconsole in the session's pane."""
        return subprocess.run(self._tmux("list-panes", "-t", self.name, "-F", "#{pane_pid}"),
                              capture_output=True, text=True, check=True).stdout.split()[0]

    def screen(self) -> str:
        return subprocess.run(self._tmux("capture-pane", "-p", "-t", self.name), capture_output=True, text=True).stdout

    def send(self, *keys: str) -> None:
        subprocess.run(self._tmux("send-keys", "-t", self.name, *keys), check=True)

    def wait_for(self, text: str, timeout: float = 30.0, line: int | None = None) -> str:
        def shown(screen: str) -> bool:
            where = screen.splitlines()[line] if line is not None and len(screen.splitlines()) > line else screen
            return text in where

        return self._wait(shown, f"{text!r} did not appear", timeout)

    def wait_for_gone(self, text: str, timeout: float = 30.0) -> str:
        """Until `text` is no longer on screen (a dialog closed, say)."""
        return self._wait(lambda screen: text not in screen, f"{text!r} did not go away", timeout)

    def wait_for_change(self, condition: Callable[[str], bool], timeout: float = 30.0) -> str:
        """Until `condition(screen)` holds (the screen was redrawn, say)."""
        return self._wait(condition, "the screen did not change as expected", timeout)

    def _wait(self, condition: Callable[[str], bool], failure: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if condition(screen):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{failure} within {timeout}s; screen:\n{self.screen()}")


def tmux_available() -> bool:
    return shutil.which("tmux") is not None


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    env = {"XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_STATE_HOME": str(home / "state"), "PYTHONPATH": str(ROOT),
           "TERM": os.environ.get("TERM", "xterm-256color") or "xterm-256color"}
    env.update(extra)
    return env
