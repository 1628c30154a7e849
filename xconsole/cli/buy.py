"""`xconsole buy AMOUNT`: buy prepaid credits for one team, saying exactly what the purchase did.

The same write as the console's (core.actions over core.purchase): the $25 minimum, one
Idempotency-Key per confirmation, an earlier pending top-up reported instead of a new charge, a
card charge followed in the ledger and never re-sent. It asks first (naming team, amount and
payment method) unless `--yes`; from the typed-name threshold on (config
`settings.type_team_name_from`, $1,000 by default) the team's name is typed instead of y/N.
Without a terminal to ask on, `--yes` is required.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import click

from xconsole.cli.options import Fail, Options, emit_json, money


@click.command()
@click.argument("amount")
@click.option("--team", "team", metavar="NAME_OR_ID",
              help="Team to buy for: its name (whole words) or ID; needed when several teams are registered.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation, nor for the team's name typed (for scripts).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.pass_obj
def buy(opts: Options, amount: str, team: str | None, yes: bool, as_json: bool) -> None:
    """Buy AMOUNT dollars of prepaid credits (minimum $25), charged to the team's default method."""
    from xconsole.cli.wiring import act_for_team
    from xconsole.core.actions import TeamActions, Write
    from xconsole.core.billing import minimum_purchase_problem
    from xconsole.core.money import MoneyError, format_cents, parse_amount
    from xconsole.core.purchase import Purchase, PurchaseState

    try:
        cents = parse_amount(amount)
    except MoneyError as exc:
        raise click.BadParameter(str(exc), param_hint="AMOUNT") from None
    problem = minimum_purchase_problem(cents)
    if problem:
        raise click.BadParameter(problem, param_hint="AMOUNT")
    if opts.read_only:
        raise Fail("Read-only mode: buying credits is disabled (started with --read-only)")
    if not yes and not _can_ask():
        raise Fail("Buying moves money: confirm with --yes when there is no terminal to ask on")

    async def purchase(actions: TeamActions, handle: Any) -> Purchase:
        charged, bank = "the team's default payment method", False
        methods = await actions.payment_choices()  # None on the real API: it never says which
        default = actions.known_default(methods) if methods is not None else None
        if default is not None:
            charged = f"{default.label()} (the default payment method)"
            bank = default.us_bank_account_details is not None
        if not yes:
            first = None if bank else await actions.paid_first(cents)  # a transfer is credited days later
            click.echo(f"Team      {handle.name} ({handle.short_id}) — applies to every user of this team\n"
                       f"Amount    {format_cents(cents)} of prepaid credits\nPay with  {charged}"
                       + (f"\nPays      {first}" if first else ""), err=True)
            if actions.needs_typed_name(Write.BUY, cents=cents):
                what, word = actions.confirm_word
                typed = click.prompt(f"Type the team's {what} ({word}) to buy {format_cents(cents)}",
                                     default="", show_default=False, err=True)
                if typed.strip() != word:
                    raise Fail("Nothing bought.")
            elif not click.confirm(f"Buy {format_cents(cents)}?", default=False, err=True):
                raise Fail("Nothing bought.")
        progress = (lambda text: click.echo(text, err=True)) if sys.stderr.isatty() and not as_json else None
        return await actions.buy(cents, bank_transfer=bank, on_progress=progress)

    handle, done = asyncio.run(act_for_team(opts, team, purchase))
    NOTHING_NEW = (PurchaseState.ALREADY_PENDING, PurchaseState.FAILED, PurchaseState.UNCLEAR)  # noqa: N806
    if as_json:
        change = done.change
        emit_json({"team": {"name": handle.name, "teamId": handle.team_id}, "state": done.state.value,
                   "created": done.created, "requested": money(cents), "amount": money(change.credit_cents),
                   "topupStatus": change.topup_status.value if change.topup_status else None,
                   "createTime": change.create_time.isoformat() if change.create_time else None,
                   "reconciled": done.reconciled, "message": done.message()})
    elif done.state not in NOTHING_NEW:
        click.echo(f"{handle.name}: {done.message()}")
    if done.state in NOTHING_NEW:
        raise Fail(f"{handle.name}: {done.message()}")  # nothing new was bought: exit 1


def _can_ask() -> bool:
    """A person is at a terminal to confirm the purchase."""
    return sys.stdin.isatty()
