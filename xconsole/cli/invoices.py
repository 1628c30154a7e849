"""`xconsole invoices`: a team's invoices (or their lines) as a table, CSV or JSON."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import click

from xconsole.cli.options import Options, emit_json, output_format


def _table(records: list[dict[str, Any]]) -> None:
    from xconsole.core.invoices import STATUS_LABEL

    color = "NO_COLOR" not in os.environ and sys.stdout.isatty()
    header = f"{'NUMBER':<16} {'KIND':<8} {'PERIOD':<8} {'STATUS':<11} {'SUBTOTAL':>10} {'TAX':>8} {'TOTAL':>11}"
    click.echo(click.style(header, bold=True) if color else header)
    for r in records:
        line = (f"{r['invoice_number'][:16]:<16} {r['kind'][:8]:<8} {r['period']:<8} {STATUS_LABEL.get(r['status'], r['status']):<11} "
                f"{r['subtotal']:>10} {r['tax']:>8} {r['total']:>11}")
        click.echo(click.style(line, fg="red") if color and r["status"] == "FAILED" else line)
    if not records:
        click.echo("No invoices in this period.")


@click.command()
@click.option("--team", "team", metavar="NAME_OR_ID", help="Team to list (default: the last used).")
@click.option("--since", metavar="YYYY-MM", help="Billing periods from this month on (default: all).")
@click.option("--lines", is_flag=True, help="One row per invoice line instead of per invoice.")
@output_format
@click.pass_obj
def invoices(opts: Options, team: str | None, since: str | None, lines: bool, fmt: str | None) -> None:
    """Prepaid and monthly invoices, newest first; money as integer cents plus formatted text."""
    from xconsole.cli.wiring import run_for_team
    from xconsole.core import export
    from xconsole.core.invoices import newest_first, parse_month

    try:
        month = parse_month(since) if since else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None

    async def fetch(client: Any, handle: Any) -> list[Any]:
        if lines:
            return await client.list_invoices(handle.team_id, since=month)
        return await client.list_invoice_summaries(handle.team_id, since=month)

    handle, found = asyncio.run(run_for_team(opts, team, fetch))
    found = newest_first(found)
    if lines:
        records = [r for inv in found for r in export.line_records(inv.invoice_number, inv.lines)]
        fields, key = export.LINE_FIELDS, "lines"
    else:
        records = [export.invoice_record(inv) for inv in found]
        fields, key = export.INVOICE_FIELDS, "invoices"
    if fmt == "json":
        emit_json({"team": {"name": handle.name, "teamId": handle.team_id},
                   "since": f"{month[0]:04d}-{month[1]:02d}" if month else None, key: records})
    elif fmt == "csv":
        click.echo(export.render(records, fields, "csv"), nl=False)
    elif lines:
        for r in records:
            click.echo(f"{r['invoice_number'][:16]:<16} {r['description'][:30]:<30} {r['num_units']:>12} {r['amount']:>11}")
    else:
        _table(records)
