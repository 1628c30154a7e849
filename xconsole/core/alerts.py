"""Alerts once per change, for `xconsole check --on-change/--webhook` (design.md 8).

Each team's last state is kept in a state file (user state dir, mode 0600, written atomically);
a hook fires only when a team's state changes (OK→WARNING, WARNING→CRITICAL, anything→OK is
"resolved"). A team seen for the first time fires unless it is OK. Without a state file
(`--stateless`) every run reports, for schedulers that leave de-duplication to Alertmanager.

The payload carries names, ids, states, reasons and numbers: never a key. A command gets it as
JSON on stdin plus a few `XCONSOLE_*` variables; a webhook gets it as a JSON POST, with a timeout
and at most one retry. A failing hook is reported, never fatal.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from xconsole.core.check import SCHEMA_VERSION, TeamCheck

STATE_FILE_VERSION = 1
COMMAND_TIMEOUT_S = 30.0
WEBHOOK_TIMEOUT_S = 10.0


def default_state_file() -> Path:
    from platformdirs import user_state_dir

    return Path(user_state_dir("xconsole")) / "check-state.json"


def load_states(path: Path) -> dict[str, str]:
    """team id -> last state name; empty when there is no readable state file yet."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    states = raw.get("teams") if isinstance(raw, dict) and raw.get("version") == STATE_FILE_VERSION else None
    return {str(k): str(v) for k, v in states.items()} if isinstance(states, dict) else {}


def save_states(path: Path, checks: list[TeamCheck], previous: dict[str, str]) -> None:
    """Atomically (temp file + rename), mode 0600. Teams not checked this run keep their state."""
    states = {**previous, **{c.team_id: c.state.name for c in checks}}
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".check-state-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"version": STATE_FILE_VERSION, "teams": states}, handle)
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Change:
    check: TeamCheck
    old: str | None  # None: no state file (--stateless); a team first seen counts from "OK"

    @property
    def resolved(self) -> bool:
        return self.check.state.name == "OK"

    def payload(self, now: datetime | None = None) -> dict[str, Any]:
        c = self.check.to_json()
        return {
            "schemaVersion": SCHEMA_VERSION,
            "team": {"name": self.check.name, "teamId": self.check.team_id},
            "oldState": self.old, "newState": self.check.state.name, "resolved": self.resolved,
            "reasons": c["reasons"],
            "numbers": {k: c[k] for k in ("balance", "monthSpend", "invoicedLimit", "runwayDays", "runwayKnown",
                                          "runwayAtLeast")},
            "time": (now or datetime.now(timezone.utc)).isoformat(),
        }


def changes(checks: list[TeamCheck], previous: dict[str, str] | None) -> list[Change]:
    """What to report: every team when stateless (`previous` None), else the teams whose state
    moved (a team first seen counts from OK)."""
    if previous is None:
        return [Change(c, None) for c in checks]
    return [Change(c, previous.get(c.team_id, "OK")) for c in checks
            if c.state.name != previous.get(c.team_id, "OK")]


#: Hooks run side by side, and a run stops waiting for them after HOOKS_BUDGET_S: 200 teams
#: turning CRITICAL at once must not hold a timer's run for 200 × (10 s + a retry).
HOOKS_AT_ONCE = 8
HOOKS_BUDGET_S = 90.0


def deliver(changes_: list[Change], command: str | None, webhook: str | None, *,
            budget_s: float = HOOKS_BUDGET_S) -> list[tuple[Change, str]]:
    """Run the command and POST the webhook for every change, HOOKS_AT_ONCE at a time; the
    (change, problem) pairs that were not delivered, a hook still running at the budget's end
    among them (its change is reported again on the next run). Delivery is at least once: a hook
    that ends after the budget may have delivered, and is sent again next run."""
    from concurrent.futures import ThreadPoolExecutor, wait

    def one(change: Change) -> str | None:
        problems = [p for p in (run_command(command, change) if command else None,
                                post_webhook(webhook, change) if webhook else None) if p]
        return "; ".join(problems) or None

    if not changes_ or not (command or webhook):
        return []
    pool = ThreadPoolExecutor(HOOKS_AT_ONCE, thread_name_prefix="xconsole-hook")
    futures = {pool.submit(one, change): change for change in changes_}
    done, late = wait(futures, timeout=budget_s)
    pool.shutdown(wait=False, cancel_futures=True)  # queued hooks never start; running ones end on their own timeouts
    failed = [(futures[f], f.result()) for f in done if f.result()]
    failed += [(futures[f], f"not delivered within {budget_s:g} s: reported again next run") for f in late]
    order = {id(c): i for i, c in enumerate(changes_)}
    return sorted(failed, key=lambda pair: order[id(pair[0])])


def run_command(command: str, change: Change) -> str | None:
    """Run `command` through the shell with the payload on stdin; the error in words, or None."""
    payload = change.payload()
    env = {**os.environ, "XCONSOLE_TEAM": change.check.name, "XCONSOLE_TEAM_ID": change.check.team_id,
           "XCONSOLE_OLD_STATE": change.old or "", "XCONSOLE_STATE": change.check.state.name,
           "XCONSOLE_RESOLVED": "1" if change.resolved else "0", "XCONSOLE_REASONS": "; ".join(change.check.reasons)}
    for name in ("XAI_MANAGEMENT_KEY", "XCONSOLE_CREDENTIALS_DIRECTORY", "CREDENTIALS_DIRECTORY"):
        env.pop(name, None)  # a hook never sees a key, nor where the keys are
    try:
        done = subprocess.run(["/bin/sh", "-c", command], input=json.dumps(payload), text=True, env=env,
                              capture_output=True, timeout=COMMAND_TIMEOUT_S, check=False)
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        return f"the hook command failed: {exc}"
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        return f"the hook command exited {done.returncode}{': ' + tail[0] if tail[0] else ''}"
    return None


def post_webhook(url: str, change: Change, *, timeout: float = WEBHOOK_TIMEOUT_S) -> str | None:
    """POST the payload as JSON; one retry on a transport error or a 5xx. The error, or None."""
    import httpx

    payload = change.payload()
    problem = None
    for _attempt in range(2):
        try:
            response = httpx.post(url, json=payload, timeout=timeout, headers={"User-Agent": "xconsole-check"})
        except httpx.HTTPError as exc:
            problem = f"the webhook could not be reached: {type(exc).__name__}"
            continue
        except Exception as exc:  # noqa: BLE001 - a bad URL or a local error: said, never a traceback
            return f"the webhook could not be called: {type(exc).__name__}: {exc}"
        if response.status_code < 300:
            return None
        problem = f"the webhook answered {response.status_code}"
        if response.status_code < 500:
            return problem  # a 4xx will not change on a retry
    return problem
