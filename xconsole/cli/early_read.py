"""The early-read process (`python -m xconsole.cli.early_read TEAM_ID [--api-url URL | --sandbox]`):
the starting team's balance, month spend and limit as one JSON line on stdout. Never the key. The
console's side, and why, is in core/early_read.py.

- A registered team: its key from the same source the console's session takes it (a credentials
  directory, else the keyring, never with a prompt), its API URL by the same rule, and the two
  answers read over the standard library (core/plain_read.py: the process takes ~0.14 s
  instead of ~0.4 s with httpx, pydantic and the models). With a proxy in the environment, through the session the
  console itself builds (`_read_with_session`), which honours it.
- `--sandbox`: from the sandbox's database through its own service (sandbox/early_numbers.py).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
from datetime import datetime, timezone

from xconsole.core.child_process import end_with_parent
from xconsole.core.early_read import NICE, VERSION


def _read_plain(team_id: str, api_url: str | None) -> dict:
    """The session's key sources and API URL (cli/wiring.py `build_session`, `api_url_for`), without
    building it: XAI_MANAGEMENT_KEY never starts this process (the key names the team)."""
    from xconsole.core import first_team, plain_read
    from xconsole.core.credentials import KeyringKeyStore
    from xconsole.core.credentials_dir import DirectoryKeyStore, credentials_directory
    from xconsole.core.endpoints import DEFAULT_API_URL
    from xconsole.core.paths import config_path

    entry = first_team.registered(config_path(), team_id) or {}
    directory = credentials_directory()
    if directory is not None:
        key = DirectoryKeyStore(directory).read(team_id)
    elif entry:
        key = KeyringKeyStore(may_prompt=False).get_sync(team_id)
    else:
        raise SystemExit(2)  # not a registered team: the session would not open it either
    team_url = entry.get("api_url")
    if not key or not key.strip() or not (team_url is None or isinstance(team_url, str)):
        raise SystemExit(2)
    numbers = plain_read.read(api_url or team_url or DEFAULT_API_URL, team_id, key.strip())
    return _record(team_id, numbers, sandbox=numbers.sandbox)


async def _read_with_session(team_id: str, api_url: str | None) -> None:
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


def _uuid(team_id: str) -> bool:
    """Only a canonical team id goes into a path written by hand (the session's client would
    encode anything else; that path is taken then)."""
    import uuid

    try:
        return str(uuid.UUID(team_id)) == team_id
    except ValueError:
        return False


def _proxied() -> bool:
    from xconsole.core.plain_read import proxied

    return proxied()


def main(argv: list[str]) -> int:
    # A process of well under a second that frees nothing worth collecting: the collector's
    # passes during its imports cost ~20 ms (measured).
    gc.disable()
    # Its read could otherwise outlive a closed terminal by up to ~25 s (the client's timeouts).
    end_with_parent()
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
        elif _uuid(team_id) and not _proxied():
            _emit(_read_plain(team_id, api_url))
        else:
            import asyncio

            asyncio.run(_read_with_session(team_id, api_url))
    except BaseException:  # noqa: BLE001 - any failure: no (more) output; the console says why itself
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
