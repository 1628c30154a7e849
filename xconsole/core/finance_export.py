"""A month's finance export across teams: invoices, their lines, ledger changes and usage by model,
with each team's id and name on every row, money as integer cents plus formatted text, and a
reconciliation per team (design.md 3, `xconsole export`).

Reconciliation (per team, for the month):
- purchases: the ledger's purchases (bought by hand or by auto top-up, credited) against the
  prepaid invoices' subtotals of the month;
- usage: the usage endpoint's spend for the month against the lines of the month's monthly
  invoice (which lists all of the month's usage), once that invoice exists;
- failed charges: every invoice of the month with a failed charge attempt.
Usage comes from the analytics endpoint in float dollars: a difference of at most a cent per
model line is rounding, not a mismatch. Known limit: a bank transfer bought in the last days of
a month and invoiced when it settles in the next is reported as a purchases mismatch in both.

Deterministic: rows are sorted and columns fixed, so the same data gives byte-identical files.
"""

from __future__ import annotations

import asyncio
import calendar
import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from xconsole.core import errors, models
from xconsole.core.export import INVOICE_FIELDS, LINE_FIELDS, invoice_record, line_records, write_file
from xconsole.core.invoices import Month, failed_attempts
from xconsole.core.money import format_cents

SCHEMA_VERSION = 1
TEAM_FIELDS = ("team_id", "team_name")
LEDGER_FIELDS = ("created", "origin", "status", "credit_cents", "credit", "invoice_number")
USAGE_FIELDS = ("model", "amount_cents", "amount")
SUMMARY_FIELDS = ("state", "invoices_total_cents", "ledger_purchases_cents", "prepaid_invoices_cents",
                  "usage_cents", "monthly_invoice_lines_cents", "failed_charges", "problems")
#: Ledger origins that are purchases with an invoice (promo credit and manual changes have none).
PURCHASES = (models.ChangeOrigin.PURCHASE, models.ChangeOrigin.AUTO_PURCHASE)
KINDS = ("invoices", "lines", "ledger", "usage", "summary")


@dataclass
class TeamMonth:
    team_id: str
    team_name: str
    invoices: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    usage: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def problems(self) -> list[str]:
        return list(self.summary.get("problems", [])) if not self.error else [f"could not be read: {self.error}"]


def month_bounds(month: Month, today: date) -> tuple[date, date]:
    """The month's first day and its last day read (today for the month in progress)."""
    first = date(month[0], month[1], 1)
    if first > today:
        raise ValueError(f"{month[0]:04d}-{month[1]:02d} has not started yet")
    last = date(month[0], month[1], calendar.monthrange(month[0], month[1])[1])
    return first, min(last, today)


def _iso(moment: datetime | None) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if moment else ""


def _in_month(moment: datetime | None, month: Month) -> bool:
    return moment is not None and (moment.astimezone(timezone.utc).year, moment.astimezone(timezone.utc).month) == month


async def read_team_month(client: Any, team_id: str, team_name: str, month: Month) -> TeamMonth:
    """One team's month (invoices with lines, ledger, usage by model) and its reconciliation.
    Raises the client's ApiError when the team cannot be read."""
    from xconsole.core.spend import per_group_cents, range_request

    first, last = month_bounds(month, client.today())
    invoices, balance, usage = await asyncio.gather(
        client.list_invoices(team_id, since=month),
        client.get_prepaid_balance(team_id),
        client.usage(team_id, range_request(first, last, models.TimeUnit.TIME_UNIT_NONE, ["description"])),
    )
    label = f"{month[0]:04d}-{month[1]:02d}"
    mine = sorted((i for i in invoices if i.period == label), key=lambda i: (_iso(i.create_time), i.invoice_number))
    result = TeamMonth(team_id, team_name)
    result.invoices = [invoice_record(i) for i in mine]
    result.lines = sorted((r for i in mine for r in line_records(i.invoice_number, i.lines)),
                          key=lambda r: (r["invoice_number"], r["description"], r["unit_type"], r["amount_cents"]))
    changes = sorted((c for c in balance.changes if _in_month(c.create_time or c.create_ts, month)),
                     key=lambda c: (_iso(c.create_time or c.create_ts), c.change_origin.value, c.credit_cents or 0))
    result.ledger = [{
        "created": _iso(c.create_time or c.create_ts), "origin": c.change_origin.value,
        "status": c.topup_status.value if c.topup_status else "",
        "credit_cents": c.credit_cents, "credit": format_cents(c.credit_cents), "invoice_number": c.invoice_number or "",
    } for c in changes]
    per_model = per_group_cents(usage)
    result.usage = [{"model": name, "amount_cents": cents, "amount": format_cents(cents)}
                    for name, cents in sorted(per_model)]
    result.summary = reconcile(mine, changes, per_model, partial=usage.limit_reached)
    return result


