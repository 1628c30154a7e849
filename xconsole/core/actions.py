"""Every billing write, for one team: the one object the TUI's screens and dialogs and the CLI's
commands call to change anything.

Each write checks what can be checked before sending (read-only mode, the $25 minimum, the last
payment method, a server that is not the sandbox for console-only writes), sends at most one
request per call (two for "remove the default": make another the default first), and returns a
typed outcome that says in words what happened. Whoever built the object is told about every
write that finished, done or failed (`on_finished`): the TUI refreshes the team from there.

Every write that is sent is also recorded in this user's action journal (core.journal) from the
one place all writes pass, `_run`: the TUI and `xconsole buy` journal alike, and a journal that
cannot be written is logged, never turned into a failed write.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from xconsole.core import errors, models
from xconsole.core.console import console_billing_url
from xconsole.core.money import format_cents

log = logging.getLogger("xconsole.actions")

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from xconsole.core.client import ManagementClient
    from xconsole.core.journal import Journal
    from xconsole.core.purchase import Purchase

#: Purchases from this amount on ask the person to type the team's name (config:
#: `settings.type_team_name_from`, in dollars) [C].
TYPE_NAME_FROM_CENTS = 100_000


class Write(enum.Enum):
    BUY = "buy credits"
    PROMO = "redeem a promo code"
    LIMIT = "change the invoiced billing limit"
    REQUEST_INVOICED = "request monthly invoiced billing"
    AUTO_TOP_UP = "change auto top-up"
    MAKE_DEFAULT = "change the default payment method"
    ADD_CARD = "add a payment method"
    REMOVE_METHOD = "remove a payment method"
    BILLING_DETAILS = "change billing details"


#: Writes the public API lacks (design.md 5): only a server that said it is the sandbox gets them.
CONSOLE_ONLY = {
    Write.PROMO: "Promo codes are redeemed",
    Write.REQUEST_INVOICED: "Monthly invoiced billing is requested",
    Write.AUTO_TOP_UP: "Auto top-up is managed",
    Write.ADD_CARD: "Adding a payment method is done",
    Write.REMOVE_METHOD: "Removing a payment method is done",
}


class Outcome(Protocol):
    """What a finished write did: words for a person, and how loudly to say them."""

    @property
    def severity(self) -> str: ...  # "information" | "warning" | "error"

    def message(self) -> str: ...


@dataclass(frozen=True)
class PromoRedeemed:
    change: models.PrepaidBalanceChange
    severity: str = "information"

    def message(self) -> str:
        if self.change.credit_cents is None:
            return "promo code applied (the answer did not say for how much: see the ledger)."
        return f"promo code applied, {format_cents(self.change.credit_cents, sign=True)} in credits."


@dataclass(frozen=True)
class LimitSet:
    asked: int
    applied: int | None  # None: the answer did not say what applies

    @property
    def severity(self) -> str:
        return "information" if self.applied is not None else "warning"

    def message(self) -> str:
        if self.applied is None:
            return (f"invoiced billing limit of {format_cents(self.asked)} requested; the answer did not say "
                    "what applies — refreshing to read the limit in force.")
        return f"invoiced billing limit is now {format_cents(self.applied)}."


@dataclass(frozen=True)
class InvoicedRequested:
    status: models.InvoicedBilling
    severity: str = "information"

    def message(self) -> str:
        return "monthly invoiced billing requested; xAI sales gets in touch."


@dataclass(frozen=True)
class AutoTopUpSaved:
    auto: models.AutoTopUp
    severity: str = "information"

    def message(self) -> str:
        return f"auto top-up {'saved' if self.auto.enabled else 'disabled'}."


@dataclass(frozen=True)
class DefaultChanged:
    method: models.PaymentMethod
    severity: str = "information"

    def message(self) -> str:
        return f"{self.method.label()} is now the default payment method."


@dataclass(frozen=True)
class CardAdded:
    method: models.PaymentMethod
    severity: str = "information"

    def message(self) -> str:
        return f"{self.method.label()} added."


@dataclass(frozen=True)
class MethodRemoved:
    method: models.PaymentMethod
    successor: models.PaymentMethod | None
    severity: str = "information"

    def message(self) -> str:
        then = f"; {self.successor.label()} is the default" if self.successor else ""
        return f"{self.method.label()} removed{then}."


@dataclass(frozen=True)
class BillingDetailsSaved:
    info: models.BillingInfo
    severity: str = "information"

    def message(self) -> str:
        return "billing details saved. New invoices will show them."


#: Told about every finished write: (write, outcome or None, error or None).
Finished = Callable[[Write, Any, "Exception | None"], None]


@dataclass(frozen=True)
class Note:
    """What a write knows before it is sent, for the journal: before → after, amount, key."""

    before: str | None = None
    after: str | None = None
    amount_cents: int | None = None
    idempotency_key: str | None = None
    conceal: tuple[str, str] | None = None  # (text, shown instead): a promo code, also in the server's words


class TeamActions:
    """The writes of one team, over one client. Build it with `Session.actions_for(team)`."""

    def __init__(self, client: ManagementClient, team_id: str, team_name: str, *, read_only: bool = False,
                 type_name_from: int = TYPE_NAME_FROM_CENTS, on_finished: Finished | None = None,
                 journal: Journal | None = None) -> None:
        self._client = client
        #: Where every sent write is recorded; None: this user's journal (core.journal.Journal()).
        self.journal = journal
        self.team_id = team_id
        self.team_name = team_name
        self.read_only = read_only
        self.type_name_from = type_name_from
        self.on_finished = on_finished

    @property
    def short_id(self) -> str:
        return self.team_id[:8]

    @property
    def confirm_word(self) -> tuple[str, str]:
        """(what, text) a person types to confirm a large write: the team's name, or for a team
        with no name of its own (`teams.unnamed`) its short ID, which they can check in the console."""
        from xconsole.core.teams import unnamed

        return ("ID", self.short_id) if self.team_name == unnamed(self.team_id) else ("name", self.team_name)

    @property
    def console_url(self) -> str:
        return console_billing_url(self.team_id)

    def team_line(self) -> str:
        """The first line of every confirmation: which team, and that it is everyone's."""
        return f"Team      {self.team_name} ({self.short_id}) — applies to every user of this team"

    # ------------------------------------------------------------------ before asking

    async def unavailable(self, write: Write) -> str | None:
        """Why `write` cannot be done here, in words (None: it can). A console-only write is
        available only on a server that has said it is the sandbox; nothing is sent otherwise
        but, when no answer is on hand yet, the one read that tells."""
        if self.read_only:
            return f"Read-only mode: you cannot {write.value} (started with --read-only)."
        if write in CONSOLE_ONLY and not await self._client.identify():
            # Named: the link is this team's, and the toast may outlive a team switch.
            return (f"{self.team_name}: {CONSOLE_ONLY[write]} in the xAI console, not through the Management API: "
                    f"{self.console_url}")
        return None

    async def payment_choices(self) -> list[models.PaymentMethod] | None:
        """The methods a purchase may be charged to, or None where the server charges the default
        without saying which it is (the real API: no choice is offered, nothing is guessed)."""
        if not await self._client.identify():
            return None
        return (await self._client.list_payment_methods(self.team_id)).payment_methods

    def known_default(self, methods: list[models.PaymentMethod]) -> models.PaymentMethod | None:
        return models.default_method(methods, self._client.known_defaults.get(self.team_id))

    async def paid_first(self, cents: int) -> str | None:
        """What buying `cents` pays before it shows as credits (this month's usage beyond prepaid
        credits), in words, for a confirmation; None when nothing (one read: the invoice preview)."""
        from xconsole.core.billing import paid_first_note

        try:
            preview = await self._client.get_invoice_preview(self.team_id)
        except errors.ApiError:
            return None  # a note, not a condition: its read failing never stops the purchase
        return paid_first_note(preview.live_balance_cents, preview.beyond_prepaid_cents, cents)

    def needs_typed_name(self, write: Write, *, cents: int = 0, removes_default: bool = False) -> bool:
        """Large purchases and removing the default method are confirmed by typing the team's name."""
        return (write is Write.BUY and cents >= self.type_name_from) or (
            write is Write.REMOVE_METHOD and removes_default)

    # ------------------------------------------------------------------ writes

    async def buy(self, cents: int, *, payment_method_id: str | None = None, bank_transfer: bool = False,
                  idempotency_key: str | None = None, on_progress: Callable[[str], None] | None = None,
                  method_label: str | None = None) -> Purchase:
        """One top-up (core.purchase: the $25 minimum, pending top-ups, the charge followed).
        `method_label`: the chosen method as the person saw it ("Amex ··0005"), for the journal."""
        from xconsole.core.billing import minimum_purchase_problem
        from xconsole.core.purchase import buy_credits

        self._allowed(Write.BUY)
        problem = minimum_purchase_problem(cents)
        if problem:
            raise errors.Validation(problem, field="amount")
        key = idempotency_key or str(uuid.uuid4())
        how = "bank transfer" if bank_transfer else (
            (method_label or f"payment method {payment_method_id}") if payment_method_id else "the default payment method")
        return await self._run(Write.BUY, lambda: buy_credits(
            self._client, self.team_id, cents, payment_method_id=payment_method_id, bank_transfer=bank_transfer,
            idempotency_key=key, on_progress=on_progress),
            Note(after=f"{format_cents(cents)} of credits by {how}", amount_cents=cents, idempotency_key=key))

    async def redeem_promo(self, code: str) -> PromoRedeemed:
        self._allowed(Write.PROMO)
        code = code.strip()
        if not code:
            raise errors.Validation("Enter the code", field="code")

        async def send() -> PromoRedeemed:
            return PromoRedeemed(await self._client.redeem_promo_code(self.team_id, code))

        # Never the code itself: a code that failed may still be valid (the journal keeps its end only).
        shown = f"…{code[-4:]}" if len(code) > 6 else "…"
        return await self._run(Write.PROMO, send, Note(after=f"promo code {shown}", conceal=(code, shown)))

    async def set_limit(self, cents: int, *, before: int | None = None) -> LimitSet:
        """`before`: the limit the person saw (for the journal's before → after), when known."""

        async def send() -> LimitSet:
            return LimitSet(cents, await self._client.set_soft_spending_limit(self.team_id, cents))

        return await self._run(Write.LIMIT, send, Note(
            before=format_cents(before) if before is not None else None, after=format_cents(cents), amount_cents=cents))

    async def request_invoiced(self) -> InvoicedRequested:
        async def send() -> InvoicedRequested:
            return InvoicedRequested(await self._client.request_invoiced_billing(self.team_id))

        return await self._run(Write.REQUEST_INVOICED, send, Note(after="REQUESTED"))

    async def save_auto_top_up(self, settings: models.AutoTopUpSettings, *,
                               before: models.AutoTopUpSettings | None = None) -> AutoTopUpSaved:
        from xconsole.core.billing import validate_auto_top_up

        self._allowed(Write.AUTO_TOP_UP)
        problems = validate_auto_top_up(settings)
        if problems:
            field, message = next(iter(problems.items()))
            raise errors.Validation(message, field=f"autoTopUp.{field}")

        async def send() -> AutoTopUpSaved:
            return AutoTopUpSaved(await self._client.set_auto_top_up(self.team_id, settings))

        return await self._run(Write.AUTO_TOP_UP, send, Note(
            before=auto_top_up_words(before) if before is not None else None, after=auto_top_up_words(settings),
            amount_cents=settings.amount.val if settings.enabled else None))

    async def make_default(self, method: models.PaymentMethod, *,
                           before: models.PaymentMethod | None = None) -> DefaultChanged:
        """`before`: the default the person saw (for the journal), when known."""
        previous = before.label() if before is not None else self._client.known_defaults.get(self.team_id)

        async def send() -> DefaultChanged:
            await self._client.set_default_payment_method(self.team_id, method.payment_method_id)
            return DefaultChanged(method)

        return await self._run(Write.MAKE_DEFAULT, send, Note(before=previous, after=method.label()))

    async def add_card(self, card: models.CardInput) -> CardAdded:
        async def send() -> CardAdded:
            return CardAdded(await self._client.add_card(self.team_id, card))

        return await self._run(Write.ADD_CARD, send)  # the label comes from the answer: never the number

    async def remove_method(self, method: models.PaymentMethod, methods: list[models.PaymentMethod],
                            successor: models.PaymentMethod | None = None) -> MethodRemoved:
        """Remove `method` from the team's `methods`; `successor` first becomes the default when
        the removed one is the default. The last method on file is never removed."""
        self._allowed(Write.REMOVE_METHOD)
        if len(methods) <= 1:
            raise errors.Validation("The last payment method on file cannot be removed.")
        if successor is not None and successor.payment_method_id == method.payment_method_id:
            raise errors.Validation("Choose another method as the new default.")

        async def send() -> MethodRemoved:
            # The default changes only where the removal can follow: never on the real API,
            # where removing is console-only and the default would change for nothing.
            if not await self._client.identify(answered_since=time.monotonic()):
                raise errors.NotSupportedByApi(f"{CONSOLE_ONLY[Write.REMOVE_METHOD]} in the xAI console, not "
                                               "through the Management API", console_url=self.console_url)
            if successor is not None:
                await self._client.set_default_payment_method(self.team_id, successor.payment_method_id)
            try:
                await self._client.remove_payment_method(self.team_id, method.payment_method_id)
            except errors.ApiError as exc:
                if successor is None:
                    raise
                raise PartlyDone(f"{successor.label()} is now the default, but {method.label()} was not removed: "
                                 f"{describe_error(exc)}") from exc
            return MethodRemoved(method, successor)

        return await self._run(Write.REMOVE_METHOD, send, Note(
            before=method.label(), after=f"removed; {successor.label()} is the default" if successor else "removed"))

    async def save_billing_details(self, info: models.BillingInfo, *,
                                   before: models.BillingInfo | None = None) -> BillingDetailsSaved:
        """`before`: the details the person saw (for the journal), when known."""

        async def send() -> BillingDetailsSaved:
            await self._client.set_billing_info(self.team_id, info)
            return BillingDetailsSaved(info)

        return await self._run(Write.BILLING_DETAILS, send, Note(
            before=billing_words(before) if before is not None else None, after=billing_words(info)))

    # ------------------------------------------------------------------ plumbing

    def _allowed(self, write: Write) -> None:
        """Read-only mode refuses every write first, before any other check."""
        if self.read_only:
            raise errors.PermissionDenied(f"Read-only mode: you cannot {write.value} (started with --read-only)")

    async def _run(self, write: Write, send: Callable[[], Awaitable[Any]], note: Note | None = None) -> Any:
        self._allowed(write)
        answered_before = self._client.server_date
        try:
            outcome = await send()
        except asyncio.CancelledError as exc:  # whoever listens reads the team again
            self._record(write, note or Note(), None, exc, answered_before)
            self._tell(write, None, exc)
            raise
        except BaseException as exc:
            # Off the event loop: the journal's lock may be held by another process.
            await asyncio.to_thread(self._record, write, note or Note(), None, exc, answered_before)
            self._tell(write, None, exc)
            raise
        await asyncio.to_thread(self._record, write, note or Note(), outcome, None, answered_before)
        self._tell(write, outcome, None)
        return outcome

    def _record(self, write: Write, note: Note, outcome: Any, error: BaseException | None,
                answered_before: Any = None) -> None:
        """Append the write to the journal; a failure to do so is logged, never raised. The
        server's time is the Date of this write's own answer; with no new answer, this machine's."""
        try:
            from datetime import datetime, timezone

            from xconsole.core.journal import Journal, JournalEntry, Where

            status, reason, after, amount = journal_outcome(outcome, error)
            if note.conceal is not None and reason:
                reason = reason.replace(*note.conceal)
            entry = JournalEntry(
                time=datetime.now(timezone.utc), team_id=self.team_id, team_name=self.team_name, action=write.name,
                what=write.value, outcome=status, where=Where.here(), reason=reason, before=note.before,
                after=after or note.after, amount_cents=amount if amount is not None else note.amount_cents,
                idempotency_key=note.idempotency_key,
                server_time=self._client.server_date if self._client.server_date != answered_before else None,
                api_url=self._client.base_url)
            (self.journal or Journal()).append(entry)
        except Exception:
            log.exception("could not record %s in the action journal", write.value)

    def _tell(self, write: Write, outcome: Any, error: BaseException | None) -> None:
        if self.on_finished is None:
            return
        try:
            self.on_finished(write, outcome, error)
        except Exception:  # a listener's bug never turns a done write into a failed one
            log.exception("on_finished failed after %s", write.value)


