"""`make bench`: xconsole against a bare Textual app, measured in the same run and printed as ratios.

- first frame: time from launch (in tmux) to the first painted frame, median of N interleaved runs:
  the bare app, `xconsole --sandbox`, and `xconsole` on a registered team (real keyring, sandbox
  served over HTTP). For xconsole also the time until the team's live numbers are on screen.
- RSS of `xconsole --sandbox` after 3 s idle with data shown.
- team switch: cached (press `]` to repaint) and uncached with 200 ms sandbox latency per request,
  measured in-process with Textual's pilot.

Run through `make bench`, which compiles bytecode first and clears PYTHONDONTWRITEBYTECODE.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = sys.executable
RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def time_to_marker(command: str, markers: list[str], env: dict[str, str], timeout: float = 60) -> tuple[list[float], int]:
    """Seconds from launch until each marker is on screen, and the pane's process id."""
    name = f"bench-{uuid.uuid4().hex[:6]}"
    assignments = " ".join(f"{k}='{v}'" for k, v in env.items())
    start = time.perf_counter()
    tmux("new-session", "-d", "-s", name, "-x", "100", "-y", "30", f"cd {ROOT} && exec env {assignments} {command}")
    tmux("set-option", "-t", name, "remain-on-exit", "on")  # a crash stays readable
    found: list[float] = []
    pending = list(markers)
    while pending and time.perf_counter() - start < timeout:
        screen = tmux("capture-pane", "-p", "-t", name)
        while pending and pending[0] in screen:
            found.append(time.perf_counter() - start)
            pending.pop(0)
        time.sleep(0.005)
    pid = int((tmux("list-panes", "-t", name, "-F", "#{pane_pid}").strip() or "0").splitlines()[0])
    if pending:
        tmux("kill-session", "-t", name)
        raise RuntimeError(f"{command}: {pending[0]!r} never appeared:\n{screen}")
    return found, pid, name  # type: ignore[return-value]


