"""Watching a tmux pane without polling it: a control-mode client (`tmux -C`) is told of every
write the pane gets (`%output`), and only then asks for the screen (`capture-pane`) over the same
connection.

Polling with a `tmux capture-pane` process every few ms costs a process start and a screen copy
in the tmux server each time: on a 2-core machine that is CPU taken from the app being timed
(which a person looking at a terminal does not take), and more of it the longer the app takes.
Here the tmux server does work only when the app writes, and nothing is started per look.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from collections.abc import Callable


class WatchError(RuntimeError):
    """The control client ended, or a command it sent (or its attach) failed."""


class ScreenWatch:
    """A control-mode client attached to `session` (it never sizes the window: `ignore-size`)."""

    def __init__(self, tmux: list[str], session: str) -> None:
        self.session = session
        self.process = subprocess.Popen([*tmux, "-C", "attach-session", "-f", "ignore-size", "-t", session],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert self.process.stdout is not None
        self._fd = self.process.stdout.fileno()
        self._buffer = b""
        self.screen = ""

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()

    def _line(self, timeout: float) -> str | None:
        """The client's next line, None when none came within `timeout`."""
        while b"\n" not in self._buffer:
            ready, _, _ = select.select([self._fd], [], [], max(timeout, 0))
            if not ready:
                return None
            chunk = os.read(self._fd, 65536)
            if not chunk:
                raise WatchError(f"the control client of {self.session} ended")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode("utf-8", "replace")

    def _send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command.encode() + b"\n")
        self.process.stdin.flush()

    def until(self, done: Callable[[list[str], float], bool], start: float, timeout: float,
              idle: Callable[[], None] | None = None) -> None:
        """Look at the screen once now and then after every write to the pane, calling
        `done(lines, seconds since start)` with each look until it returns True. `idle` runs
        whenever the pane has been quiet for a second (it may raise: a process that ended)."""
        capturing = False  # a capture-pane sent, its answer not yet in
        stale = True  # the pane was written since the last capture was sent
        block: list[str] | None = None
        opened = ""  # the open block's "time number flags": its %end or %error repeats them
        while True:
            if stale and not capturing:
                self._send(f"capture-pane -p -t {self.session}")
                capturing, stale = True, False
            left = timeout - (time.perf_counter() - start)
            if left <= 0:
                raise TimeoutError
            line = self._line(min(left, 1.0))
            if line is None:
                if idle is not None:
                    idle()
                continue
            if block is not None:
                # The pane's own text may hold a line like "%end …": only the guard that repeats
                # its %begin's time, number and flags ends the block (tmux(1), CONTROL MODE).
                if line in (f"%end {opened}", f"%error {opened}"):
                    lines, block = block, None
                    if line.startswith("%error "):
                        raise WatchError(f"{'capture-pane' if opened.endswith(' 1') else 'attach'} {self.session}: "
                                         f"{' '.join(lines)}")
                    # Flags 1: a command this client sent (the attach's own answer comes first, 0).
                    if capturing and opened.endswith(" 1"):
                        capturing = False
                        self.screen = "\n".join(lines)
                        if done(lines, time.perf_counter() - start):
                            return
                else:
                    block.append(line)
            elif line.startswith("%begin "):
                block, opened = [], line.removeprefix("%begin ")
            elif line.startswith("%output "):
                stale = True
            elif line.startswith("%exit"):
                raise WatchError(f"the control client of {self.session} was detached")


class PollingWatch:
    """The watcher `make bench` used before ScreenWatch (BENCH_WATCH=poll), kept to compare the
    two: a `tmux capture-pane` process every 5 ms. Same interface."""

    def __init__(self, tmux: list[str], session: str) -> None:
        self.tmux, self.session = tmux, session
        self.screen = ""

    def close(self) -> None:
        pass

    def until(self, done: Callable[[list[str], float], bool], start: float, timeout: float,
              idle: Callable[[], None] | None = None) -> None:
        checked = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if idle is not None and time.perf_counter() - checked > 1:
                checked = time.perf_counter()
                idle()
            self.screen = subprocess.run([*self.tmux, "capture-pane", "-p", "-t", self.session],
                                         capture_output=True, text=True).stdout
            if done(self.screen.splitlines(), time.perf_counter() - start):
                return
            time.sleep(0.005)
        raise TimeoutError


def watcher(tmux: list[str], session: str) -> ScreenWatch | PollingWatch:
    """BENCH_WATCH=poll: the polling watcher; otherwise the control-mode one."""
    return PollingWatch(tmux, session) if os.environ.get("BENCH_WATCH") == "poll" else ScreenWatch(tmux, session)