def journal_outcome(outcome: Any, error: BaseException | None) -> tuple[str, str | None, str | None, int | None]:
    """(done | failed | unknown, reason, after, amount in cents) of a finished write, for the journal.

    Unknown means "it may have happened": no answer, an unreadable answer, a cancelled request,
    a charge still in progress. Failed means the server said no (or nothing was sent on).
    """
    from xconsole.core.journal import DONE, FAILED, UNKNOWN
    from xconsole.core.purchase import Purchase, PurchaseState

    if error is not None:
        if isinstance(error, PartlyDone):
            return FAILED, f"partly done: {error.message}", None, None
        if isinstance(error, errors.ApiError) and not isinstance(error, (errors.Unavailable, errors.ProtocolError)):
            return FAILED, describe_error(error), None, None
        return UNKNOWN, describe_write_error(error) if isinstance(error, errors.ApiError) else (
            f"no answer ({describe_error(error)}): it may have been applied"), None, None
    if isinstance(outcome, Purchase):
        state = outcome.state
        status = {PurchaseState.BOUGHT: DONE, PurchaseState.BANK_TRANSFER: DONE, PurchaseState.FAILED: FAILED,
                  PurchaseState.ALREADY_PENDING: FAILED}.get(state, UNKNOWN)
        return status, outcome.message(), None, outcome.requested
    if isinstance(outcome, LimitSet):
        return DONE, None if outcome.applied is not None else outcome.message(), format_cents(
            outcome.applied if outcome.applied is not None else outcome.asked), None
    if isinstance(outcome, PromoRedeemed):
        credit = outcome.change.credit_cents
        return DONE, outcome.message(), None, credit
    if isinstance(outcome, AutoTopUpSaved):
        return DONE, None, auto_top_up_words(outcome.auto), None
    if isinstance(outcome, CardAdded):
        return DONE, None, outcome.method.label(), None
    if isinstance(outcome, InvoicedRequested):
        return DONE, None, str(getattr(outcome.status.status, "value", outcome.status.status)), None
    return DONE, None, None, None