def reconcile(invoices: list[models.InvoiceBundle], changes: list[models.PrepaidBalanceChange],
              usage: list[tuple[str, int]], *, partial: bool = False) -> dict[str, Any]:
    """The month's figures side by side and what does not agree (see the module docstring)."""
    problems: list[str] = []
    bought = sum(c.credit_cents or 0 for c in changes
                 if c.change_origin in PURCHASES and not c.is_pending and not c.is_failed)
    prepaid = sum(i.subtotal or 0 for i in invoices
                  if i.kind == "prepaid" and i.invoice_status is not models.InvoiceStatus.FAILED)
    if bought != prepaid:
        problems.append(f"ledger purchases {format_cents(bought)} but prepaid invoices {format_cents(prepaid)}")
    used = sum(cents for _name, cents in usage)
    monthly = [i for i in invoices if i.kind == "monthly"]
    lines = sum(line.amount or 0 for i in monthly for line in i.lines) if monthly else None
    if lines is not None and abs(used - lines) > max(1, len(usage)):
        problems.append(f"usage {format_cents(used)} but the monthly invoice lists {format_cents(lines)}")
    if partial:
        problems.append("the usage endpoint capped its answer (limitReached): usage may be incomplete")
    mismatch = bool(problems)  # the figures disagree; failed charges are said apart
    failed = [i for i in invoices if failed_attempts(i) or i.invoice_status is models.InvoiceStatus.FAILED]
    for invoice in failed:
        problems.append(f"invoice {invoice.invoice_number or invoice.invoice_id}: "
                        f"{failed_attempts(invoice)} failed charge attempt(s), status {invoice.invoice_status.value}")
    return {
        "state": "MISMATCH" if mismatch else "FAILED_CHARGE" if failed else "OK",
        "invoices_total_cents": sum(i.total or 0 for i in invoices),
        "ledger_purchases_cents": bought,
        "prepaid_invoices_cents": prepaid,
        "usage_cents": used,
        "monthly_invoice_lines_cents": lines,
        "failed_charges": len(failed),
        "problems": problems,
    }


# ---------------------------------------------------------------------------------- output


def _rows(teams: list[TeamMonth], kind: str) -> list[dict[str, Any]]:
    rows = []
    for team in sorted(teams, key=lambda t: (t.team_name, t.team_id)):
        ids = {"team_id": team.team_id, "team_name": team.team_name}
        if kind == "summary":
            summary = team.summary if not team.error else {"state": "ERROR"}
            rows.append({**ids, **{k: summary.get(k) for k in SUMMARY_FIELDS},
                         "problems": "; ".join(team.problems)})
        else:
            rows += [{**ids, **row} for row in getattr(team, kind)]
    return rows


FIELDS = {"invoices": INVOICE_FIELDS, "lines": LINE_FIELDS, "ledger": LEDGER_FIELDS, "usage": USAGE_FIELDS,
          "summary": SUMMARY_FIELDS}


def csv_files(teams: list[TeamMonth], month: Month) -> dict[str, str]:
    """File name -> CSV text, one file per kind of row."""
    label = f"{month[0]:04d}-{month[1]:02d}"
    out = {}
    for kind in KINDS:
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=[*TEAM_FIELDS, *FIELDS[kind]], lineterminator="\n")
        writer.writeheader()
        writer.writerows(_rows(teams, kind))
        out[f"xconsole-{kind}-{label}.csv"] = text.getvalue()
    return out


def json_document(teams: list[TeamMonth], month: Month) -> str:
    label = f"{month[0]:04d}-{month[1]:02d}"
    document = {
        "schemaVersion": SCHEMA_VERSION,
        "month": label,
        "teams": [{"teamId": t.team_id, "name": t.team_name, "error": t.error, "summary": _rows([t], "summary")[0],
                   "invoices": t.invoices, "lines": t.lines, "ledger": t.ledger, "usage": t.usage}
                  for t in sorted(teams, key=lambda t: (t.team_name, t.team_id))],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_all(files: dict[Path, str], *, force: bool = False) -> list[Path]:
    """Write every file atomically; without `force`, refuse before writing anything when one
    already exists (FileExistsError naming it)."""
    if not force:
        for path in files:
            if path.exists():
                raise FileExistsError(str(path))
    return [write_file(path, text, overwrite=force) for path, text in files.items()]


def unreadable(team_id: str, team_name: str, exc: Exception) -> TeamMonth:
    why = f"{exc.title}: {exc}" if isinstance(exc, errors.ApiError) else str(exc)
    return TeamMonth(team_id, team_name, error=why)
