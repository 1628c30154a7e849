"""The real billing endpoints (reference section 2), with the real paths and shapes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse

from xconsole.core import models
from xconsole.sandbox.deps import Sandbox, caller, sandbox
from xconsole.sandbox.keys import BILLING_READ, BILLING_WRITE, Caller

router = APIRouter(prefix="/v1/billing/teams/{team_id}", tags=["Management API: billing (real shape)"])
Svc = Annotated[Sandbox, Depends(sandbox)]
Who = Annotated[Caller, Depends(caller)]
EXCLUDE_NONE = {"response_model_exclude_none": True}


@router.get("/billing-info", response_model=models.BillingInfoEnvelope)
def get_billing_info(team_id: str, svc: Svc, who: Who) -> models.BillingInfoEnvelope:
    who.check(team_id, BILLING_READ)
    return models.BillingInfoEnvelope(billing_info=svc.billing.get_billing_info(team_id))


@router.post("/billing-info", response_model=models.EmptyMessage)
def set_billing_info(team_id: str, body: models.BillingInfoEnvelope, svc: Svc, who: Who) -> dict:
    who.check(team_id, BILLING_WRITE)
    svc.billing.set_billing_info(team_id, body.billing_info, actor=who.actor)
    return {}


@router.get("/invoices", response_model=models.InvoiceList, **EXCLUDE_NONE)
def list_invoices(
    team_id: str,
    svc: Svc,
    who: Who,
    cycle_year: Annotated[int | None, Query(alias="billingCycle.year", ge=1, le=9999)] = None,
    cycle_month: Annotated[int | None, Query(alias="billingCycle.month", ge=1, le=12)] = None,
    since_year: Annotated[int | None, Query(alias="since.year", ge=1, le=9999)] = None,
    since_month: Annotated[int | None, Query(alias="since.month", ge=1, le=12)] = None,
    invoice_ids: Annotated[list[str] | None, Query(alias="invoiceIds.invoiceIds")] = None,
) -> JSONResponse:
    who.check(team_id, BILLING_READ)
    cycle = (cycle_year, cycle_month or 1) if cycle_year else None
    since = (since_year, since_month or 1) if since_year else None
    invoices = svc.billing.list_invoices(team_id, cycle=cycle, since=since, invoice_ids=invoice_ids)
    # Returned as-is: 10,000 invoices must not be re-validated through pydantic on the way out.
    return JSONResponse({"invoices": invoices})


@router.get("/payment-method", response_model=models.PaymentMethodList)
def list_payment_methods(team_id: str, svc: Svc, who: Who) -> models.PaymentMethodList:
    who.check(team_id, BILLING_READ)
    return svc.billing.list_payment_methods(team_id)


@router.post("/payment-method/default", response_model=models.EmptyMessage)
def set_default_payment_method(team_id: str, body: models.SetDefaultPaymentMethodRequest, svc: Svc, who: Who) -> dict:
    who.check(team_id, BILLING_WRITE)
    svc.billing.set_default_payment_method(team_id, body.payment_method_id, actor=who.actor)
    return {}


@router.get("/postpaid/invoice/preview", response_model=models.InvoicePreview, **EXCLUDE_NONE)
def invoice_preview(team_id: str, svc: Svc, who: Who) -> models.InvoicePreview:
    who.check(team_id, BILLING_READ)
    return svc.billing.invoice_preview(team_id)


@router.get("/postpaid/spending-limits", response_model=models.SpendingLimitsEnvelope, **EXCLUDE_NONE)
def spending_limits(team_id: str, svc: Svc, who: Who) -> models.SpendingLimitsEnvelope:
    who.check(team_id, BILLING_READ)
    return models.SpendingLimitsEnvelope(spending_limits=svc.billing.spending_limits(team_id))


@router.post("/postpaid/spending-limits", response_model=models.SetSoftSpendingLimitResponse)
def set_spending_limit(
    team_id: str, body: models.SetSoftSpendingLimitRequest, svc: Svc, who: Who
) -> models.SetSoftSpendingLimitResponse:
    who.check(team_id, BILLING_WRITE)
    applied = svc.billing.set_soft_limit(team_id, body.desired_soft_spending_limit.val, actor=who.actor)
    return models.SetSoftSpendingLimitResponse(this_bp_soft_spending_limit=models.Cent.of(applied))


@router.get("/prepaid/balance", response_model=models.PrepaidBalance, **EXCLUDE_NONE)
def prepaid_balance(team_id: str, svc: Svc, who: Who) -> models.PrepaidBalance:
    who.check(team_id, BILLING_READ)
    return svc.billing.prepaid_balance(team_id)


@router.post(
    "/prepaid/top-up",
    response_model=models.TopUpResponse,
    description="Real endpoint. The sandbox also accepts `paymentMethodId` and `method` (CARD | BANK_TRANSFER) "
    "and honours an `Idempotency-Key` header: extensions the real API does not document.",
    **EXCLUDE_NONE,
)
def top_up(
    team_id: str,
    body: models.TopUpRequest,
    svc: Svc,
    who: Who,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> models.TopUpResponse:
    who.check(team_id, BILLING_WRITE)
    change = svc.billing.top_up(
        team_id, body.amount.val, method=body.method, pm_id=body.payment_method_id, idempotency_key=idempotency_key,
        actor=who.actor,
    )
    return models.TopUpResponse(change=change)


@router.post(
    "/usage",
    response_model=models.UsageResponse,
    description="Real endpoint. Time units HOUR, DAY, CALENDAR_WEEK, MONTH and NONE, in UTC buckets. At most 744 "
    "hourly buckets (31 days: 28 days of hours are one request) or 400 coarser ones per request, else 400: "
    "the real API documents no cap, these are the sandbox's choice [C].",
    **EXCLUDE_NONE,
)
def usage(team_id: str, body: models.UsageRequest, svc: Svc, who: Who) -> JSONResponse:
    who.check(team_id, BILLING_READ)
    # Returned as-is, like invoices: a 28-day hourly answer is 672 points a series, already wire JSON.
    return JSONResponse(svc.billing.usage(team_id, body.analytics_request))
