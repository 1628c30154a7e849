"""Invoice listing windows, filters, exports and billing-details rules (no UI, no network)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xconsole.core import billing_info, export, models
from xconsole.core.invoices import (
    InvoiceFilter,
    InvoiceListing,
    attempt_lines,
    first_window,
    months_back,
    parse_month,
    second_window,
)


def summary(n: int, *, month: int = 5, year: int = 2026, kind: str = "prepaid", status: str = "PAID",
            total: int = 2500) -> models.InvoiceSummary:
    wire = {"invoiceId": f"id{n}", "invoiceNumber": f"100-000-000-{n:03d}", "invoiceStatus": status,
            "createTime": datetime(year, month, 1 + n % 27, tzinfo=timezone.utc).isoformat(),
            "subtotal": str(total), "tax": "0", "total": str(total),
            "chargerAttempts": [{"ticket": 0, "successful": status == "PAID", "paymentMethodId": "pm_1"}]}
    if kind == "monthly":
        wire["monthly"] = {"billingCycle": {"year": year, "month": month}}
    else:
        wire["prepaid"] = {}
    return models.InvoiceSummaryList.model_validate({"invoices": [wire]}).invoices[0]


def test_summary_reads_the_real_wire_shape_including_int64_strings():
    from tests.fixtures import reference as ref

    listing = models.InvoiceSummaryList.model_validate(ref.INVOICES)
    invoice = listing.invoices[0]
    assert (invoice.subtotal, invoice.total, invoice.kind, invoice.period) == (619, 619, "monthly", "2025-05")
    assert invoice.status == "PAID" and invoice.attempts == 1
    # Unknown status values and nulls do not break the list.
    odd = models.InvoiceSummaryList.model_validate({"invoices": [{
        "invoiceId": "x", "invoiceStatus": "NEW_STATE", "total": None, "chargerAttempts": None, "monthly": None}]}).invoices[0]
    assert odd.status == "UNKNOWN" and odd.attempts == 0 and odd.kind == "unknown"


@pytest.mark.parametrize(("today", "months", "expected"), [
    (date(2026, 11, 18), 2, (2026, 9)), (date(2026, 1, 5), 2, (2025, 11)), (date(2026, 3, 1), 14, (2025, 1)),
])
def test_months_back(today, months, expected):
    assert months_back(today, months) == expected


def test_windows_read_this_month_first_then_back_to_january_last_year():
    today = date(2026, 11, 18)
    assert first_window(today) == (2026, 11)
    assert second_window(today) == (2025, 1)
    listing = InvoiceListing([], (2025, 1))
    assert listing.covers((2025, 1)) and listing.covers((2026, 9))
    assert not listing.covers((2024, 1)) and not listing.covers(None)
    assert InvoiceListing([], None).covers(None)


def test_filters_combine_year_kind_status_and_text():
    invoices = [summary(1, year=2026), summary(2, year=2025, status="FAILED"),
                summary(3, year=2025, kind="monthly", status="PENDING", total=123456), summary(4, year=2024)]
    listing = InvoiceListing(invoices, None)
    assert [i.invoice_id for i in listing.invoices] == ["id1", "id3", "id2", "id4"]  # newest first
    assert {i.invoice_id for i in listing.select(InvoiceFilter(year=2025))} == {"id2", "id3"}
    assert [i.invoice_id for i in listing.select(InvoiceFilter(kind="monthly"))] == ["id3"]
    assert [i.invoice_id for i in listing.select(InvoiceFilter(status="FAILED"))] == ["id2"]
    assert [i.invoice_id for i in listing.select(InvoiceFilter(text="$1,234.56"))] == ["id3"]
    assert [i.invoice_id for i in listing.select(InvoiceFilter(text="000-002"))] == ["id2"]
    assert listing.select(InvoiceFilter(year=2025, status="PAID")) == []
    assert listing.years() == [2026, 2025, 2024]


@pytest.mark.parametrize(("text", "expected"), [("2026-01", (2026, 1)), ("2025", (2025, 1)), (" 2024-12 ", (2024, 12))])
def test_parse_month(text, expected):
    assert parse_month(text) == expected


@given(st.text(max_size=12))
def test_parse_month_never_crashes(text):
    try:
        year, month = parse_month(text)
    except ValueError as exc:
        assert "YYYY-MM" in str(exc)
    else:
        assert 2000 <= year <= 9999 and 1 <= month <= 12


def test_attempts_name_the_payment_method_or_say_it_was_removed():
    attempts = [models.ChargerAttempt(ticket=0, successful=False, payment_method_id="pm_1"),
                models.ChargerAttempt(ticket=1, successful=True, payment_method_id="pm_gone")]
    assert attempt_lines(attempts, {"pm_1": "Visa ··4242"}) == [
        "#1  failed     Visa ··4242", "#2  succeeded  pm_gone (removed)"]


def test_csv_and_json_exports_carry_cents_and_formatted_money():
    records = [export.invoice_record(summary(1, total=123456))]
    rows = list(csv.DictReader(io.StringIO(export.render(records, export.INVOICE_FIELDS, "csv"))))
    assert rows[0]["total_cents"] == "123456" and rows[0]["total"] == "$1,234.56"
    assert rows[0]["invoice_number"] == "100-000-000-001" and rows[0]["status"] == "PAID"
    document = json.loads(export.render(records, export.INVOICE_FIELDS, "json", key="invoices"))
    assert document["invoices"][0]["total_cents"] == 123456
    line = models.InvoiceLine(description="Chat grok-4", unit_type="Prompt text tokens", num_units=10, unit_price=3,
                              amount=1087)
    (record,) = export.line_records("N-1", [line])
    assert record["amount_cents"] == 1087 and record["amount"] == "$10.87" and record["unit_price"] == 3


def test_write_file_never_overwrites_unless_asked(tmp_path):
    target = tmp_path / "out.csv"
    assert export.write_file(target, "a\n") == target.resolve()
    with pytest.raises(FileExistsError):
        export.write_file(target, "b\n")
    assert target.read_text() == "a\n"
    export.write_file(target, "b\n", overwrite=True)
    assert target.read_text() == "b\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]  # no temporary file left behind


def test_default_export_name_is_a_safe_file_name():
    assert export.default_name("Lumen Labs / EU", "invoices", "csv", "2026-11-18") == \
        "xconsole-lumen-labs-eu-invoices-2026-11-18.csv"


def info(**changes) -> models.BillingInfo:
    values = {"name": "Lumen Labs LLC", "email": "ap@lumen.example", "line1": "500 Howard St", "line2": "",
              "city": "San Francisco", "state": "CA", "postal_code": "94105", "country": "US",
              "tax_id_type": "us_ein", "tax_number": "84-1234567"}
    values.update(changes)
    return billing_info.build(values)


@pytest.mark.parametrize(("changes", "field"), [
    ({"email": "ap@"}, "email"), ({"email": "a b@c.d"}, "email"), ({"country": "XX"}, "country"),
    ({"country": ""}, "country"), ({"name": ""}, "name"), ({"tax_id_type": ""}, "tax_id_type"),
    ({"line1": "x" * 201}, "line1"), ({"city": "a\nb"}, "city"),
])
def test_billing_details_problems_name_their_field(changes, field):
    assert field in billing_info.problems(info(**changes))


def test_valid_billing_details_and_optional_tax_id():
    assert billing_info.problems(info()) == {}
    assert billing_info.problems(info(tax_id_type="", tax_number="")) == {}
    assert billing_info.problems(info(country="de")) == {}  # codes are upper-cased
    assert billing_info.country_name("DE") == "Germany"
    diff = billing_info.changes(info(), info(city="Oakland"))
    assert diff == [("City", "San Francisco", "Oakland")]
    assert billing_info.form_field("billingInfo.address.country") == "country"


def test_an_unpaid_invoice_blames_a_card_only_if_it_had_expired_by_the_charge():
    from xconsole.core.invoices import unpaid_note

    card = models.PaymentMethod.model_validate({"paymentMethodId": "pm1", "cardDetails": {
        "brand": "visa", "last4": "1881", "expMonth": 10, "expYear": 2026}})
    invoice = models.InvoiceBundle.model_validate({
        "invoiceId": "i1", "invoiceStatus": "FAILED", "createTime": "2026-11-01T00:05:00Z",
        "monthly": {"billingCycle": {"year": 2026, "month": 10}},
        "chargerAttempts": [{"ticket": 1, "successful": False, "paymentMethodId": "pm1"}]})
    url = "https://console.x.ai/team/t/billing"
    assert "(the card had expired, 10/26)" in unpaid_note(invoice, [card], date(2026, 11, 20), url)
    earlier = invoice.model_copy(update={"create_time": datetime(2026, 10, 1, tzinfo=timezone.utc)})
    assert "(the card has expired since, 10/26)" in unpaid_note(earlier, [card], date(2026, 11, 20), url)
    assert "expired" not in unpaid_note(earlier, [card], date(2026, 10, 15), url)
    assert unpaid_note(invoice.model_copy(update={"invoice_status": models.InvoiceStatus.PAID}), [card],
                       date(2026, 11, 20), url) is None
