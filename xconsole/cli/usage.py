"""`xconsole usage`: a team's spend per day (or per model) over the last N days."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import click

from xconsole.cli.options import Options, emit_json, money, output_format

BAR_WIDTH = 40


@click.command()
@click.option("--team", "team", metavar="NAME_OR_ID", help="Team to show (default: the last used).")
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True, help="Days up to today (today is partial).")
@click.option("--by", "by", type=click.Choice(["day", "model"]), default="day", show_default=True, help="One row per day or per model.")
@output_format
@click.pass_obj
def usage(opts: Options, team: str | None, days: int, by: str, fmt: str | None) -> None:
    """API spend per day or per model; money as integer cents plus formatted text."""
    from xconsole.cli.wiring import run_for_team
    from xconsole.core.export import render
    from xconsole.core.money import format_cents
    from xconsole.core.usage import load_usage

    async def fetch(client: Any, handle: Any) -> Any:
        report = await load_usage(client, handle.team_id, days, by_model=by == "model")
        if fmt != "json":
            return report, None
        from xconsole.core.anomalies import load_anomalies
        from xconsole.core.errors import ApiError

        try:  # one more read; failing, it costs the anomalies, not the usage
            unusual: Any = await load_anomalies(client, handle.team_id, days)
        except ApiError as exc:
            unusual = exc
        return report, unusual

    handle, (report, unusual) = asyncio.run(run_for_team(opts, team, fetch))
    label = "day" if by == "day" else "model"
    if fmt == "json":
        from xconsole.core.errors import ApiError

        failed = isinstance(unusual, ApiError)
        emit_json({"team": {"name": handle.name, "teamId": handle.team_id}, "from": report.first.isoformat(),
                   "to": report.last.isoformat(), "by": label, "total": money(report.total),
                   "partial": report.limit_reached,
                   "rows": [{label: name, **money(cents)} for name, cents in report.rows],
                   # Unusual spend in the period (core.anomalies); null when its read failed.
                   "anomalies": None if failed else unusual.to_json(),
                   "anomaliesPartial": False if failed else unusual.incomplete,
                   "anomaliesError": f"{unusual.title}: {unusual.message}" if failed else None})
        return
    if fmt == "csv":
        records = [{label: name, "cents": cents, "formatted": format_cents(cents)} for name, cents in report.rows]
        click.echo(render(records, (label, "cents", "formatted"), "csv"), nl=False)
        return
    color = "NO_COLOR" not in os.environ and sys.stdout.isatty()
    title = f"{handle.name}: spend {report.first} to {report.last} (today so far) by {label}"
    click.echo(click.style(title, bold=True) if color else title)
    top = max((cents for _n, cents in report.rows), default=0)
    for name, cents in report.rows:
        bar = "█" * (round(BAR_WIDTH * cents / top) if top else 0)
        click.echo(f"{name[:24]:<24} {format_cents(cents):>11}  {bar}")
    if not report.rows:
        click.echo("No spend in this period.")
    click.echo(f"{'total':<24} {format_cents(report.total):>11}")
    if report.limit_reached:
        click.echo("xconsole: the API capped the number of series; totals may be incomplete", err=True)
