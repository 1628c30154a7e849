"""Helper processes the console starts (the early read, the keyring's): how they are started and
how they end with the console.

Started as `python -P -m <module>`: -P keeps the working directory off sys.path (`-m` would put
it first), so a json.py or keyring/ where the console was started is never imported into a
process that handles a key. Each runs in its own session, so the terminal's signals are not its
business, and dies with the console (Linux: PR_SET_PDEATHSIG) instead of living on after a
closed terminal until its own work times out.
"""

from __future__ import annotations

import os
import sys

#: The console's pid, for the child to end with it (`end_with_parent`).
PARENT_ENV = "XCONSOLE_PARENT_PID"


def command(module: str, *args: str) -> list[str]:
    return [sys.executable, "-P", "-m", module, *args]


def environment() -> dict[str, str]:
    return {**os.environ, PARENT_ENV: str(os.getpid())}


def end_with_parent() -> None:
    """In the child, first thing: killed when the console dies. Linux only (prctl); elsewhere it
    ends when its own work does."""
    if sys.platform != "linux":
        return
    import ctypes
    import signal

    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    parent = os.environ.get(PARENT_ENV, "")
    if parent.isdigit() and os.getppid() != int(parent):
        raise SystemExit(1)  # the console died before the line above: nobody to answer
