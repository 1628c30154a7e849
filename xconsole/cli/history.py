"""`xconsole history`: a team's audit events merged with this user's action journal, newest first.

The audit events say what changed and under whose account; the journal says which person on
which machine sent xconsole's own writes, including the ones that failed or got no answer
(core/history.py). `--json` is one document (design.md 8: `history --team X --json`), `--csv`
one row per entry for a spreadsheet.
"""

from __future__ import annotations

import asyncio
import csv
import re
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

import click

from xconsole.cli.options import Options, emit_json

CSV_COLUMNS = ("time", "who", "what", "before", "after", "source", "outcome", "reason", "amount_cents", "event_id",
               "idempotency_key")
_RELATIVE = re.compile(r"^(\d+)\s*([dhw])$")


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """YYYY-MM-DD (UTC midnight), an RFC 3339 time, or a span back from now: 7d, 12h, 2w."""
    text = text.strip()
    found = _RELATIVE.match(text.lower())
    if found:
        amount, unit = int(found[1]), found[2]
        span = {"d": timedelta(days=amount), "h": timedelta(hours=amount), "w": timedelta(weeks=amount)}[unit]
        return (now or datetime.now(timezone.utc)) - span
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date (YYYY-MM-DD), a time (RFC 3339) or a span (7d, 12h)",
                                 param_hint="--since") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


async def _load(opts: Options, team: str | None, since: datetime | None, query: str | None,
                limit: int | None) -> tuple[Any, list[Any], str | None]:
    from xconsole.cli.wiring import run_for_team
    from xconsole.core.history import load_history

    async def fetch(client: Any, handle: Any) -> tuple[list[Any], str | None]:
        entries, pager = await load_history(client, handle.team_id, since=since, query=query, limit=limit)
        error = pager.audit_error
        return entries, (f"{error.title}: {error}" if error is not None else None)

    handle, (entries, audit_error) = await run_for_team(opts, team, fetch)
    return handle, entries, audit_error


@click.command()
@click.option("--team", "team", metavar="NAME_OR_ID", help="Team to show (default: the last used).")
@click.option("--since", "since_text", metavar="DATE", help="From this date (YYYY-MM-DD), time (RFC 3339) or span back (7d, 12h).")
@click.option("--query", "-q", metavar="WORDS", help="Only entries whose description holds every word.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="At most the newest N entries.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout (money as cents + text).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV on stdout, one row per entry.")
@click.pass_obj
def history(opts: Options, team: str | None, since_text: str | None, query: str | None, limit: int | None,
            as_json: bool, as_csv: bool) -> None:
    """What changed and who did it: the team's audit events and this user's xconsole writes, newest first."""
    if as_json and as_csv:
        raise click.UsageError("Use --json or --csv, not both")
    since = parse_since(since_text) if since_text else None
    handle, entries, audit_error = asyncio.run(_load(opts, team, since, query, limit))
    if audit_error:
        click.echo(f"xconsole: {handle.name}: the audit events could not be read ({audit_error}); "
                   "showing this machine's journal only", err=True)
    if as_json:
        emit_json({"team": {"name": handle.name, "teamId": handle.team_id},
                   "since": since.isoformat() if since else None, "auditError": audit_error,
                   "entries": [e.to_json() for e in entries]})
        return
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for e in entries:
            writer.writerow([e.time.isoformat().replace("+00:00", "Z"), e.who, e.what, e.before or "", e.after or "",
                             e.source, e.outcome or "", e.reason or "",
                             "" if e.amount_cents is None else e.amount_cents, e.event_id or "", e.idempotency_key or ""])
        return
    if not entries:
        click.echo(f"{handle.name}: nothing in the history{' since ' + since_text if since_text else ''}.")
        return
    click.echo(f"{handle.name} ({handle.short_id}) — newest first")
    for e in entries:
        click.echo(e.line())
