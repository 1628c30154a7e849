"""Many teams (design.md 8): `balance --all`, `check --all`, `watch --once` and a metrics refresh over
200 teams with 100 ms latency per request, each a real process against a sandbox served on
loopback, timed, with the most requests the server saw in flight at once. Goals: within 5 s,
at most 16 in flight. Runnable alone: `python bench/many_teams.py`.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEAMS = 200
LATENCY_MS = 100
GOAL_S = 5.0
GOAL_IN_FLIGHT = 16
COMMANDS = (("balance --all", ["balance", "--all", "--json"]), ("check --all", ["check", "--all"]),
            ("watch --once", ["watch", "--once"]), ("metrics --textfile", ["metrics", "--textfile", "{tmp}"]))


class InFlight:
    """ASGI wrapper counting the HTTP requests being answered at once."""

    def __init__(self, app: object) -> None:
        self.app = app
        self.now = 0
        self.most = 0
        self.total = 0

    def reset(self) -> None:
        self.most = self.total = 0

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http" or scope["path"].startswith("/sandbox"):
            await self.app(scope, receive, send)  # type: ignore[operator]
            return
        self.now += 1
        self.total += 1
        self.most = max(self.most, self.now)
        answered = False

        async def counted(message: dict) -> None:
            nonlocal answered
            await send(message)
            # In flight until its whole answer is sent: the client may send its next request
            # before this task has returned.
            if message["type"] == "http.response.body" and not message.get("more_body") and not answered:
                answered = True
                self.now -= 1

        try:
            await self.app(scope, receive, counted)  # type: ignore[operator]
        finally:
            if not answered:
                self.now -= 1


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def many_teams_times() -> list[tuple[str, float, int, int, int, float, float]]:
    """(command, seconds, exit status, most in flight, requests) per command, on the sandbox and
    on the same server shaped as the real API (no console-only reads: one request fewer a team),
    and the CPU seconds the command and the server (this process) used meanwhile."""
    import httpx

    from bench.real_shaped import RealShaped
    from tests.served import UvicornThread
    from xconsole.sandbox.app import frozen_app

    from datetime import datetime, timezone

    # Frozen at this machine's time: the real API's date is ours, so no usage read is repeated
    # for a server date that differs (as it would on the tests' fixed date).
    app = frozen_app(datetime.now(timezone.utc), teams=TEAMS)
    app.state.sandbox.faults.latency_ms = LATENCY_MS
    shaped = RealShaped(app, enabled=False)
    counter = InFlight(shaped)
    served = UvicornThread(counter, date_header=False)
    url = served.start()
    home = Path(tempfile.mkdtemp(prefix="xconsole-many-"))
    try:
        keys = home / "credentials"
        keys.mkdir(mode=0o700)
        for team in httpx.get(f"{url}/sandbox/teams", timeout=30).json()["teams"]:
            path = keys / f"team-{team['teamId']}"
            path.write_text(team["managementKey"])
            path.chmod(0o400)
        env = {**os.environ, "XCONSOLE_CREDENTIALS_DIRECTORY": str(keys), "XCONSOLE_CONFIG_FILE": str(home / "c.toml"),
               "XDG_STATE_HOME": str(home / "state"), "XDG_CACHE_HOME": str(home / "cache")}
        env.pop("XAI_MANAGEMENT_KEY", None)
        xconsole = Path(sys.executable).parent / "xconsole"
        (home / "prom").mkdir()  # `metrics --textfile DIR` writes into a collector directory that exists
        results = []
        for (label, args), real_shape in [(c, shape) for shape in (False, True) for c in COMMANDS]:
            counter.reset()
            shaped.enabled, shaped.console_only = real_shape, 0
            label = f"{label} ({'real API shape' if real_shape else 'sandbox'})"
            argv = [str(xconsole), "--api-url", url, *(a.replace("{tmp}", str(home / "prom")) for a in args)]
            server_before, client_before = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
            elapsed = time.perf_counter() - started
            if shaped.console_only:
                raise AssertionError(f"{label}: {shaped.console_only} console-only requests sent to a real-API-shaped server")
            results.append((label, elapsed, done.returncode, counter.most, counter.total,
                            _cpu(resource.RUSAGE_CHILDREN) - client_before, _cpu(resource.RUSAGE_SELF) - server_before))
        return results
    finally:
        served.stop()


def report(results: list[tuple[str, float, int, int, int, float, float]]) -> None:
    print(f"Many teams: {TEAMS} teams, {LATENCY_MS} ms latency per request (goals: <= {GOAL_S:g} s, "
          f"<= {GOAL_IN_FLIGHT} requests in flight)")
    print("  (floor: the requests in waves of 16, each wave the latency; no client can do better. CPU: the")
    print("  command's and the server's CPU seconds meanwhile, both on this machine's cores)")
    for label, seconds, status, most, total, client_cpu, server_cpu in results:
        # A command that did not run through (an exit status its own contract does not give) fails too.
        ran = status == 0 or (label.startswith("check") and status in (1, 2, 3))
        ok = seconds <= GOAL_S and most <= GOAL_IN_FLIGHT and ran
        floor = -(-total // GOAL_IN_FLIGHT) * LATENCY_MS / 1000
        print(f"  {label:<36} {seconds:6.2f} s   {most:3d} in flight at most   {total:5d} requests "
              f"({total / TEAMS:.1f} per team, floor {floor:.2f} s)   CPU {client_cpu:.1f} s + server {server_cpu:.1f} s"
              f"   exit {status}   {'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    report(many_teams_times())
