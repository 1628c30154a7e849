"""The early-read process (`python -m xconsole.cli.early_read TEAM_ID [--api-url URL | --sandbox]`):
the starting team's balance, month spend and limit as one JSON line on stdout, read with the
session the console itself builds (same key sources, api_url and rules), or for `--sandbox` from
the sandbox's database through its own service (sandbox/early_numbers.py). Never the key. The
console's side, and why, is in core/early_read.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from datetime import datetime, timezone

from xconsole.core.early_read import NICE, VERSION


async def _read(team_id: str, api_url: str | None) -> None:
    from xconsole.cli.options import Options
    from xconsole.cli.wiring import build_session
    from xconsole.core.spend import read_numbers

    # Never the process that asks for the keyring's password: the console asks, once.
    session = await build_session(Options(team=team_id, api_url=api_url, read_only=True, keyring_may_prompt=False))
    try:
        team = session.find(team_id)
        if team is None or team.team_id != team_id:
            raise SystemExit(2)
        client = await session.client_for(team)
        # Before closing the session: the console takes the line as soon as it ends (~45 ms
        # before this process has closed its connections and exited, measured).
        _emit(_record(team_id, await read_numbers(client, team_id), sandbox=client.sandbox is True))
    finally:
        await session.aclose()


def _emit(record: dict) -> None:
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def _read_sandbox(team_id: str) -> dict:
    from xconsole.core.paths import data_dir
    from xconsole.sandbox import early_numbers

    summary = early_numbers.read(data_dir() / "sandbox.db", team_id)
    if summary is None:
        raise SystemExit(2)
    return _record(team_id, summary, sandbox=True)


def _record(team_id: str, summary: object, *, sandbox: bool) -> dict:
    return {
        "version": VERSION,
        "team_id": team_id,
        "live_balance": summary.live_balance,  # type: ignore[attr-defined]
        "month_spend": summary.month_spend,  # type: ignore[attr-defined]
        "soft_limit": summary.soft_limit,  # type: ignore[attr-defined]
        "read_at": datetime.now(timezone.utc).isoformat(),
        "sandbox": sandbox,
    }


def main(argv: list[str]) -> int:
    sandbox = argv[1:2] == ["--sandbox"]
    # Behind the console's own first frame when both want the same core: the frame is drawn
    # first; the numbers are read on whatever is left (all of a second core, usually). Not on
    # the sandbox: its read is short, and the console's session would wait for its database
    # lock if a busy machine held a lower-priority reader back.
    if not sandbox:
        with contextlib.suppress(OSError):
            os.nice(NICE)
    team_id, api_url = argv[0], None
    if argv[1:2] == ["--api-url"] and len(argv) > 2:
        api_url = argv[2]
    try:
        if sandbox:
            _emit(_read_sandbox(team_id))
        else:
            import asyncio

            asyncio.run(_read(team_id, api_url))
    except BaseException:  # noqa: BLE001 - any failure: no (more) output; the console says why itself
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
