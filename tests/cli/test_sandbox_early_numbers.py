"""`xconsole --sandbox`: the early-read process reads the first demo team's balance, month spend
and limit from the sandbox's database through its own service (sandbox/early_numbers.py), while
the console loads FastAPI; they equal what the sandbox's routes answer."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import datetime, timezone

from xconsole.cli.options import Options
from xconsole.cli.wiring import sandbox_db_path, sandbox_session
from xconsole.core import early_read
from xconsole.core.spend import read_numbers
from xconsole.sandbox import early_numbers

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _routes_say(session, team):  # noqa: ANN001, ANN202
    async def read():  # noqa: ANN202
        return await read_numbers(await session.client_for(team), team.team_id)

    return asyncio.run(read())


def test_the_numbers_come_without_the_app_and_equal_its_answers(home, monkeypatch):
    still = datetime.now(timezone.utc)  # one instant for both reads: the demo's usage moves with time
    monkeypatch.setattr("xconsole.sandbox.clock._wall", lambda: still)
    session = sandbox_session(Options(sandbox=True))  # the first run seeds the database
    team = session.teams[0]
    early = early_numbers.read(sandbox_db_path(), team.team_id)
    answered = _routes_say(session, team)
    assert early is not None and early.live_balance is not None
    assert (early.live_balance, early.month_spend, early.soft_limit) == \
        (answered.live_balance, answered.month_spend, answered.soft_limit)


def test_the_child_prints_them_for_that_team_only_and_without_the_app(home, monkeypatch):
    monkeypatch.delenv(early_read.DISABLE_ENV, raising=False)
    session = sandbox_session(Options(sandbox=True))
    team = session.teams[0]
    before = _routes_say(session, team)
    probe = ("import runpy, sys; sys.argv = ['early_read', *sys.argv[1:]]\n"
             "try:\n    runpy.run_module('xconsole.cli.early_read', run_name='__main__')\n"
             "finally:\n    heavy = {'fastapi', 'httpx', 'click'} & set(sys.modules)\n"
             "    print(f'APP {heavy}' if heavy else 'LEAN', file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe, team.team_id, "--sandbox"], capture_output=True, timeout=60)
    after = _routes_say(session, team)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().endswith(b"LEAN")  # neither FastAPI, httpx nor click was loaded for them
    numbers = early_read.parse(done.stdout, team.team_id)
    assert numbers is not None and numbers.live and numbers.sandbox
    # The demo's usage moves with the wall clock: the child read between the two route reads.
    assert (numbers.live_balance, numbers.month_spend, numbers.soft_limit) in {
        (s.live_balance, s.month_spend, s.soft_limit) for s in (before, after)}
    assert early_read.parse(done.stdout, session.teams[1].team_id) is None  # another team's: never


def test_the_console_starts_the_child_with_it_for_the_team_it_opens_on(home, monkeypatch):
    from xconsole.cli.tui import build_app

    spawned: list[tuple] = []
    monkeypatch.setattr(early_read, "spawn", lambda team_id, url, **kw: spawned.append((team_id, url, kw)))
    build_app(Options(sandbox=True))  # no database yet: the session creates and seeds it, nothing to read
    assert spawned == []
    teams = sandbox_session(Options(sandbox=True)).teams
    build_app(Options(sandbox=True))
    build_app(Options(sandbox=True, team=teams[1].name))
    build_app(Options(sandbox=True, fresh=True))  # the database is about to be replaced
    assert spawned == [(teams[0].team_id, None, {"sandbox": True}), (teams[1].team_id, None, {"sandbox": True})]


def test_nothing_without_a_database_or_for_an_unknown_team(home, monkeypatch):
    monkeypatch.delenv(early_read.DISABLE_ENV, raising=False)
    assert early_numbers.read(sandbox_db_path(), UNKNOWN) is None
    sandbox_session(Options(sandbox=True))
    done = subprocess.run([sys.executable, "-m", "xconsole.cli.early_read", UNKNOWN, "--sandbox"],
                          capture_output=True, timeout=60)
    assert done.returncode != 0 and done.stdout == b""


async def test_the_console_on_the_sandbox_starts_the_child_and_shows_its_numbers(home, monkeypatch):
    from xconsole.cli.tui import build_app
    from tests.tui.harness import wait_until

    monkeypatch.delenv(early_read.DISABLE_ENV, raising=False)
    first = (await asyncio.to_thread(sandbox_session, Options(sandbox=True))).teams[0]
    app = build_app(Options(sandbox=True))
    assert app.early_read is not None  # started with the console: it reads while Textual loads
    shown: list[object] = []
    show_early = app.store.show_early
    monkeypatch.setattr(app.store, "show_early", lambda numbers: (shown.append(numbers), show_early(numbers)))

    async def never() -> None:  # the console's own session never comes: only the child can answer
        await asyncio.Event().wait()

    app.session_factory = never
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            # Handed to the store, then drawn once its message is handled: wait for the drawing.
            await wait_until(pilot, lambda: bool(shown) and "reading the rest" in str(app.screen.query_one("TeamSummary").render()),
                             timeout=60)
    finally:
        if app.early_read is not None:
            app.early_read.stop()
    assert app.early_read.process.args[-2:] == [first.team_id, "--sandbox"]
    [numbers] = shown
    assert numbers.team_id == first.team_id and numbers.live and numbers.sandbox and numbers.live_balance is not None
