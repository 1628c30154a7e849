"""Pydantic models of the xAI Management API's JSON (reference sections 2, 3.1-3.8, 4) and of the
sandbox's console-only extension endpoints (design.md section 5).

Wire conventions (reference 1.2): lowerCamelCase names, int64 as JSON strings (we accept numbers
too), money as `Cent = {"val": "<cents>"}` or a bare cents string, enums by name, RFC 3339 times,
unset sub-messages either `null` or absent. A gRPC gateway that emits unpopulated fields writes
`null` for every unset message, so every model here reads `null` exactly as absent (`WireModel`
drops null keys before validation): scalars and lists take their proto3 zero value, and money
whose absence matters (a balance, a limit) is `Cent | None`, so "unknown" is never drawn as
$0.00. One exception: an invoice in a list needs its `invoiceId`, without which it can be neither
listed nor opened (the answer is then unreadable). Unknown fields are ignored so a newer server
never breaks us; unreadable numbers (NaN,
inf, beyond int64) fail validation and so become the client's ProtocolError. Serialising with
`wire()` gives the exact wire shape back (the sandbox uses it).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any, TypeVar

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, model_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic.alias_generators import to_camel

from xconsole.core.wire_scalars import read_int64 as _int64

T = TypeVar("T")

# --------------------------------------------------------------------------- scalar helpers


def _none_to_empty_list(value: Any) -> Any:
    return [] if value is None else value


def _none_to_empty_str(value: Any) -> Any:
    return "" if value is None else value


#: An int64 on the wire: read from string or number, written back as a string.
Int64 = Annotated[int, BeforeValidator(_int64), PlainSerializer(str, return_type=str)]
#: A 32-bit int on the wire (a JSON number), tolerant of strings and null.
Int32 = Annotated[int, BeforeValidator(_int64)]
#: A list where `null` means empty.
NullList = Annotated[list[T], BeforeValidator(_none_to_empty_list)]
#: A string where `null` means empty.
NullStr = Annotated[str, BeforeValidator(_none_to_empty_str)]
#: A dollar amount from the usage endpoint: NaN, infinities and absurd sizes are unreadable.
UsdFloat = Annotated[float, Field(allow_inf_nan=False, ge=-1e12, le=1e12)]


class WireModel(BaseModel):
    """Base for every wire model: camelCase aliases, tolerant of extra fields."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="ignore",
        frozen=False,
        # Built on first use, not at import: the first screen needs a handful of the ~60 models
        # and startup should not pay for the rest (issue "Useful frame fast").
        defer_build=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _null_is_unset(cls, data: Any) -> Any:
        """proto3 JSON: `null` and absent both mean unset, for every field (reference 1.2)."""
        if isinstance(data, dict) and None in data.values():
            return {k: v for k, v in data.items() if v is not None}
        return data

    def wire(self, *, exclude_none: bool = True) -> dict[str, Any]:
        """The JSON-ready dict in wire shape (camelCase, int64 as strings)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=exclude_none)


class Cent(WireModel):
    """The API's money wrapper: `{"val": "<int64 cents>"}`."""

    val: Int64 = 0

    @classmethod
    def of(cls, cents: int) -> Cent:
        return cls(val=cents)


def _cent_or_bare(value: Any) -> Any:
    """Some money fields are a bare cents string, some the wrapper; accept either where unsure."""
    if isinstance(value, dict):
        return value.get("val", 0)
    return value


#: A money field the reference documents as a bare int64 string, read leniently.
CentsStr = Annotated[int, BeforeValidator(_cent_or_bare), BeforeValidator(_int64), PlainSerializer(str, return_type=str)]


