"""Buying prepaid credits, and saying exactly what the purchase did.

The real RPC is *TopUpOrGetExistingPendingChange* (reference 2.10): while a top-up is pending, the
API answers with that change instead of charging again, so an answer is not proof that this
request bought anything. A change counts as created by this request only when its amount is the
one asked for and it was not already pending before the request. A card purchase starts as
`TO_CHARGE` ("charging"); its end (`SUCCEEDED`, `FAILED_TO_CHARGE`) is learned by reading the
ledger a bounded number of times, never by sending again. A purchase whose answer was lost is
looked for in the ledger the same way.

The TUI and any command use `buy_credits`; nothing here knows about a screen.
"""

from __future__ import annotations

import asyncio
import enum
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from xconsole.core import errors, models
from xconsole.core.billing import change_key, find_new_purchase, minimum_purchase_problem
from xconsole.core.client import ManagementClient
from xconsole.core.money import format_cents

#: Pauses before each ledger read that follows a charging purchase: bounded, about 7 s in all [C].
FOLLOW_DELAYS_S = (1.0, 2.0, 4.0)
#: A pending change created this long before our request started was not made by it [C]
#: (the server's clock has one-second resolution in its Date header).
CLOCK_SLACK = timedelta(seconds=2)


class PurchaseState(enum.Enum):
    BOUGHT = "bought"  # SUCCEEDED: credits granted
    CHARGING = "charging"  # a card charge not finished when we stopped looking
    BANK_TRANSFER = "bank-transfer"  # pending bank transfer: credits in 2-3 business days (sandbox)
    FAILED = "failed"  # FAILED_TO_CHARGE or FAILED_TO_GENERATE_INVOICE
    ALREADY_PENDING = "already-pending"  # an earlier top-up is pending: no new charge was made
    UNCLEAR = "unclear"  # answered with an earlier change that is not pending: check the ledger


@dataclass(frozen=True)
class Purchase:
    """What one confirmed purchase did."""

    requested: int  # cents asked for
    change: models.PrepaidBalanceChange  # the change the API answered with (or the ledger showed)
    created: bool  # this request created the change
    bank_transfer: bool = False
    reconciled: bool = False  # the answer was lost; the purchase was found in the ledger
    ledger_checks: int = 0  # ledger reads made to follow the charge

    @property
    def state(self) -> PurchaseState:
        if not self.created:
            return PurchaseState.ALREADY_PENDING if self.change.is_pending else PurchaseState.UNCLEAR
        if self.change.is_failed:
            return PurchaseState.FAILED
        if self.change.is_pending:
            return PurchaseState.BANK_TRANSFER if self.bank_transfer else PurchaseState.CHARGING
        return PurchaseState.BOUGHT

    @property
    def severity(self) -> str:
        """For a notification: "error", "warning" or "information"."""
        return {PurchaseState.FAILED: "error", PurchaseState.ALREADY_PENDING: "warning",
                PurchaseState.CHARGING: "warning", PurchaseState.UNCLEAR: "warning"}.get(self.state, "information")

    def message(self) -> str:
        """One or two sentences that say exactly what happened, money first."""
        asked = format_cents(self.requested)
        got = format_cents(self.change.credit_cents)
        state = self.state
        lost = "The answer to the purchase was lost, but it is in the ledger — it went through once; nothing was re-sent. "
        prefix = lost if self.reconciled else ""
        when = _when(self.change.create_time or self.change.create_ts)
        if state is PurchaseState.ALREADY_PENDING:
            return (f"A top-up of {got}{when} is still pending; no new charge was made "
                    f"(the {asked} purchase was not sent on). Buy again once it has gone through.")
        if state is PurchaseState.UNCLEAR:
            status = self.change.topup_status.value if self.change.topup_status else "no status"
            return (f"The API answered with an earlier top-up of {got}{when} ({status}) instead of a new "
                    f"{asked} one: it is not clear that anything was charged. Check the ledger (r) before buying again.")
        if state is PurchaseState.BOUGHT:
            return f"{prefix}{got} of credits bought."
        if state is PurchaseState.BANK_TRANSFER:
            return f"{prefix}Purchase of {got} is pending: bank transfer, credits granted after 2–3 business days."
        if state is PurchaseState.FAILED:
            why = ("the invoice could not be generated"
                   if self.change.topup_status is models.TopupStatus.FAILED_TO_GENERATE_INVOICE
                   else "the payment method could not be charged")
            return f"{prefix}Purchase of {got} failed: {why}. No credits were added."
        checked = f" (ledger checked {self.ledger_checks}×)" if self.ledger_checks else ""
        return (f"{prefix}Purchase of {got} is charging to the default payment method{checked}; credits are added "
                "when the charge succeeds. Read the ledger again (r in the console) to see it; do not buy again for it.")


def _when(moment: datetime | None) -> str:
    return f" from {moment:%Y-%m-%d %H:%M} UTC" if moment else ""


def _existed_before(change: models.PrepaidBalanceChange, before: models.PrepaidBalance) -> bool:
    """In the ledger before the request. Without a creation time rows cannot be told apart, so
    only a row that was pending then can be this pending one (a settled row never goes back)."""
    timed = (change.create_time or change.create_ts) is not None
    return any(change_key(old) == change_key(change) and (timed or old.is_pending) for old in before.changes)


