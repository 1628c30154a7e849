"""`make bench`: xconsole against a bare Textual app, measured in the same run and printed as ratios.

- first frame: time from launch (in tmux) to the first painted frame, median of N interleaved runs:
  the bare app, `xconsole --sandbox`, and `xconsole` on a registered team (real keyring, sandbox
  served over HTTP). For xconsole also the time until the team's live numbers are on screen.
- RSS of `xconsole --sandbox` after 3 s idle with data shown.
- team switch: cached (press `]` to repaint) and uncached with 200 ms sandbox latency per request,
  measured in-process with Textual's pilot.
- Invoices on the sandbox's 10,000-invoice team: `4` to the first rows and to the whole default
  period in a real process over HTTP, its RSS, and (in-process) `/` keystrokes, a year change and
  page down until the table is redrawn.

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


def served_sandbox(home: Path, env: dict[str, str], *extra: str) -> tuple[subprocess.Popen, str, list[dict]]:
    import httpx

    port = free_port()
    server = subprocess.Popen([PY, "-m", "xconsole", "sandbox", "serve", "--port", str(port), "--db",
                               str(home / f"served{'-'.join(extra)}.db"), *extra],
                              env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            return server, url, httpx.get(f"{url}/sandbox/teams", timeout=1).json()["teams"]
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError("sandbox did not start")


def wait_for(name: str, marker: str, start: float, timeout: float = 60) -> float:
    while time.perf_counter() - start < timeout:
        if marker in tmux("capture-pane", "-p", "-t", name):
            return time.perf_counter() - start
        time.sleep(0.005)
    raise RuntimeError(f"{marker!r} never appeared:\n{tmux('capture-pane', '-p', '-t', name)}")


def invoice_process_times(home: Path, env: dict[str, str]) -> dict[str, float]:
    """A real process on the 10,000-invoice team over HTTP: `4` to the first rows, to the full
    default period (since January last year), and RSS with all of it loaded."""
    server, url, teams = served_sandbox(home, env, "--large")
    key = next(t["managementKey"] for t in teams if t["name"].startswith("Megacorp"))
    shown, first, full, rss = [], [], [], []
    try:
        for _ in range(max(3, RUNS // 2)):
            _found, pid, name = time_to_marker(f"{PY} -m xconsole --api-url {url}", ["Credits $"],
                                                {**env, "XAI_MANAGEMENT_KEY": key})
            time.sleep(0.3)
            start = time.perf_counter()
            tmux("send-keys", "-t", name, "4")
            shown.append(wait_for(name, "All kinds", start))
            first.append(wait_for(name, " paid", start))
            full.append(wait_for(name, "invoices (since 2025-01)", start))
            time.sleep(1)
            rss.append(rss_mb(pid))
            stop(name)
    finally:
        server.terminate()
        server.wait(10)
    med = statistics.median
    return {"screen": med(shown), "first_rows": med(first), "full": med(full), "rss": med(rss)}


async def invoice_filter_times() -> dict[str, float]:
    """In-process on the 10,000-invoice team: a `/` keystroke, a year change and a page down,
    each from the change to the table's next painted frame."""
    from textual.widgets import Input, Select

    from tests.tui.harness import sandbox_app, settle
    from xconsole.sandbox.clock import FROZEN_NOW
    from xconsole.sandbox.embedded import open_embedded
    from xconsole.tui.widgets.console_table import FilterableTable, VimTable

    painted: list[float] = []
    original = VimTable.render_lines

    def render_lines(self, crop):  # noqa: ANN001, ANN202
        painted.append(time.perf_counter())
        return original(self, crop)

    sandbox = open_embedded(":memory:", frozen_at=FROZEN_NOW, large=True)
    app = sandbox_app(sandbox, team="megacorp")
    keystrokes, years, pages = [], [], []

    async def timed(change) -> float:  # noqa: ANN001
        painted.clear()
        start = time.perf_counter()
        change()
        while not painted:
            await asyncio.sleep(0.0005)
        return painted[0] - start

    VimTable.render_lines = render_lines  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("4")
            await settle(pilot)
            table = app.screen.query_one("#invoices", FilterableTable)
            count = table.visible_count
            box = table.query_one("#filter", Input)
            select = app.screen.query_one("#filter-year", Select)
            vim = table.query_one(VimTable)
            for _ in range(RUNS):
                for text in ("2", "20", "202", "2026", "2026-", "2026-0", ""):
                    keystrokes.append(await timed(lambda text=text: setattr(box, "value", text)))
                    await settle(pilot)
                for value in (2026, "recent"):
                    years.append(await timed(lambda value=value: setattr(select, "value", value)))
                    await settle(pilot)
                vim.focus()
                for _ in range(5):
                    pages.append(await timed(vim.action_page_down))
                    await settle(pilot)
                vim.action_scroll_top()
                await settle(pilot)
    finally:
        VimTable.render_lines = original  # type: ignore[method-assign]
    med = statistics.median
    if os.environ.get("BENCH_DEBUG"):
        print("keystrokes", [round(k * 1000) for k in keystrokes], "years", [round(y * 1000) for y in years])
    return {"count": count, "keystroke": med(keystrokes), "keystroke_max": max(keystrokes), "year": med(years),
            "page": med(pages), "page_max": max(pages)}


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
        invoices = invoice_process_times(home, env)
    finally:
        server.terminate()
        server.wait(10)
    tmux("kill-session", "-t", "bench-anchor")
    switch = asyncio.run(switch_times())
    filtering = asyncio.run(invoice_filter_times())
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
    print(f"Invoices on the 10,000-invoice team ({filtering['count']:,} in the default period)")
    print(f"  4 to the screen (filters drawn)        {invoices['screen'] * 1000:6.0f} ms")
    print(f"  4 to the first rows (over HTTP)        {invoices['first_rows'] * 1000:6.0f} ms         (target < 500 ms)")
    print(f"  4 to the whole default period          {invoices['full'] * 1000:6.0f} ms")
    print(f"  RSS with them loaded                   {invoices['rss']:6.1f} MB         (target < 150 MB)")
    print(f"  / filter, per keystroke                {filtering['keystroke'] * 1000:6.1f} ms         "
          f"(max {filtering['keystroke_max'] * 1000:.1f}; target < 100 ms)")
    print(f"  year filter change                     {filtering['year'] * 1000:6.1f} ms         (target < 100 ms)")
    print(f"  page down                              {filtering['page'] * 1000:6.1f} ms         "
          f"(max {filtering['page_max'] * 1000:.1f})")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