class TolerantEnum(str, enum.Enum):
    """A string enum that maps unknown server values to UNKNOWN instead of failing validation.

    A newer server adding an enum value must not make a whole response unreadable.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        aliases: dict[str, str] = getattr(cls, "_aliases", {})
        if isinstance(value, str) and value in aliases:
            return cls(aliases[value])
        return cls.__members__.get("UNKNOWN")

    def __str__(self) -> str:
        return self.value


# --------------------------------------------------------------------------- enums


class InvoiceStatus(TolerantEnum):
    INVALID = "INVALID"
    PENDING = "PENDING"
    PAID = "PAID"
    WILL_NEVER_BE_CHARGED = "WILL_NEVER_BE_CHARGED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"


class ChangeOrigin(TolerantEnum):
    INVALID_ORIGIN = "INVALID_ORIGIN"
    PURCHASE = "PURCHASE"
    SPEND = "SPEND"
    REFUND = "REFUND"
    MANUAL = "MANUAL"
    AUTO_PURCHASE = "AUTO_PURCHASE"
    UNKNOWN = "UNKNOWN"


class TopupStatus(TolerantEnum):
    INVALID_STATUS = "INVALID_STATUS"
    TO_GENERATE_INVOICE = "TO_GENERATE_INVOICE"
    FAILED_TO_GENERATE_INVOICE = "FAILED_TO_GENERATE_INVOICE"
    TO_CHARGE = "TO_CHARGE"
    FAILED_TO_CHARGE = "FAILED_TO_CHARGE"
    SUCCEEDED = "SUCCEEDED"
    UNKNOWN = "UNKNOWN"


# The docs page misspells this value (reference 2.9); the proto spelling is canonical.
TopupStatus._aliases = {"FAILED_TO_GEMNERATE_INVOICE": "FAILED_TO_GENERATE_INVOICE"}  # type: ignore[attr-defined]


class ProcessorKind(TolerantEnum):
    UNKNOWN = "UNKNOWN"
    STRIPE = "STRIPE"
    CHECKOUT = "CHECKOUT"
    EXTERNAL = "EXTERNAL"
    MANUAL = "MANUAL"


class KeyScope(TolerantEnum):
    SCOPE_UNSPECIFIED = "SCOPE_UNSPECIFIED"
    SCOPE_TEAM = "SCOPE_TEAM"
    SCOPE_ORGANIZATION = "SCOPE_ORGANIZATION"
    UNKNOWN = "UNKNOWN"


class TimeUnit(TolerantEnum):
    TIME_UNIT_MONTH = "TIME_UNIT_MONTH"
    TIME_UNIT_CALENDAR_WEEK = "TIME_UNIT_CALENDAR_WEEK"
    TIME_UNIT_DAY = "TIME_UNIT_DAY"
    TIME_UNIT_HOUR = "TIME_UNIT_HOUR"
    TIME_UNIT_QUARTER_HOUR = "TIME_UNIT_QUARTER_HOUR"
    TIME_UNIT_MINUTE = "TIME_UNIT_MINUTE"
    TIME_UNIT_SECOND = "TIME_UNIT_SECOND"
    TIME_UNIT_NONE = "TIME_UNIT_NONE"
    UNKNOWN = "UNKNOWN"


class Aggregation(TolerantEnum):
    AGGREGATION_NONE = "AGGREGATION_NONE"
    AGGREGATION_SUM = "AGGREGATION_SUM"
    AGGREGATION_AVG = "AGGREGATION_AVG"
    AGGREGATION_VAR = "AGGREGATION_VAR"
    AGGREGATION_STD = "AGGREGATION_STD"
    AGGREGATION_MIN = "AGGREGATION_MIN"
    AGGREGATION_MAX = "AGGREGATION_MAX"
    AGGREGATION_P50 = "AGGREGATION_P50"
    AGGREGATION_P90 = "AGGREGATION_P90"
    AGGREGATION_P99 = "AGGREGATION_P99"
    AGGREGATION_P999 = "AGGREGATION_P999"
    AGGREGATION_COUNT = "AGGREGATION_COUNT"
    AGGREGATION_COUNT_DISTINCT = "AGGREGATION_COUNT_DISTINCT"
    UNKNOWN = "UNKNOWN"


class PurchaseMethod(TolerantEnum):
    """Sandbox extension of `prepaid/top-up` (design.md 5): how a purchase is paid."""

    CARD = "CARD"
    BANK_TRANSFER = "BANK_TRANSFER"
    UNKNOWN = "UNKNOWN"


class InvoicedBillingState(TolerantEnum):
    """Sandbox extension `invoiced-billing` (design.md 5)."""

    DISABLED = "DISABLED"
    REQUESTED = "REQUESTED"
    ENABLED = "ENABLED"
    UNKNOWN = "UNKNOWN"


# --------------------------------------------------------------------------- billing info (2.1, 2.2)


class Address(WireModel):
    line1: NullStr = ""
    line2: NullStr = ""
    city: NullStr = ""
    state: NullStr = ""
    postal_code: NullStr = ""
    country: NullStr = ""  # ISO-3166 alpha-2


class BillingInfo(WireModel):
    name: NullStr = ""
    email: NullStr = ""
    address: Address = Field(default_factory=Address)
    tax_id_type: NullStr = ""  # Stripe tax-id type, e.g. "us_ein"
    tax_number: NullStr = ""


class BillingInfoEnvelope(WireModel):
    """GET billing-info response and POST billing-info request: `{"billingInfo": {...}}`."""

    billing_info: BillingInfo = Field(default_factory=BillingInfo)


# --------------------------------------------------------------------------- invoices (2.3)


class BillingCycle(WireModel):
    year: Int32 = 0
    month: Int32 = 0

    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class InvoiceLine(WireModel):
    cluster_name: NullStr = ""
    description: NullStr = ""
    unit_type: NullStr = ""
    # Unit price unit is disputed (reference Open question 3); we display it raw, never do money
    # arithmetic on it, and rely on `amount` (cents) for totals.
    unit_price: Int64 = 0
    num_units: Int64 = 0
    amount: Int64 = 0


class ChargerAttempt(WireModel):
    ticket: Int32 = 0
    successful: bool | None = False
    payment_method_id: NullStr = ""


class MonthlyInvoiceInfo(WireModel):
    billing_cycle: BillingCycle = Field(default_factory=BillingCycle)
    default_credits_issued: Cent = Field(default_factory=Cent)
    auto_credits_issued: Cent = Field(default_factory=Cent)
    prepaid_tokens_to_spend: Cent = Field(default_factory=Cent)
    billing_items_csv_asset_key_suffix: str | None = None
    corrections_csv_asset_key_suffix: str | None = None


class EmptyMessage(WireModel):
    """`prepaid` and `subscriptions` are empty objects in the proto."""


def invoice_kind(invoice: Any) -> str:
    """"monthly", "prepaid", "subscriptions" or "unknown" (exactly one is set on the wire)."""
    for kind in ("monthly", "prepaid", "subscriptions"):
        if getattr(invoice, kind) is not None:
            return kind
    return "unknown"


def invoice_period(year: int | None, month: int | None, created: datetime | None) -> str:
    """The billing cycle of a monthly invoice ("2026-10"), else the month it was created in."""
    if year:
        return f"{year:04d}-{(month or 0):02d}"
    return created.strftime("%Y-%m") if created else ""


class _InvoiceShape:
    """What the full invoice and the list row both answer; no state of its own (empty slots)."""

    __slots__ = ()
    monthly: Any
    create_time: datetime | None

    @property
    def kind(self) -> str:
        return invoice_kind(self)

    @property
    def period(self) -> str:
        cycle = self.monthly.billing_cycle if self.monthly else None
        return invoice_period(cycle.year if cycle else None, cycle.month if cycle else None, self.create_time)


class InvoiceBundle(_InvoiceShape, WireModel):
    team_id: NullStr = ""
    invoice_id: NullStr = ""
    invoice_number: NullStr = ""
    create_time: datetime | None = None
    invoice_status: InvoiceStatus = InvoiceStatus.INVALID
    first_desired_next_cycle_ts: datetime | None = None
    charger_attempts: NullList[ChargerAttempt] = Field(default_factory=list)
    lines: NullList[InvoiceLine] = Field(default_factory=list)
    subtotal: Int64 = 0
    tax: Int64 = 0
    total: Int64 = 0
    invoice_pdf_asset_key_suffix: str | None = None
    monthly: MonthlyInvoiceInfo | None = None
    prepaid: EmptyMessage | None = None
    subscriptions: EmptyMessage | None = None
    #: Sandbox extension [C]: the billing details the invoice was issued to. The real API has no
    #: such field; invoices are never regenerated, so this is a snapshot.
    issued_to: BillingInfo | None = None


class InvoiceList(WireModel):
    invoices: NullList[InvoiceBundle] = Field(default_factory=list)


_SUMMARY = ConfigDict(alias_generator=to_camel, validate_by_name=True, extra="ignore")


@pydantic_dataclass(slots=True, config=_SUMMARY)
class _SummaryCycle:
    year: int | None = 0
    month: int | None = 0


@pydantic_dataclass(slots=True, config=_SUMMARY)
class _SummaryMonthly:
    billing_cycle: _SummaryCycle | None = None


@pydantic_dataclass(slots=True, config=_SUMMARY)
class _SummaryAttempt:
    successful: bool | None = False
    payment_method_id: str | None = None


@pydantic_dataclass(slots=True, config=_SUMMARY)
class InvoiceSummary(_InvoiceShape):
    """One row of the invoice list: `InvoiceBundle` without its lines and addresses.

    Read from the same JSON as `InvoiceBundle`, with pydantic's own lax conversions (int64 strings
    to int), no Python validators and slotted dataclasses: 10,000 invoices parse 3-5x faster and
    take 6.5 MB instead of 23. The lines of one invoice are fetched when it is opened
    (`invoiceIds.invoiceIds`).
    """

    invoice_id: str = ""
    invoice_number: str | None = None
    create_time: datetime | None = None
    invoice_status: InvoiceStatus | None = None
    charger_attempts: list[_SummaryAttempt] | None = None
    subtotal: int | None = 0
    tax: int | None = 0
    total: int | None = 0
    monthly: _SummaryMonthly | None = None
    prepaid: dict | None = None
    subscriptions: dict | None = None

    @property
    def status(self) -> str:
        return (self.invoice_status or InvoiceStatus.INVALID).value

    @property
    def attempts(self) -> int:
        return len(self.charger_attempts or ())


class InvoiceSummaryList(BaseModel):
    invoices: list[InvoiceSummary] | None = None



# --------------------------------------------------------------------------- payment methods (2.4, 2.5)


class CardDetails(WireModel):
    brand: NullStr = ""
    exp_month: Int64 = 0
    exp_year: Int64 = 0
    last4: NullStr = ""


class BankAccountBlock(WireModel):
    network_code: NullStr = ""
    block_reason: NullStr = ""


class UsBankAccountDetails(WireModel):
    bank_name: NullStr = ""
    last4: NullStr = ""
    routing_number: NullStr = ""
    blocked: BankAccountBlock | None = None


class LinkDetails(WireModel):
    email: NullStr = ""


class PaymentMethod(WireModel):
    payment_method_id: NullStr = ""
    billing_info: BillingInfo | None = None
    card_details: CardDetails | None = None
    us_bank_account_details: UsBankAccountDetails | None = None
    link_details: LinkDetails | None = None
    payment_type: NullStr = ""
    added_ts: datetime | None = None  # newer than the 2025-11 proto (reference 2.4 [B])
    #: Sandbox extension [C]: the real shape has no default marker; see `default_method()`.
    is_default: bool | None = None

    @property
    def last4(self) -> str:
        detail = self.card_details or self.us_bank_account_details
        return detail.last4 if detail else ""

    def label(self) -> str:
        """Human name without any full number: "Visa ··4242", "Chase bank ··6789", "Link a@b"."""
        if self.card_details:
            return f"{self.card_details.brand.title() or 'Card'} ··{self.card_details.last4}"
        if self.us_bank_account_details:
            bank = self.us_bank_account_details.bank_name or "Bank account"
            return f"{bank} ··{self.us_bank_account_details.last4}"
        if self.link_details:
            return f"Link {self.link_details.email}"
        return self.payment_type or "Payment method"


def default_method(methods: list[PaymentMethod], known_id: str | None = None) -> PaymentMethod | None:
    """The default payment method when it is known, else None: never a guess.

    The public shape carries no default flag (reference 2.4), and its order says nothing. Known
    means marked by the sandbox, or `known_id`: the method xconsole itself made the default.
    """
    marked = [m for m in methods if m.is_default]
    if marked:
        return marked[0]
    return next((m for m in methods if known_id and m.payment_method_id == known_id), None)


class PendingPaymentMethod(WireModel):
    ach_microdeposit_hosted_verification_url: NullStr = ""


class PaymentMethodList(WireModel):
    payment_methods: NullList[PaymentMethod] = Field(default_factory=list)
    pending_payment_method: PendingPaymentMethod | None = None


class SetDefaultPaymentMethodRequest(WireModel):
    payment_method_id: str


# --------------------------------------------------------------------------- invoice preview (2.6)


class CoreInvoice(WireModel):
    lines: NullList[InvoiceLine] = Field(default_factory=list)
    amount_before_vat: CentsStr = 0
    vat_cost: CentsStr = 0
    amount_after_vat: CentsStr = 0
    auto_credits_issued: CentsStr = 0
    default_credits_issued: CentsStr = 0
    #: Unset money that a person would read as a figure stays None ("—" on screen), never $0.00.
    total_with_corr: Cent | None = None
    prepaid_credits: Cent | None = None  # credit-signed: negative
    #: [C] unset = nothing drawn yet: proto3 reads an unset message as its zero value, and "used"
    #: is the one field here whose zero is the natural state of a fresh cycle.
    prepaid_credits_used: Cent = Field(default_factory=Cent)  # credit-signed: negative
    amount_before_vat_limited: Cent | None = None
    amount_before_vat_unlimited: Cent | None = None
    amount_before_vat_limited_and_unlimited: Cent | None = None


class InvoicePreview(WireModel):
    # Required: without it the live balance would read $0.00. A missing block is an unreadable
    # answer (the last good numbers stay on screen), never a silent zero.
    core_invoice: CoreInvoice
    effective_spending_limit: CentsStr = 0
    default_credits: CentsStr = 0
    billing_cycle: BillingCycle = Field(default_factory=BillingCycle)

    @property
    def live_balance_cents(self) -> int | None:
        """Credit the console shows as remaining: prepaid for the cycle minus what it drew so far.

        Both fields are credit-signed (negative), so remaining = (-prepaid) - (-used). This is the
        live figure; `prepaid/balance.total` is a posted ledger that lags mid-cycle (reference 1.3).
        None when the server did not report the cycle's prepaid credit.
        """
        ci = self.core_invoice
        if ci.prepaid_credits is None:
            return None
        return (-ci.prepaid_credits.val) - (-ci.prepaid_credits_used.val)

    @property
    def month_to_date_spend_cents(self) -> int | None:
        """Total spend of the current cycle, including usage beyond prepaid credit (None: unreported)."""
        total = self.core_invoice.total_with_corr
        return None if total is None else total.val

    @property
    def beyond_prepaid_cents(self) -> int | None:
        """Spend this cycle not covered by prepaid credit: billed at month end (invoiced billing)."""
        spend = self.month_to_date_spend_cents
        return None if spend is None else max(0, spend - (-self.core_invoice.prepaid_credits_used.val))

    @property
    def unreported(self) -> list[str]:
        """Wire names of the figures the server left unset, to say why a number shows as "—"."""
        ci = self.core_invoice
        return [name for name, value in (("prepaidCredits", ci.prepaid_credits), ("totalWithCorr", ci.total_with_corr))
                if value is None]


# --------------------------------------------------------------------------- spending limits (2.7, 2.8)


class SpendingLimits(WireModel):
    hard_sl_override: Cent | None = None
    hard_sl_auto: Cent = Field(default_factory=Cent)
    #: The ceiling and the limit in force: unknown (None) when unset, never read as a $0 limit.
    effective_hard_sl: Cent | None = None
    soft_sl: Cent | None = None
    effective_sl: Cent | None = None

    @property
    def limit_cents(self) -> int | None:
        return None if self.effective_sl is None else self.effective_sl.val

    @property
    def ceiling_cents(self) -> int | None:
        return None if self.effective_hard_sl is None else self.effective_hard_sl.val

    @property
    def unreported(self) -> list[str]:
        return [name for name, value in (("effectiveSl", self.effective_sl), ("effectiveHardSl", self.effective_hard_sl))
                if value is None]


class SpendingLimitsEnvelope(WireModel):
    spending_limits: SpendingLimits  # required, like InvoicePreview.core_invoice


class SetSoftSpendingLimitRequest(WireModel):
    desired_soft_spending_limit: Cent


class SetSoftSpendingLimitResponse(WireModel):
    this_bp_soft_spending_limit: Cent | None = None  # None: the server did not say what it applied


# --------------------------------------------------------------------------- prepaid ledger (2.9, 2.10)


class PaymentProcessor(WireModel):
    kind: ProcessorKind = ProcessorKind.UNKNOWN
    external_party: str | None = None
    external_invoice_id: str | None = None


class PrepaidBalanceChange(WireModel):
    team_id: NullStr = ""
    change_origin: ChangeOrigin = ChangeOrigin.INVALID_ORIGIN
    topup_status: TopupStatus | None = None
    amount: Cent | None = None  # credit negative, spend positive (reference 1.3); None: unreported
    invoice_id: str | None = None
    invoice_number: str | None = None
    create_time: datetime | None = None
    create_ts: datetime | None = None
    spend_bp_key_year: Int32 | None = None
    spend_bp_key_month: Int32 | None = None
    payment_processor: PaymentProcessor | None = None

    @property
    def credit_cents(self) -> int | None:
        """The change as a person reads it: positive adds credit, negative uses it (None: unreported)."""
        return None if self.amount is None else -self.amount.val

    @property
    def is_pending(self) -> bool:
        return self.topup_status in (TopupStatus.TO_CHARGE, TopupStatus.TO_GENERATE_INVOICE)

    @property
    def is_failed(self) -> bool:
        return self.topup_status in (TopupStatus.FAILED_TO_CHARGE, TopupStatus.FAILED_TO_GENERATE_INVOICE)


class PrepaidBalance(WireModel):
    changes: NullList[PrepaidBalanceChange] = Field(default_factory=list)
    total: Cent | None = None

    @property
    def posted_remaining_cents(self) -> int | None:
        """Posted ledger credit left ($2.50 for `total.val = "-250"`); lags mid-cycle spend."""
        return None if self.total is None else -self.total.val

    @property
    def pending(self) -> list[PrepaidBalanceChange]:
        return [c for c in self.changes if c.is_pending]


class TopUpRequest(WireModel):
    amount: Cent
    # Sandbox extensions (design.md 5); omitted on the wire for the real API.
    payment_method_id: str | None = None
    method: PurchaseMethod | None = None


class TopUpResponse(WireModel):
    # Required: an answer without the change cannot say what the purchase did; the caller then
    # reads the ledger instead of guessing (and never sends again).
    change: PrepaidBalanceChange


# --------------------------------------------------------------------------- usage analytics (2.11)


class TimeRange(WireModel):
    start_time: str  # "YYYY-MM-DD HH:MM:SS" local to `timezone`
    end_time: str  # exclusive
    timezone: str = "Etc/GMT"


class AnalyticsValue(WireModel):
    name: str = "usd"
    aggregation: Aggregation = Aggregation.AGGREGATION_SUM


class AnalyticsRequest(WireModel):
    time_range: TimeRange
    time_unit: TimeUnit = TimeUnit.TIME_UNIT_DAY
    values: list[AnalyticsValue] = Field(default_factory=lambda: [AnalyticsValue()])
    group_by: list[str] = Field(default_factory=list)
    filters: list[str] = Field(default_factory=list)


class UsageRequest(WireModel):
    analytics_request: AnalyticsRequest


class DataPoint(WireModel):
    timestamp: datetime | None = None
    values: NullList[UsdFloat] = Field(default_factory=list)  # USD floats, not cents (reference 1.3)

    @classmethod
    def _null_is_unset(cls, data: Any) -> Any:
        """Not a validator here (a plain override removes the inherited one): both fields read
        `null` as unset already, and 28 days of hours are 672 points a team, each a Python call."""
        return data


class TimeSeries(WireModel):
    group: NullList[str] = Field(default_factory=list)
    group_labels: NullList[str] = Field(default_factory=list)
    data_points: NullList[DataPoint] = Field(default_factory=list)

    @property
    def label(self) -> str:
        return " / ".join(self.group_labels or self.group) or "Total"


class UsageResponse(WireModel):
    time_series: NullList[TimeSeries] = Field(default_factory=list)
    limit_reached: bool = False


# --------------------------------------------------------------------------- keys (3.1-3.8)


class IpAddress(WireModel):
    ipv4: str | None = None
    ipv6: str | None = None


class IpRange(WireModel):
    address: IpAddress | None = None
    prefix_length: Int32 = 0


class IpRanges(WireModel):
    ip_ranges: NullList[IpRange] = Field(default_factory=list)


class ManagementKey(WireModel):
    """GET /auth/management-keys/validation (reference 3.1)."""

    api_key_id: NullStr = ""
    team_id: str | None = None  # deprecated but still returned
    scope: KeyScope = KeyScope.SCOPE_UNSPECIFIED
    scope_id: str | None = None
    owner_user_id: str | None = None
    create_time: datetime | None = None
    modify_time: datetime | None = None
    name: NullStr = ""
    acls: NullList[str] = Field(default_factory=list)
    # The doc example spells it `reactedApiKey`; accept both (reference Open question 4).
    redacted_api_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("redactedApiKey", "reactedApiKey", "redacted_api_key"),
        serialization_alias="redactedApiKey",
    )
    ip_ranges: IpRanges | None = None

    @property
    def discovered_team_id(self) -> str | None:
        """Team id per the clients' rule: `teamId`, else `scopeId` when the key is team-scoped."""
        if self.team_id:
            return self.team_id
        if self.scope == KeyScope.SCOPE_TEAM and self.scope_id:
            return self.scope_id
        return None


