"""The Invoices screen's and `xconsole invoices`' view of a team's invoices.

Long histories (the sandbox's large team has 10,000) are read by period with `since.*`: first
this month, so rows appear at once, then back to January of last year, and older
years only when asked for. Choosing by year, kind and status happens here (`InvoiceListing.select`);
the TUI's `/` filter runs in its table widget over the plain text precomputed here (`texts`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from xconsole.core import models
from xconsole.core.client import ManagementClient
from xconsole.core.money import format_cents

#: Months read first, so rows appear at once even on a huge history (this month only); the
#: second read, back to January of last year, follows straight after.
FIRST_WINDOW_MONTHS = 1
STATUS_LABEL = {"PAID": "paid", "PENDING": "pending", "FAILED": "failed", "WILL_NEVER_BE_CHARGED": "not charged",
                "INVALID": "invalid", "UNKNOWN": "unknown"}

Month = tuple[int, int]
T = TypeVar("T", models.InvoiceSummary, models.InvoiceBundle)


def months_back(today: date, months: int) -> Month:
    """The (year, month) `months` before today's month."""
    index = today.year * 12 + today.month - 1 - months
    return (index // 12, index % 12 + 1)


def first_window(today: date) -> Month:
    return months_back(today, FIRST_WINDOW_MONTHS - 1)


def second_window(today: date) -> Month:
    """January of last year: what the Invoices screen reads without being asked."""
    return (today.year - 1, 1)


@dataclass(frozen=True)
class InvoiceFilter:
    year: int | None = None
    kind: str | None = None
    status: str | None = None
    text: str = ""


def newest_first(invoices: Iterable[T]) -> list[T]:
    """Invoices (rows or full ones) by creation time, newest first; undated ones last."""
    return sorted(invoices, key=lambda i: (i.create_time is not None, i.create_time), reverse=True)


def search_text(invoice: models.InvoiceSummary) -> str:
    return " ".join((
        invoice.invoice_number or "", invoice.kind, invoice.period, STATUS_LABEL.get(invoice.status, invoice.status),
        "failed" if failed_attempts(invoice) else "",
        format_cents(invoice.total or 0), invoice.create_time.strftime("%Y-%m-%d") if invoice.create_time else "",
    )).lower()


@dataclass(eq=False)  # compared by identity: "is this the listing on screen?"
class InvoiceListing:
    """A team's invoices newest first, from `since` (None: all history) to now."""

    invoices: list[models.InvoiceSummary]
    since: Month | None
    texts: dict[str, str] = field(default_factory=dict, repr=False)  # invoice id -> lowercase search text
    periods: dict[str, str] = field(default_factory=dict, repr=False)  # invoice id -> "YYYY-MM"
    _by_id: dict[str, models.InvoiceSummary] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.invoices = newest_first(self.invoices)
        self.texts = {i.invoice_id: search_text(i) for i in self.invoices}
        self.periods = {i.invoice_id: i.period for i in self.invoices}
        self._by_id = {i.invoice_id: i for i in self.invoices}

    def __len__(self) -> int:
        return len(self.invoices)

    def get(self, invoice_id: str) -> models.InvoiceSummary | None:
        return self._by_id.get(invoice_id)

    def covers(self, month: Month | None) -> bool:
        """Whether every invoice from `month` on (None: all history) is here."""
        if self.since is None:
            return True
        return month is not None and month >= self.since

    def years(self) -> list[int]:
        return sorted({int(p[:4]) for p in self.periods.values() if p[:4].isdigit()}, reverse=True)

    def select(self, wanted: InvoiceFilter) -> list[models.InvoiceSummary]:
        text = wanted.text.strip().lower()
        year = f"{wanted.year:04d}-" if wanted.year else ""
        return [
            invoice
            for invoice in self.invoices
            if (not year or self.periods[invoice.invoice_id].startswith(year))
            and (not wanted.kind or invoice.kind == wanted.kind)
            and (not wanted.status or invoice.status == wanted.status)
            and (not text or text in self.texts[invoice.invoice_id])
        ]


async def load_invoices(client: ManagementClient, team_id: str, since: Month | None) -> InvoiceListing:
    return InvoiceListing(await client.list_invoice_summaries(team_id, since=since), since)


def parse_month(text: str) -> Month:
    """"2026-01" or "2026" -> (2026, 1); ValueError with a readable message otherwise."""
    parts = text.strip().split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
    except (ValueError, IndexError):
        raise ValueError(f"{text!r} is not a month: use YYYY-MM, e.g. 2026-01") from None
    if len(parts) > 2 or not 2000 <= year <= 9999 or not 1 <= month <= 12:
        raise ValueError(f"{text!r} is not a month: use YYYY-MM, e.g. 2026-01")
    return (year, month)


def failed_attempts(invoice: models.InvoiceSummary) -> int:
    return sum(1 for a in invoice.charger_attempts or () if not a.successful)


def method_labels(methods: Iterable[models.PaymentMethod]) -> dict[str, str]:
    return {m.payment_method_id: m.label() for m in methods}


def unpaid_note(invoice: models.InvoiceBundle, methods: Sequence[models.PaymentMethod], today: date,
                console_url: str) -> str | None:
    """What an unpaid monthly invoice (its charge failed) asks of the admin, in words: which
    card failed and why where that can be seen, and where to settle it. None for any other."""
    from xconsole.core.billing import card_ends

    if invoice.invoice_status is not models.InvoiceStatus.FAILED or invoice.monthly is None:
        return None
    failed = [a for a in invoice.charger_attempts if not a.successful]
    method = next((m for m in methods if failed and m.payment_method_id == failed[-1].payment_method_id), None)
    charged = f"the charge to {method.label()} failed" if method is not None else "its charge failed"
    ends = card_ends(method) if method is not None else None
    card = method.card_details if method is not None else None
    why = ""
    if ends is not None and card is not None:
        # Blamed only when it had expired by the charge (the invoice's date); a card that expired
        # later was not why, but cannot be charged again either.
        charged_on = invoice.create_time.date() if invoice.create_time else today
        expiry = f"{card.exp_month:02d}/{card.exp_year % 100:02d}"
        why = (f" (the card had expired, {expiry})" if ends <= charged_on else
               f" (the card has expired since, {expiry})" if ends <= today else "")
    return (f"Unpaid: {charged}{why}. Settle it on the xAI console's Billing page ({console_url}), and make a "
            "card that works the default (3 Payments) so the next charges succeed.")


def attempt_lines(attempts: Sequence[models.ChargerAttempt], labels: dict[str, str]) -> list[str]:
    """One line per charge attempt, naming the payment method (or its id, once it is removed)."""
    return [
        f"#{n}  {'succeeded' if a.successful else 'failed':<9}  "
        f"{labels.get(a.payment_method_id) or (a.payment_method_id + ' (removed)' if a.payment_method_id else '—')}"
        for n, a in enumerate(attempts, 1)
    ]
