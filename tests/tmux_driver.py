"""Driving the real `xconsole` process in tmux, as a person at a terminal would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class TmuxSession:
    def __init__(self, args: list[str], *, width: int = 100, height: int = 30, env: dict[str, str] | None = None) -> None:
        self.name = f"xc-{uuid.uuid4().hex[:8]}"
        self.width, self.height = width, height
        self.env = env or {}
        self.args = args

    def __enter__(self) -> TmuxSession:
        assignments = [f"{k}={v}" for k, v in self.env.items()]
        command = " ".join(["env", *map(_quote, assignments), _quote(sys.executable), "-m", "xconsole", *map(_quote, self.args)])
        # Print the exit status and linger, so a test can read how the process ended.
        shell = f"cd {_quote(str(ROOT))} && {command}; echo XCONSOLE_EXIT=$?; sleep 30"
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", str(self.width), "-y", str(self.height), shell], check=True)
        return self

    def __exit__(self, *exc: object) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True).stdout

    def send(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def wait_for(self, text: str, timeout: float = 30.0, line: int | None = None) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            where = screen.splitlines()[line] if line is not None and len(screen.splitlines()) > line else screen
            if text in where:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} did not appear within {timeout}s; screen:\n{self.screen()}")


def tmux_available() -> bool:
    return shutil.which("tmux") is not None


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    env = {"XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"), "PYTHONPATH": str(ROOT),
           "TERM": os.environ.get("TERM", "xterm-256color") or "xterm-256color"}
    env.update(extra)
    return env
