"""Invoices and invoice lines as CSV or JSON: money as integer cents plus a formatted column.

Shared by the TUI's export dialog and `xconsole invoices`, so both write the same columns.
Files are created, never overwritten unless the caller says so.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from xconsole.core import models
from xconsole.core.money import format_cents

FORMATS = ("csv", "json")
INVOICE_FIELDS = ("invoice_number", "invoice_id", "kind", "period", "created", "status",
                  "subtotal_cents", "tax_cents", "total_cents", "subtotal", "tax", "total", "charge_attempts")
LINE_FIELDS = ("invoice_number", "description", "unit_type", "num_units", "unit_price", "cluster",
               "amount_cents", "amount")


def invoice_record(invoice: models.InvoiceSummary | models.InvoiceBundle) -> dict[str, Any]:
    subtotal, tax, total = invoice.subtotal or 0, invoice.tax or 0, invoice.total or 0
    status = invoice.invoice_status.value if invoice.invoice_status else "INVALID"
    return {
        "invoice_number": invoice.invoice_number or "",
        "invoice_id": invoice.invoice_id,
        "kind": invoice.kind,
        "period": invoice.period,
        "created": invoice.create_time.isoformat().replace("+00:00", "Z") if invoice.create_time else "",
        "status": status,
        "subtotal_cents": subtotal,
        "tax_cents": tax,
        "total_cents": total,
        "subtotal": format_cents(subtotal),
        "tax": format_cents(tax),
        "total": format_cents(total),
        "charge_attempts": len(invoice.charger_attempts or ()),
    }


def line_records(number: str, lines: Iterable[models.InvoiceLine]) -> list[dict[str, Any]]:
    return [
        {
            "invoice_number": number,
            "description": line.description,
            "unit_type": line.unit_type,
            "num_units": line.num_units,
            # Raw: its unit is disputed (reference, open question 3), so it is never turned into money.
            "unit_price": line.unit_price,
            "cluster": line.cluster_name,
            "amount_cents": line.amount,
            "amount": format_cents(line.amount),
        }
        for line in lines
    ]


def render(records: Sequence[dict[str, Any]], fields: Sequence[str], fmt: str, *, key: str = "rows") -> str:
    """CSV with a header row, or one JSON document `{key: [...]}`."""
    if fmt == "json":
        return json.dumps({key: list(records)}, indent=2) + "\n"
    if fmt != "csv":
        raise ValueError(f"Unknown format {fmt!r}: use csv or json")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


def write_file(path: Path, text: str, *, overwrite: bool = False) -> Path:
    """Write `text` to `path`; FileExistsError unless `overwrite`. The file appears whole or not at all."""
    path = path.expanduser()
    if path.exists() and not overwrite:
        raise FileExistsError(str(path))
    if path.is_dir():
        raise IsADirectoryError(str(path))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if someone created the file meanwhile: never clobbered
            except FileExistsError:
                raise
            except OSError:  # no hard links on this filesystem: exclusive create instead
                with path.open("x", encoding="utf-8") as handle:
                    handle.write(text)
    finally:
        tmp.unlink(missing_ok=True)
    return path.resolve()


def default_name(team_name: str, what: str, fmt: str, day: str) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in team_name.lower()).strip("-") or "team"
    while "--" in slug:
        slug = slug.replace("--", "-")
    return f"xconsole-{slug}-{what}-{day}.{fmt}"