def _created_by_us(change: models.PrepaidBalanceChange, cents: int, before: models.PrepaidBalance,
                   started: datetime | None) -> bool:
    """Made by this request: not in the ledger before it, not older than it, and (when the
    answer says) of the amount asked for. An unreported amount does not make it someone else's."""
    if _existed_before(change, before):
        return False
    created = change.create_time or change.create_ts
    if created and started and created < started - CLOCK_SLACK:
        return False
    return change.credit_cents in (cents, None)


async def buy_credits(
    client: ManagementClient,
    team_id: str,
    cents: int,
    *,
    payment_method_id: str | None = None,
    bank_transfer: bool = False,
    idempotency_key: str | None = None,
    on_progress: Callable[[str], None] | None = None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    follow_delays: tuple[float, ...] | None = None,
) -> Purchase:
    """Send one top-up and report what it did. Raises errors.Validation for an amount under the
    minimum (nothing sent), errors.ApiError when the API refused it or when its fate cannot be
    learned; never sends the top-up twice.

    `payment_method_id` and `bank_transfer` are sandbox extensions: the client refuses them on any
    other server (the real API always charges the default method).
    """
    problem = minimum_purchase_problem(cents)
    if problem:
        raise errors.Validation(problem, field="amount")
    progress = on_progress or (lambda _text: None)
    method = None
    if payment_method_id is not None or bank_transfer:
        method = models.PurchaseMethod.BANK_TRANSFER if bank_transfer else models.PurchaseMethod.CARD
    progress("Reading the ledger…")
    try:
        before = await client.get_prepaid_balance(team_id)  # to recognise an earlier pending top-up
    except (errors.Unavailable, errors.ProtocolError) as exc:
        raise errors.NotSent(f"the ledger could not be read first ({exc.message}), so the purchase was not "
                             "sent. Try again when the API answers.") from exc
    started = client.server_date
    progress("Sending…")
    try:
        change = await client.top_up(team_id, cents, payment_method_id=payment_method_id, method=method,
                                     idempotency_key=idempotency_key or str(uuid.uuid4()))
        purchase = Purchase(cents, change, _created_by_us(change, cents, before, started), bank_transfer)
    except (errors.Unavailable, errors.ProtocolError):
        # It may have been charged with only its answer lost or garbled: the ledger says.
        progress("No answer: looking for the purchase in the ledger…")
        purchase = await _find_lost(client, team_id, cents, before, bank_transfer)
    if purchase.state is PurchaseState.CHARGING:
        purchase = await _follow(client, team_id, purchase, progress, sleep,
                                 FOLLOW_DELAYS_S if follow_delays is None else follow_delays)
    return purchase


async def _find_lost(client: ManagementClient, team_id: str, cents: int, before: models.PrepaidBalance,
                     bank_transfer: bool) -> Purchase:
    try:
        found = find_new_purchase(before, await client.get_prepaid_balance(team_id), cents)
    except errors.ApiError as exc:
        raise errors.Unavailable(
            f"No answer to the purchase, and the ledger cannot be read to check it ({exc.message}). "
            "Nothing was re-sent: read the ledger again (r in the console) before buying again.") from None
    if found is None:
        raise errors.Unavailable(
            "No answer to the purchase and it is not in the ledger: nothing was charged so far and "
            "nothing was re-sent. Read the ledger again (r in the console) before buying again.") from None
    return Purchase(cents, found, True, bank_transfer, reconciled=True)


def _row_of(purchase: Purchase, ledger: models.PrepaidBalance) -> models.PrepaidBalanceChange | None:
    """This purchase's row in a later reading: same origin, amount and creation time (an amount
    one reading left out matches by time). Without a creation time it must be the only row of
    that amount, or none is taken: an older purchase is never mistaken for this one."""
    ours = purchase.change
    when = ours.create_time or ours.create_ts
    same = [c for c in ledger.changes if change_key(c) == change_key(ours)
            or (c.change_origin is ours.change_origin and (c.create_time or c.create_ts) == when
                and None in (c.credit_cents, ours.credit_cents))]  # an amount one reading left out
    if when is not None:
        return same[0] if same else None
    return same[0] if len(same) == 1 else None  # two alike rows: do not guess which is ours


async def _follow(client: ManagementClient, team_id: str, purchase: Purchase, progress: Callable[[str], None],
                  sleep: Callable[[float], Awaitable[object]], delays: tuple[float, ...]) -> Purchase:
    """Read the ledger until the charge ends or the bound is reached; never send again."""
    for index, delay in enumerate(delays, start=1):
        progress(f"Charging {format_cents(purchase.change.credit_cents)}… checking the ledger ({index}/{len(delays)})")
        await sleep(delay)
        try:
            ledger = await client.get_prepaid_balance(team_id)
        except errors.ApiError:
            return replace(purchase, ledger_checks=index)  # still "charging": say so, do not guess
        purchase = replace(purchase, change=_row_of(purchase, ledger) or purchase.change, ledger_checks=index)
        if purchase.state is not PurchaseState.CHARGING:
            break
    return purchase
