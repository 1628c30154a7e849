"""The finance export's reconciliation: what it calls a mismatch, and what is only rounding."""

from types import SimpleNamespace as NS

from xconsole.core import models
from xconsole.core.finance_export import reconcile


def invoice(kind, subtotal, lines=(), status=models.InvoiceStatus.PAID, attempts=()):
    return NS(kind=kind, subtotal=subtotal, total=subtotal, invoice_status=status, charger_attempts=list(attempts),
              lines=[NS(amount=a) for a in lines], invoice_number=f"{kind}-{subtotal}", invoice_id="inv")


def purchase(cents, origin=models.ChangeOrigin.PURCHASE, pending=False):
    return NS(credit_cents=cents, change_origin=origin, is_pending=pending, is_failed=False)


def test_purchases_and_usage_that_agree_are_ok_and_a_cent_per_model_is_rounding():
    month = [invoice("prepaid", 5000), invoice("prepaid", 2500), invoice("monthly", 0, lines=(4000, 1001))]
    ledger = [purchase(5000), purchase(2500, models.ChangeOrigin.AUTO_PURCHASE), purchase(1000, models.ChangeOrigin.MANUAL),
              purchase(9900, pending=True)]
    result = reconcile(month, ledger, [("grok-4", 4000), ("grok-3", 1000)])
    assert result["state"] == "OK" and result["ledger_purchases_cents"] == 7500 and result["problems"] == []


def test_disagreeing_figures_are_a_mismatch_and_usage_without_a_monthly_invoice_is_not_compared():
    result = reconcile([invoice("prepaid", 5000), invoice("monthly", 0, lines=(4000,))], [purchase(2500)],
                       [("grok-4", 4100)])
    assert result["state"] == "MISMATCH"
    assert result["problems"] == ["ledger purchases $25.00 but prepaid invoices $50.00",
                                  "usage $41.00 but the monthly invoice lists $40.00"]
    in_progress = reconcile([invoice("prepaid", 5000)], [purchase(5000)], [("grok-4", 12345)])
    assert in_progress["state"] == "OK" and in_progress["monthly_invoice_lines_cents"] is None