class ApiKey(WireModel):
    """An inference API key (reference 3.2). `api_key` is only present on create/rotate."""

    redacted_api_key: NullStr = ""
    api_key: str | None = Field(default=None, repr=False)
    user_id: NullStr = ""
    name: NullStr = ""
    create_time: datetime | None = None
    modify_time: datetime | None = None
    team_id: NullStr = ""
    api_key_id: NullStr = ""
    disabled: bool = False
    expire_time: datetime | None = None
    qps: Int32 | None = None
    qpm: Int32 | None = None
    tpm: Int64 | None = None
    acl_strings: NullList[str] = Field(default_factory=list)


class ApiKeyList(WireModel):
    api_keys: NullList[ApiKey] = Field(default_factory=list)
    pagination_token: str | None = None


class CreateApiKeyRequest(WireModel):
    name: str
    acls: list[str] = Field(default_factory=list)  # `acls` on create, `aclStrings` elsewhere
    qps: int | None = None
    qpm: int | None = None
    tpm: Int64 | None = None
    expire_time: datetime | None = None


class UpdateApiKeyRequest(WireModel):
    api_key: dict[str, Any]
    field_mask: str


class KeyPropagation(WireModel):
    ic_propagation: dict[str, bool] = Field(default_factory=dict)


# --------------------------------------------------------------------------- audit (4)