def stop(name: str) -> None:
    tmux("send-keys", "-t", name, "q")
    time.sleep(0.3)
    tmux("kill-session", "-t", name)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def register_team(home: Path, env: dict[str, str]) -> subprocess.Popen:
    """Serve a sandbox over HTTP and register one of its teams with the real keyring."""
    port = free_port()
    server = subprocess.Popen([PY, "-m", "xconsole", "sandbox", "serve", "--port", str(port), "--db", str(home / "served.db")],
                              env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    import httpx

    for _ in range(200):
        try:
            team = httpx.get(f"http://127.0.0.1:{port}/sandbox/teams", timeout=1).json()["teams"][0]
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    subprocess.run([PY, "-m", "xconsole", "team", "add", "Bench", "--key-stdin", "--api-url", f"http://127.0.0.1:{port}"],
                   input=team["managementKey"], text=True, env={**os.environ, **env}, check=True, capture_output=True, cwd=ROOT)
    return server


async def switch_times() -> dict[str, float]:
    """Key press to the frame that shows the next team's name and numbers (render time)."""
    from tests.tui.harness import embedded, sandbox_app, settle
    from xconsole.tui.widgets.team_summary import TeamSummary

    painted: list[tuple[float, str]] = []
    original = TeamSummary.render

    def render(self):  # noqa: ANN001, ANN202
        result = original(self)
        team = self.app.team
        if team is not None and self.data is not None and self.data.snapshot is not None:
            painted.append((time.perf_counter(), team.team_id))
        return result

    TeamSummary.render = render  # type: ignore[method-assign]
    results: dict[str, list[float]] = {"cached": [], "uncached": []}
    sandbox = embedded()
    app = sandbox_app(sandbox)

    async def switch_and_wait(pilot) -> float:  # noqa: ANN001
        teams = app.session.teams
        index = next(i for i, t in enumerate(teams) if t.team_id == app.team.team_id)
        target = teams[(index + 1) % len(teams)].team_id
        painted.clear()
        start = time.perf_counter()
        await pilot.press("right_square_bracket")
        while not any(team == target for _t, team in painted):
            await asyncio.sleep(0.001)
        return next(t for t, team in painted if team == target) - start

    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            for _ in range(RUNS):
                await settle(pilot)
                results["cached"].append(await switch_and_wait(pilot))
            await settle(pilot)
            sandbox.app.state.sandbox.faults.latency_ms = 200
            for _ in range(RUNS):
                await settle(pilot)
                teams = app.session.teams
                index = next(i for i, t in enumerate(teams) if t.team_id == app.team.team_id)
                app.cache.pop(teams[(index + 1) % len(teams)].team_id, None)
                results["uncached"].append(await switch_and_wait(pilot))
            sandbox.app.state.sandbox.faults.latency_ms = 0
            await settle(pilot)
            results["spend_back"] = []
            for _ in range(RUNS):
                await pilot.press("2")
                await settle(pilot)
                painted.clear()
                start = time.perf_counter()
                await pilot.press("1")  # back to Spend: its panels repaint from the cache
                while not painted:
                    await asyncio.sleep(0.001)
                results["spend_back"].append(painted[0][0] - start)
    finally:
        TeamSummary.render = original  # type: ignore[method-assign]
    return {k: statistics.median(v) for k, v in results.items()}


def main() -> None:
    if not shutil.which("tmux"):
        sys.exit("bench needs tmux (make bench installs it)")
    home = Path(tempfile.mkdtemp(prefix="xconsole-bench-"))
    # An idle anchor session keeps one tmux server alive between runs (no start/stop races).
    tmux("new-session", "-d", "-s", "bench-anchor", "sleep 3600")
    env = {"XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"), "TERM": "xterm-256color",
           "PYTHONDONTWRITEBYTECODE": "", "PYTHONPATH": str(ROOT)}
    # A tmux server started elsewhere would not know this session's D-Bus (and so its keyring).
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        env["DBUS_SESSION_BUS_ADDRESS"] = os.environ["DBUS_SESSION_BUS_ADDRESS"]
    # Seed the per-user sandbox database once: a user's second start is the common case.
    subprocess.run([PY, "-m", "xconsole", "--sandbox", "balance"], env={**os.environ, **env}, capture_output=True, check=True, cwd=ROOT)
    server = register_team(home, env)
    try:
        bare, sandbox_frame, sandbox_footer, sandbox_data, reg_frame, reg_data = [], [], [], [], [], []
        for _ in range(RUNS):
            (t,), _pid, name = time_to_marker(f"{PY} bench/bare_app.py", ["BARE READY"], env)
            bare.append(t)
            stop(name)
            (frame, footer, data), _pid, name = time_to_marker(f"{PY} -m xconsole --sandbox", ["1 Spend", "Quit", "Credits $"], env)
            sandbox_frame.append(frame)
            sandbox_footer.append(footer)
            sandbox_data.append(data)
            stop(name)
            (frame, data), _pid, name = time_to_marker(f"{PY} -m xconsole", ["1 Spend", "Credits $"], env)
            reg_frame.append(frame)
            reg_data.append(data)
            stop(name)
        (_f, _d), pid, name = time_to_marker(f"{PY} -m xconsole --sandbox", ["1 Spend", "Credits $"], env)
        time.sleep(3)
        rss = rss_mb(pid)
        stop(name)
    finally:
        server.terminate()
        server.wait(10)
    tmux("kill-session", "-t", "bench-anchor")
    switch = asyncio.run(switch_times())
    med = statistics.median
    b = med(bare)
    print(f"xconsole benchmark — median of {RUNS} interleaved runs (tmux 100x30), seconds")
    print(f"  bare Textual app, first frame          {b:6.3f}   1.00x")
    print(f"  xconsole --sandbox, first frame        {med(sandbox_frame):6.3f}   {med(sandbox_frame) / b:4.2f}x   (target <= 1.5x)")
    print(f"  xconsole --sandbox, with footer        {med(sandbox_footer):6.3f}   {med(sandbox_footer) / b:4.2f}x")
    print(f"  xconsole --sandbox, numbers on screen  {med(sandbox_data):6.3f}   {med(sandbox_data) / b:4.2f}x")
    print(f"  xconsole (keyring team), first frame   {med(reg_frame):6.3f}   {med(reg_frame) / b:4.2f}x   (target <= 1.5x)")
    print(f"  xconsole (keyring team), numbers       {med(reg_data):6.3f}   {med(reg_data) / b:4.2f}x")
    print(f"  RSS after 3 s idle (--sandbox)         {rss:6.1f} MB         (target < 120 MB)")
    print(f"  team switch, cached repaint            {switch['cached'] * 1000:6.1f} ms         (target < 50 ms)")
    print(f"  team switch, uncached, 200 ms latency  {switch['uncached'] * 1000:6.1f} ms         (target < 600 ms)")
    print(f"  back to the Spend screen, cached       {switch['spend_back'] * 1000:6.1f} ms         (target < 50 ms)")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
