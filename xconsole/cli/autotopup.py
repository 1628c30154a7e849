"""`xconsole autotopup simulate`: the auto top-up what-if on the team's real hourly usage.

It only reads (usage, the invoiced billing limit, and the current settings where the server has
them), so it works on the real API too: there the settings are console-only, so they must be
given as options, and the result helps choose what to enter in the web console.
"""

from __future__ import annotations

import asyncio
from typing import Any

import click

from xconsole.cli.options import Fail, Options, emit_json, money

DEFAULT_DAYS = 90


@click.group()
def autotopup() -> None:
    """Auto top-up tools: what-if replays on the team's own usage."""


def _cents(value: str | None, option: str) -> int | None:
    from xconsole.core.money import MoneyError, parse_amount

    if value is None:
        return None
    try:
        return parse_amount(value)
    except MoneyError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


async def _read(client: Any, team_id: str, days: int) -> tuple[Any, Any, int | None]:
    """(hourly usage, current auto top-up or None when console-only, invoiced limit in force)."""
    from xconsole.core import errors
    from xconsole.core.hourly import read_hourly

    limits = await client.get_spending_limits(team_id)  # also tells the server's clock
    try:
        current = await client.get_auto_top_up(team_id)
    except errors.NotSupportedByApi:
        current = None
    history = await read_hourly(client, team_id, days)
    return history, current, limits.limit_cents


@autotopup.command()
@click.option("--team", "team", metavar="NAME_OR_ID", help="Team to replay (default: the last used).")
@click.option("--threshold", metavar="DOLLARS", help="Trigger balance (default: the current setting).")
@click.option("--amount", metavar="DOLLARS", help="Top-up amount, at least $25 (default: the current setting).")
@click.option("--monthly-max", "monthly_max", metavar="DOLLARS", help="Monthly maximum (default: the current setting).")
@click.option("--budget", metavar="DOLLARS", help="Also find the smallest settings with no rejected hour within this monthly maximum.")
@click.option("--days", type=click.IntRange(1, 366), default=DEFAULT_DAYS, show_default=True, help="Days of usage to replay.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout (money as cents + text).")
@click.pass_obj
def simulate(opts: Options, team: str | None, threshold: str | None, amount: str | None, monthly_max: str | None,
             budget: str | None, days: int, as_json: bool) -> None:
    """Replay the last DAYS days of hourly usage with auto top-up settings: top-ups, dollars bought,
    hours with rejected requests, and when the monthly maximum or the 5-per-24 h rule blocked one."""
    from xconsole.cli.wiring import run_for_team
    from xconsole.core import billing, models
    from xconsole.core.topup_replay import AutoRule
    from xconsole.core.what_if import Replayer, describe, settings_json, smallest_settings

    typed = {"threshold": _cents(threshold, "--threshold"), "amount": _cents(amount, "--amount"),
             "monthlyMax": _cents(monthly_max, "--monthly-max")}
    budget_cents = _cents(budget, "--budget")

    async def fetch(client: Any, handle: Any) -> Any:
        return await _read(client, handle.team_id, days)

    handle, (history, current, limit) = asyncio.run(run_for_team(opts, team, fetch))
    known = current is not None
    if known:
        defaults = {"threshold": current.threshold.val, "amount": current.amount.val, "monthlyMax": current.monthly_limit.val}
        for key, value in defaults.items():
            if typed[key] is None and (current.amount.val > 0 or current.enabled):
                typed[key] = value
    missing = [name for name, value in typed.items() if value is None]
    rule = None
    if not missing:
        settings = models.AutoTopUpSettings(enabled=True, threshold=models.Cent.of(typed["threshold"]),
                                            amount=models.Cent.of(typed["amount"]),
                                            monthly_limit=models.Cent.of(typed["monthlyMax"]))
        problems = billing.validate_auto_top_up(settings)
        if problems:
            field, message = next(iter(problems.items()))
            option = {"threshold": "--threshold", "amount": "--amount", "monthlyLimit": "--monthly-max"}[field]
            raise click.BadParameter(message, param_hint=option)
        rule = AutoRule(typed["threshold"], typed["amount"], typed["monthlyMax"])
    elif budget_cents is None:
        why = ("the team's auto top-up settings are console-only on this API, so they are unknown"
               if not known else "the team has no auto top-up settings")
        raise Fail(f"{handle.name}: {why}: give --threshold, --amount and --monthly-max (or --budget)")
    replayer = Replayer(history, limit=limit or 0)
    result = replayer.run(rule) if rule is not None else None
    smallest = smallest_settings(history, budget_cents, limit=limit or 0) if budget_cents is not None else None
    source = "options" if any(v is not None for v in (threshold, amount, monthly_max)) else "current"
    if as_json:
        emit_json({
            "team": {"name": handle.name, "teamId": handle.team_id},
            "days": days,
            "settingsKnown": known,
            "settingsSource": source if rule is not None else None,
            "whatIf": result.to_json() if result is not None else None,
            "budget": money(budget_cents) if budget_cents is not None else None,
            "smallest": settings_json(smallest),
            "smallestFound": smallest is not None if budget_cents is not None else None,
            "notes": list(history.notes) + ([] if known else [
                "Auto top-up settings are console-only on this API: enter the chosen ones in the web console"]),
        })
        return
    _print(handle.name, history, result, rule, source, known, budget_cents, smallest, describe)


def _print(name: str, history: Any, result: Any, rule: Any, source: str, known: bool, budget_cents: int | None,
           smallest: Any, describe: Any) -> None:
    from xconsole.core.forecast import when_text
    from xconsole.core.money import format_cents

    click.echo(f"{name}: auto top-up what-if on {len(history) // 24} days of usage "
               f"({history.start:%d %b} – {history.end:%d %b}, {'hourly' if history.resolution == 'hour' else 'daily, spread over hours'})")
    if not known:
        click.echo("Current settings: unknown (console-only on this API)")
    if result is not None:
        click.echo(f"Settings: {describe(rule)} ({'the current settings' if source == 'current' else 'as given'})")
        click.echo(f"Top-ups: {result.top_ups}, {format_cents(result.bought)} bought")
        first = f" (first {when_text(result.first_rejected)})" if result.first_rejected else ""
        click.echo(f"Hours with rejected requests: {result.rejected_hours}{first}")
        for label, moments in (("monthly maximum", result.monthly_blocks), ("5-per-24 h rule", result.daily_blocks)):
            if moments:
                shown = ", ".join(when_text(t) for t in moments[:3]) + (" …" if len(moments) > 3 else "")
                click.echo(f"Blocked by the {label}: {shown}")
    if budget_cents is not None:
        if smallest is None:
            click.echo(f"No settings within {format_cents(budget_cents)} a month avoid every rejected hour")
        else:
            click.echo(f"Smallest settings with no rejected hour: {describe(smallest)}")
    if history.partial:
        click.echo("xconsole: the API capped the usage series; totals may be incomplete", err=True)
