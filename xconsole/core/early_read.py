"""The starting team's numbers, read by a second process while the console draws its first frame:
the console's side (start it, read its answer, stop it). The process is cli/early_read.py.

Starting the console costs ~0.2 s of Python on one core (Textual), and reading a registered
team's numbers in the console another ~0.35 s (httpx, pydantic, the keyring backend) before the
first request even leaves. A second process does the second part on the other core, in parallel
with the first: it takes the key from the source the console's session will (the credentials
directory, else the keyring), the same API URL, reads the invoice preview and the limits (one
round trip, two requests) with the standard library (core/plain_read.py, ~0.14 s in all) and
prints the numbers as one JSON line, usually before the console's first frame. Never the key: it
stays in that process, which exits at once (and dies with the console). The console shows those
numbers until its own, complete read replaces them; the answer counts only for the team id it
was asked for, so it can never be drawn under another team's name.

The process starts with the console, before Textual is imported. For a team registered in
config.toml, it takes the key from the keyring (only when that needs no prompt) or from the
credentials directory. For `--sandbox`, it reads the sandbox's database through the sandbox's own
service (~0.17 s, no round trip), so it answers about when the console's first frame is drawn.
That read writes too (the simulation advances to now), but the two processes never write the
database at once: every write is a `BEGIN IMMEDIATE` transaction (sandbox/store.py), and the
console writes it only in its session, after its first frame. `XAI_MANAGEMENT_KEY` (the key names
the team) never spawns one.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from xconsole.core import child_process

if TYPE_CHECKING:
    from xconsole.core.numbers_cache import CachedNumbers

#: The process: it follows the console's wiring (cli/wiring.py), so it lives beside it.
CHILD_MODULE = "xconsole.cli.early_read"
#: The output's version: parent and child come from the same install, but a stale child (an
#: upgrade while it ran) must not be misread.
VERSION = 1
#: Off switch, for tests of the console's own reads and for anyone who wants one process.
DISABLE_ENV = "XCONSOLE_NO_EARLY_READ"
#: The most of the output read: a line of numbers, never more.
MAX_OUTPUT = 4096
#: How much lower the child's priority is than the console's.
NICE = 10


class EarlyRead:
    """The parent's handle on the child: its answer (`numbers`) or nothing, and `stop`."""

    def __init__(self, team_id: str, process: subprocess.Popen[bytes]) -> None:
        self.team_id = team_id
        self.process = process

    async def numbers(self) -> CachedNumbers | None:
        """The child's numbers once it has written its line (it may still be closing its
        connections) or closed its output, None when it failed or said nothing usable. Waits on
        the pipe with the event loop (no thread, no polling)."""
        import asyncio

        assert self.process.stdout is not None
        loop = asyncio.get_running_loop()
        done: asyncio.Future[bytes] = loop.create_future()
        fd = self.process.stdout.fileno()
        os.set_blocking(fd, False)
        chunks: list[bytes] = []

        def readable() -> None:
            try:
                chunk = os.read(fd, MAX_OUTPUT)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            chunks.append(chunk)
            if not chunk or b"\n" in chunk or sum(map(len, chunks)) > MAX_OUTPUT:
                loop.remove_reader(fd)
                if not done.done():
                    done.set_result(b"".join(chunks))

        loop.add_reader(fd, readable)
        try:
            output = await done
        finally:
            loop.remove_reader(fd)
        return parse(output, self.team_id)

    def stop(self) -> None:
        """End the child if it still runs (the console quit first) and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self.process.stdout is not None:
            self.process.stdout.close()


def spawn(team_id: str, api_url: str | None, *, sandbox: bool = False) -> EarlyRead | None:
    """Start the child for `team_id` (None when switched off or it cannot start); `sandbox`: the
    embedded sandbox's team, read from its database."""
    if os.environ.get(DISABLE_ENV) or os.name != "posix":
        return None
    command = child_process.command(CHILD_MODULE, team_id)
    if sandbox:
        command += ["--sandbox"]
    elif api_url:
        command += ["--api-url", api_url]
    try:
        # No terminal: its own stdin is empty, stderr discarded (the console reports any failure
        # from its own read).
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, start_new_session=True,
                                   env=child_process.environment())
    except OSError:
        return None
    return EarlyRead(team_id, process)


def parse(output: bytes, team_id: str) -> CachedNumbers | None:
    """The numbers in the child's output for `team_id`; anything else is None."""
    from xconsole.core.numbers_cache import CachedNumbers

    try:
        raw = json.loads(output.split(b"\n", 1)[0].decode("utf-8"))  # its one line, nothing after it
        if raw.get("version") != VERSION or raw.get("team_id") != team_id:
            return None
        money = [raw[k] for k in ("live_balance", "month_spend", "soft_limit")]
        if not all(v is None or type(v) is int for v in money):
            return None
        read_at = datetime.fromisoformat(raw["read_at"])
        if read_at.tzinfo is None:
            return None
        return CachedNumbers(team_id, *money, None, read_at, live=True, sandbox=raw.get("sandbox") is True)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