class AuditUser(WireModel):
    user_id: NullStr = ""
    email: NullStr = ""
    profile_image: str | None = None
    given_name: NullStr = ""
    family_name: NullStr = ""
    profile_image_url: str | None = None


class AuditEvent(WireModel):
    event_time: datetime | None = None
    event_id: NullStr = ""
    description: NullStr = ""
    user: AuditUser | None = None


class AuditEventList(WireModel):
    events: NullList[AuditEvent] = Field(default_factory=list)
    next_page_token: str | None = None


# --------------------------------------------------------------------------- sandbox extensions (design.md 5)


class AutoTopUpSettings(WireModel):
    """What a user sets: POST auto-top-up body `{"autoTopUp": {...}}`."""

    enabled: bool = False
    threshold: Cent = Field(default_factory=Cent)
    amount: Cent = Field(default_factory=Cent)
    monthly_limit: Cent = Field(default_factory=Cent)


class AutoTopUp(AutoTopUpSettings):
    """GET auto-top-up: the settings plus the server's counters and console warnings."""

    used_this_month: Cent = Field(default_factory=Cent)
    top_ups_last24h: Int32 = Field(default=0, alias="topUpsLast24h")
    #: Warning ids (core.billing.WARN_*); unknown ids are shown as they are.
    warnings: NullList[str] = Field(default_factory=list)
    #: Why the last due auto top-up did not happen (e.g. the 5-per-24 h limit), if it did not.
    blocked_reason: str | None = None


class AutoTopUpEnvelope(WireModel):
    auto_top_up: AutoTopUp  # required: defaults would offer "disabled" as the current settings


class AutoTopUpSettingsEnvelope(WireModel):
    auto_top_up: AutoTopUpSettings


class PromoCodeRequest(WireModel):
    code: str


class CardInput(WireModel):
    number: str = Field(repr=False)
    exp_month: int
    exp_year: int
    cvc: str = Field(repr=False)
    name: str = ""


class AddCardRequest(WireModel):
    card: CardInput


class PaymentMethodEnvelope(WireModel):
    payment_method: PaymentMethod = Field(default_factory=PaymentMethod)


class InvoicedBilling(WireModel):
    status: InvoicedBillingState = InvoicedBillingState.DISABLED


class InvoicedBillingAction(WireModel):
    action: str = "REQUEST"