def auto_top_up_words(settings: models.AutoTopUpSettings) -> str:
    """Auto top-up settings in a few words (journal, history): "off" or "on (below $50.00 buy …)"."""
    if not settings.enabled:
        return "off"
    return (f"on (below {format_cents(settings.threshold.val)} buy {format_cents(settings.amount.val)}, "
            f"at most {format_cents(settings.monthly_limit.val)} a month)")


def billing_words(info: models.BillingInfo) -> str:
    """Billing details in a few words: the name and where."""
    place = ", ".join(p for p in (info.address.city, info.address.country) if p)
    return f"{info.name}{' (' + place + ')' if place else ''}" or "(empty)"


def describe_write_error(exc: BaseException) -> str:
    """Why a write is not known to be done, in words that never claim "nothing happened" when
    the request may have gone through (no answer, or an answer we could not read)."""
    if isinstance(exc, PartlyDone):
        return exc.message
    if isinstance(exc, (errors.Unavailable, errors.ProtocolError)):
        return (f"no clear answer ({describe_error(exc)}): it may have been applied — the team was read "
                "again; check it before trying again.")
    return f"not done — {describe_error(exc)}"


class PartlyDone(errors.ApiError):
    """A write of two steps whose first step went through and second did not."""

    title = "Partly done"


def describe_error(exc: BaseException) -> str:
    """An exception in a person's words: the API's title and message, or the type for a bug."""
    if isinstance(exc, errors.ApiError):
        return f"{exc.title}: {exc.message}"
    message = getattr(exc, "message", None) or str(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
