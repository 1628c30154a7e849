"""Console-only features as sandbox extension endpoints (design.md section 5).

The real Management API answers 404 on every one of these paths.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from xconsole.core import models
from xconsole.sandbox.deps import Sandbox, caller, sandbox
from xconsole.sandbox.keys import BILLING_READ, BILLING_WRITE, Caller

router = APIRouter(prefix="/v1/billing/teams/{team_id}", tags=["sandbox-only: console features"])
Svc = Annotated[Sandbox, Depends(sandbox)]
Who = Annotated[Caller, Depends(caller)]


@router.get("/auto-top-up", response_model=models.AutoTopUpEnvelope)
def get_auto_top_up(team_id: str, svc: Svc, who: Who) -> models.AutoTopUpEnvelope:
    who.check(team_id, BILLING_READ)
    return models.AutoTopUpEnvelope(auto_top_up=svc.billing.auto_top_up(team_id))


@router.post("/auto-top-up", response_model=models.AutoTopUpEnvelope)
def set_auto_top_up(team_id: str, body: models.AutoTopUpSettingsEnvelope, svc: Svc, who: Who) -> models.AutoTopUpEnvelope:
    who.check(team_id, BILLING_WRITE)
    return models.AutoTopUpEnvelope(auto_top_up=svc.billing.set_auto_top_up(team_id, body.auto_top_up, actor=who.actor))


@router.post("/promo-codes", response_model=models.TopUpResponse, response_model_exclude_none=True)
def redeem_promo_code(team_id: str, body: models.PromoCodeRequest, svc: Svc, who: Who) -> models.TopUpResponse:
    who.check(team_id, BILLING_WRITE)
    return models.TopUpResponse(change=svc.billing.redeem_promo_code(team_id, body.code, actor=who.actor))


@router.post("/payment-method", response_model=models.PaymentMethodEnvelope)
def add_payment_method(team_id: str, body: models.AddCardRequest, svc: Svc, who: Who) -> models.PaymentMethodEnvelope:
    who.check(team_id, BILLING_WRITE)
    return models.PaymentMethodEnvelope(payment_method=svc.billing.add_card(team_id, body.card, actor=who.actor))


@router.delete("/payment-method/{payment_method_id}", response_model=models.EmptyMessage)
def remove_payment_method(team_id: str, payment_method_id: str, svc: Svc, who: Who) -> dict:
    who.check(team_id, BILLING_WRITE)
    svc.billing.remove_payment_method(team_id, payment_method_id, actor=who.actor)
    return {}


@router.get("/invoiced-billing", response_model=models.InvoicedBilling)
def get_invoiced_billing(team_id: str, svc: Svc, who: Who) -> models.InvoicedBilling:
    who.check(team_id, BILLING_READ)
    return svc.billing.invoiced_billing(team_id)


@router.post("/invoiced-billing", response_model=models.InvoicedBilling)
def request_invoiced_billing(team_id: str, body: models.InvoicedBillingAction, svc: Svc, who: Who) -> models.InvoicedBilling:
    who.check(team_id, BILLING_WRITE)
    return svc.billing.request_invoiced_billing(team_id, body.action, actor=who.actor)
