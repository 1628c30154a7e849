"""`xconsole watch`: every team's credits, runway, month, limit and state as a plain-text table,
redrawn in place every `--interval` for a tmux pane or a wall screen (`--once`: print once).

One burst of reads per interval (the same reads and judgement as `xconsole check`), never a
redraw loop; colour only on a terminal and never with NO_COLOR; a pipe gets one table per
interval, each under its time.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime

import click

from xconsole.cli.options import Options

CLEAR = "\x1b[H\x1b[2J"
STATE_COLOUR = {"OK": "green", "WARNING": "yellow", "CRITICAL": "red", "UNKNOWN": "magenta"}


def render(checks: list, *, colour: bool, width: int = 80) -> str:
    """The table: one line per team, never wider than `width`."""
    from xconsole.core.forecast import Runway
    from xconsole.core.money import format_cents

    lines = [f"{'TEAM':<20} {'CREDITS':>11} {'RUNWAY':>10} {'MONTH':>11} {'LIMIT':>10}  STATE"]
    for c in checks:
        runway = Runway(c.runway_days, c.runway_known, c.runway_at_least).text if c.reachable else ""
        state = c.state.name
        line = (f"{c.name[:20]:<20} {format_cents(c.balance) if c.reachable else '':>11} {runway:>10} "
                f"{format_cents(c.month_spend) if c.reachable else '':>11} "
                f"{format_cents(c.invoiced_limit) if c.reachable else '':>10}  ")
        tail = state if c.state.name == "OK" else f"{state}: {c.reasons[0]}"
        room = max(8, width - len(line))
        tail = tail if len(tail) <= room else tail[: room - 1] + "…"  # the whole reason is in `check`
        lines.append(line + (click.style(tail, fg=STATE_COLOUR[state]) if colour else tail))
    return "\n".join(lines)


@click.command()
@click.option("--team", "teams", multiple=True, metavar="NAME_OR_ID", help="A team to show (repeatable; default: all).")
@click.option("--interval", type=click.FloatRange(min=5), default=60, show_default=True, help="Seconds between reads.")
@click.option("--once", is_flag=True, help="Print the table once and exit.")
@click.pass_obj
def watch(opts: Options, teams: tuple[str, ...], interval: float, once: bool) -> None:
    """Every team's credits, runway, month spend, limit and state, redrawn in place."""
    try:
        asyncio.run(_watch(opts, list(teams), interval, once))
    except KeyboardInterrupt:
        pass


async def _watch(opts: Options, wanted: list[str], interval: float, once: bool) -> None:
    from xconsole.cli.wiring import build_session, select
    from xconsole.core.check import Thresholds, check_teams

    terminal = sys.stdout.isatty()
    colour = terminal and "NO_COLOR" not in os.environ
    session = await build_session(opts)
    try:
        handles = []
        for name in wanted or [None]:  # type: ignore[list-item]
            for handle in select(session, name, all_teams=not wanted):
                if handle not in handles:
                    handles.append(handle)
        while True:
            checks = await check_teams(session, handles, Thresholds())
            width = os.get_terminal_size().columns if terminal else 120
            stamp = f"xconsole watch · {datetime.now().astimezone():%Y-%m-%d %H:%M:%S %Z}" + (
                "" if once else f" · every {interval:g} s · ctrl+c stops")
            table = render(checks, colour=colour, width=width)
            click.echo((CLEAR if terminal and not once else "") + stamp + "\n" + table + ("" if terminal else "\n"))
            if once:
                return
            await asyncio.sleep(interval)  # the next burst of reads; nothing redraws meanwhile
    finally:
        await session.aclose()
