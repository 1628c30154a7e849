"""`xconsole balance`: live credit balance, month spend, limit, auto top-up and runway per team."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import click

from xconsole.cli.options import EXIT_API, EXIT_THRESHOLD, Fail, Options, emit_json, money, progress
from xconsole.core import billing
from xconsole.core.money import MoneyError, parse_amount


def _row(team: Any, snap: Any, error: str | None, runway_below: float | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"name": team.name, "teamId": team.team_id, "source": team.source, "error": error}
    if snap is None:
        return row
    from xconsole.core.forecast import runway

    s = snap.summary
    auto = snap.auto_top_up
    left = runway(s, snap.forecast, runway_below)  # what --runway-below is judged on
    row.update(
        balance=money(s.live_balance),
        monthSpend=money(s.month_spend),
        billedAtMonthEnd=money(s.beyond_prepaid),
        pendingPurchases=money(s.pending_purchases),
        invoicedLimit=money(s.soft_limit),
        rejectsWhenEmpty=s.will_reject_when_empty,
        warnings=billing.team_warnings(s, auto, getattr(snap, "unpaid", ())),  # the lean read (--all) makes none
        rejectsSoon=billing.rejects_soon(s, auto),
        runwayDays=None if left.days is None else round(left.days, 1),  # core.forecast.runway: as check and the TUI
        runwayKnown=left.known,
        runwayAtLeast=left.at_least,
        unreported=list(s.unreported),
        usageError=snap.usage_error,
        forecast=snap.forecast.to_json() if snap.forecast is not None else None,
        autoTopUp=None if auto is None else {
            "enabled": auto.enabled, "threshold": money(auto.threshold.val), "amount": money(auto.amount.val),
            "monthlyLimit": money(auto.monthly_limit.val), "usedThisMonth": money(auto.used_this_month.val),
            "topUpsLast24h": auto.top_ups_last24h, "warnings": list(auto.warnings),
        },
    )
    return row


async def _collect(opts: Options, team: str | None, all_teams: bool,
                   runway_below: float | None = None) -> list[tuple[dict[str, Any], str]]:
    """Per team: its --json row and its auto top-up label for the table."""
    from xconsole.cli.wiring import build_session, select
    from xconsole.core.credentials import KeyringUnavailable
    from xconsole.core.errors import ApiError
    from xconsole.core.spend import load_spend, load_summary

    session = await build_session(opts)
    teams = select(session, team or (None if all_teams else opts.team), all_teams)

    tick = progress(len(teams))

    async def one(handle: Any) -> tuple[dict[str, Any], str]:
        try:
            client = await session.client_for(handle)
            # Many teams: the lean read (no ledger, so pending purchases are null); one: everything.
            snap = await (load_summary(client, handle.team_id) if all_teams else load_spend(client, handle.team_id))
        except KeyringUnavailable as exc:
            return _row(handle, None, str(exc)), ""
        except ApiError as exc:
            return _row(handle, None, f"{exc.title}: {exc}"), ""
        finally:
            if tick is not None:
                tick()
        return _row(handle, snap, None, runway_below), billing.auto_top_up_label(snap.auto_top_up)

    try:
        return list(await asyncio.gather(*(one(t) for t in teams)))
    finally:
        await session.aclose()


def _print_table(rows: list[tuple[dict[str, Any], str]]) -> None:
    color = "NO_COLOR" not in os.environ
    header = f"{'TEAM':<18} {'BALANCE':>11} {'MONTH':>11} {'LIMIT':>10} {'AUTO':>8} {'RUNWAY':>12}"
    click.echo(click.style(header, bold=True) if color else header)
    for row, auto_label in rows:
        name = row["name"][:18]
        if row["error"]:
            line = f"{name:<18} error: {row['error']}"
            line = line if len(line) <= 80 else line[:79] + "…"  # the full message is in --json
            click.echo(click.style(line, fg="red") if color else line)
            continue
        runway = _runway_text(row)
        line = (f"{name:<18} {row['balance']['formatted']:>11} {row['monthSpend']['formatted']:>11} "
                f"{row['invoicedLimit']['formatted']:>10} {auto_label:>8} {runway:>12}")
        click.echo(click.style(line, fg="yellow") if color and row["rejectsSoon"] else line)


def _runway_text(row: dict[str, Any]) -> str:
    from xconsole.core.forecast import Runway

    return Runway(row["runwayDays"], row["runwayKnown"], row["runwayAtLeast"]).text


def _crossed(row: dict[str, Any], below_cents: int | None, runway_below: float | None) -> str | None:
    """Why a team trips a threshold, or None. A figure the API did not report trips it too: a
    monitor must not stay quiet because the number went missing."""
    if row["error"]:
        return None
    balance, runway = row["balance"], row["runwayDays"]
    text = f"balance {balance['formatted']}, runway {_runway_text(row)}"
    if below_cents is not None and (balance["cents"] is None or balance["cents"] < below_cents):
        return text if balance["cents"] is not None else f"{text} (the API did not report the balance)"
    if runway_below is not None and (not row["runwayKnown"] or (runway is not None and runway < runway_below)):
        return text
    return None


@click.command()
@click.option("--team", "team", metavar="NAME_OR_ID", help="Team to show (default: the last used).")
@click.option("--all", "all_teams", is_flag=True, help="Every registered team, fetched in parallel (a lean read: pending purchases are not read).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout (money as cents + text).")
@click.option("--below", metavar="AMOUNT", help="Exit 3 when a team's balance is below AMOUNT dollars (1 when a team cannot be read).")
@click.option("--runway-below", type=click.FloatRange(min=0), metavar="DAYS", help="Exit 3 when a team's runway is below DAYS.")
@click.pass_obj
def balance(opts: Options, team: str | None, all_teams: bool, as_json: bool, below: str | None, runway_below: float | None) -> None:
    """Live credit balance, month-to-date spend, invoiced billing limit, auto top-up, runway."""
    if team and all_teams:
        raise click.UsageError("Use --team or --all, not both")
    try:
        below_cents = parse_amount(below) if below is not None else None
    except MoneyError as exc:
        raise click.BadParameter(str(exc), param_hint="--below") from None
    collected = asyncio.run(_collect(opts, team, all_teams, runway_below))
    rows = [row for row, _label in collected]
    if as_json:
        emit_json({"teams": rows})
    else:
        _print_table(collected)
    if all(r["error"] for r in rows):
        raise Fail(rows[0]["error"] if len(rows) == 1 else "No team could be read")
    low = [(r, why) for r in rows if (why := _crossed(r, below_cents, runway_below))]
    failed = [r for r in rows if r["error"]]
    for row, why in low:
        click.echo(f"xconsole: {row['name']}: {why}", err=True)
    for row in failed:  # a balance not read may be below any threshold: said, and never exit 0
        click.echo(f"xconsole: {row['name']}: {row['error']}", err=True)
    if low:
        raise SystemExit(EXIT_THRESHOLD)
    if failed:
        raise SystemExit(EXIT_API)
