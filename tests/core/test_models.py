"""Wire-shape quirks of the real API (reference 1.2, 1.3) read and written correctly."""

from xconsole.core import models
from tests.fixtures import reference as ref


def test_int64_accepted_as_string_and_number_and_written_as_string():
    line = models.InvoiceLine.model_validate({"numUnits": "908", "amount": 619})
    assert line.num_units == 908 and line.amount == 619
    assert line.wire()["amount"] == "619"
    assert models.Cent.model_validate({"val": -250}).val == -250


def test_null_and_absent_are_both_accepted():
    absent = models.PaymentMethodList.model_validate({})
    null = models.PaymentMethodList.model_validate({"paymentMethods": None, "pendingPaymentMethod": None})
    assert absent.payment_methods == null.payment_methods == []
    pm = models.PaymentMethod.model_validate({"cardDetails": None, "billingInfo": {"name": None}})
    assert pm.card_details is None and pm.billing_info.name == ""


def test_inverted_ledger_sign():
    balance = models.PrepaidBalance.model_validate({"changes": [], "total": {"val": "-250"}})
    assert balance.posted_remaining_cents == 250  # $2.50 left
    ledger = models.PrepaidBalance.model_validate(ref.PREPAID_BALANCE)
    purchase, spend = ledger.changes
    assert purchase.credit_cents == 2500 and spend.credit_cents == -2250


def test_live_balance_from_the_preview_not_the_ledger():
    preview = models.InvoicePreview.model_validate(ref.PREVIEW)
    assert preview.live_balance_cents == 3125  # $50.00 prepaid, $18.75 used
    assert preview.month_to_date_spend_cents == 1875
    assert preview.beyond_prepaid_cents == 0
    assert preview.effective_spending_limit == 10000


def test_usage_beyond_prepaid_is_billed_at_month_end():
    preview = models.InvoicePreview.model_validate(
        {"coreInvoice": {"totalWithCorr": {"val": "7000"}, "prepaidCredits": {"val": "-5000"},
                         "prepaidCreditsUsed": {"val": "-5000"}}}
    )
    assert preview.live_balance_cents == 0
    assert preview.beyond_prepaid_cents == 2000


def test_enums_tolerate_unknown_values_and_the_documented_misspelling():
    change = models.PrepaidBalanceChange.model_validate(
        {"changeOrigin": "SOMETHING_NEW", "topupStatus": "FAILED_TO_GEMNERATE_INVOICE"}
    )
    assert change.change_origin is models.ChangeOrigin.UNKNOWN
    assert change.topup_status is models.TopupStatus.FAILED_TO_GENERATE_INVOICE
    assert change.is_failed
    invoice = models.InvoiceBundle.model_validate({"invoiceStatus": "BRAND_NEW"})
    assert invoice.invoice_status is models.InvoiceStatus.UNKNOWN


def test_validation_accepts_the_redacted_key_typo_and_discovers_team():
    typo = models.ManagementKey.model_validate({"reactedApiKey": "xai-...r42q", "scope": "SCOPE_TEAM", "scopeId": "t1"})
    assert typo.redacted_api_key == "xai-...r42q"
    assert typo.discovered_team_id == "t1"
    org = models.ManagementKey.model_validate({"scope": "SCOPE_ORGANIZATION", "scopeId": "org1"})
    assert org.discovered_team_id is None
    deprecated = models.ManagementKey.model_validate(ref.VALIDATION)
    assert deprecated.discovered_team_id == ref.TEAM


def test_invoice_kind_and_period():
    invoice = models.InvoiceList.model_validate(ref.INVOICES).invoices[0]
    assert invoice.kind == "monthly" and invoice.period == "2025-05"
    prepaid = models.InvoiceBundle.model_validate({"prepaid": {}, "createTime": "2025-03-02T00:00:00Z"})
    assert prepaid.kind == "prepaid" and prepaid.period == "2025-03"


def test_wire_round_trip_of_every_reference_example():
    pairs = [
        (models.BillingInfoEnvelope, ref.BILLING_INFO),
        (models.InvoiceList, ref.INVOICES),
        (models.PaymentMethodList, ref.PAYMENT_METHODS),
        (models.InvoicePreview, ref.PREVIEW),
        (models.SpendingLimitsEnvelope, ref.SPENDING_LIMITS),
        (models.PrepaidBalance, ref.PREPAID_BALANCE),
        (models.TopUpResponse, ref.TOP_UP_RESPONSE),
        (models.UsageResponse, ref.USAGE_RESPONSE),
        (models.ManagementKey, ref.VALIDATION),
        (models.ApiKey, ref.API_KEY_CREATED),
        (models.ApiKeyList, ref.API_KEY_LIST),
        (models.AuditEventList, ref.AUDIT_EVENTS),
    ]
    for model, payload in pairs:
        parsed = model.model_validate(payload)
        again = model.model_validate(parsed.wire())
        assert again == parsed, model.__name__


def test_payment_method_label_never_shows_more_than_last4():
    pm = models.PaymentMethodList.model_validate(ref.PAYMENT_METHODS).payment_methods[0]
    assert pm.label() == "Visa ··4242"
    assert models.CardInput(number="4242424242424242", exp_month=1, exp_year=2030, cvc="123").__repr__().count("4242424242424242") == 0


def test_usage_points_read_null_as_unset_without_the_per_object_validator():
    # DataPoint overrides the base's null-stripping validator (672 points a team): its own fields
    # must still read null and absence as unset.
    from xconsole.core.models import UsageResponse

    body = (b'{"timeSeries":[{"group":null,"dataPoints":[{"timestamp":null,"values":null},{},'
            b'{"timestamp":"2026-11-01T00:00:00Z","values":[1.5],"extra":null}]}],"limitReached":null}')
    points = UsageResponse.model_validate_json(body).time_series[0].data_points
    assert [(p.timestamp is None, p.values) for p in points] == [(True, []), (True, []), (False, [1.5])]
