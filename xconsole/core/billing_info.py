"""Billing address and tax information: what a valid one looks like, shared by the form and the
sandbox (which must refuse what the form refuses), plus the country and tax-ID lists."""

from __future__ import annotations

import re
from functools import cache

from xconsole.core import models

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
MAX_LENGTH = 200
#: Stripe's tax-ID type names (the API's `taxIdType`, reference 2.1): the common ones, with labels.
#: [C] our selection; a type the server holds that is not listed here is kept and shown as is.
TAX_ID_TYPES: dict[str, str] = {
    "us_ein": "United States EIN",
    "eu_vat": "European VAT number",
    "gb_vat": "United Kingdom VAT number",
    "ch_vat": "Switzerland VAT number",
    "no_vat": "Norway VAT number",
    "ca_bn": "Canada business number",
    "ca_gst_hst": "Canada GST/HST number",
    "au_abn": "Australia business number",
    "nz_gst": "New Zealand GST number",
    "in_gst": "India GST number",
    "jp_cn": "Japan corporate number",
    "kr_brn": "South Korea business number",
    "sg_uen": "Singapore UEN",
    "sg_gst": "Singapore GST",
    "hk_br": "Hong Kong BR number",
    "br_cnpj": "Brazil CNPJ",
    "mx_rfc": "Mexico RFC",
    "za_vat": "South Africa VAT number",
    "ae_trn": "United Arab Emirates TRN",
    "sa_vat": "Saudi Arabia VAT",
    "il_vat": "Israel VAT",
    "tr_tin": "Turkey TIN",
    "eu_oss_vat": "European One Stop Shop VAT",
}
#: (form field id, wire path used in API errors, label)
FIELDS = (
    ("name", "billingInfo.name", "Name"),
    ("email", "billingInfo.email", "Email"),
    ("line1", "billingInfo.address.line1", "Address"),
    ("line2", "billingInfo.address.line2", "Address line 2"),
    ("city", "billingInfo.address.city", "City"),
    ("state", "billingInfo.address.state", "State / region"),
    ("postal_code", "billingInfo.address.postalCode", "Postal code"),
    ("country", "billingInfo.address.country", "Country"),
    ("tax_id_type", "billingInfo.taxIdType", "Tax ID type"),
    ("tax_number", "billingInfo.taxNumber", "Tax ID number"),
)


@cache
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> English name, sorted by name."""
    import pycountry  # ~30 ms of JSON: only when an address is edited or checked

    pairs = sorted(((c.alpha_2, getattr(c, "common_name", c.name)) for c in pycountry.countries), key=lambda p: p[1])
    return dict(pairs)


def country_name(code: str) -> str | None:
    return countries().get(code.strip().upper())


def flatten(info: models.BillingInfo) -> dict[str, str]:
    """The form's view: one string per field."""
    a = info.address
    return {"name": info.name, "email": info.email, "line1": a.line1, "line2": a.line2, "city": a.city,
            "state": a.state, "postal_code": a.postal_code, "country": a.country,
            "tax_id_type": info.tax_id_type, "tax_number": info.tax_number}


def build(values: dict[str, str]) -> models.BillingInfo:
    v = {k: (values.get(k) or "").strip() for k, _w, _l in FIELDS}
    return models.BillingInfo(
        name=v["name"], email=v["email"],
        address=models.Address(line1=v["line1"], line2=v["line2"], city=v["city"], state=v["state"],
                               postal_code=v["postal_code"], country=v["country"].upper()),
        tax_id_type=v["tax_id_type"] if v["tax_number"] else "", tax_number=v["tax_number"],
    )


def problems(info: models.BillingInfo) -> dict[str, str]:
    """Form field id -> what is wrong with it; empty when the details can be saved."""
    found: dict[str, str] = {}
    values = flatten(info)
    for field, _wire, label in FIELDS:
        value = values[field]
        if len(value) > MAX_LENGTH:
            found[field] = f"{label} is too long (at most {MAX_LENGTH} characters)"
        elif any(ord(ch) < 32 for ch in value):
            found[field] = f"{label} cannot contain control characters or line breaks"
    if not info.name.strip() and "name" not in found:
        found["name"] = "Enter the name to put on invoices (a person or the organisation)"
    if info.email and "email" not in found and not EMAIL_RE.match(info.email):
        found["email"] = "Not an email address (name@example.com)"
    country = info.address.country
    if country and "country" not in found and country_name(country) is None:
        found["country"] = f"{country} is not an ISO 3166 country code (e.g. US, DE, GB)"
    has_address = any(values[f] for f in ("line1", "city", "postal_code"))
    if has_address and not country and "country" not in found:
        found["country"] = "Choose the country of this address"
    if info.tax_number and not info.tax_id_type:
        found["tax_id_type"] = "Choose the type of this tax ID"
    return found


def wire_field(field: str) -> str:
    return next(w for f, w, _l in FIELDS if f == field)


def form_field(wire: str | None) -> str | None:
    """The form field an API error names (`billingInfo.address.country` -> `country`)."""
    return next((f for f, w, _l in FIELDS if w == wire), None)


def changes(old: models.BillingInfo, new: models.BillingInfo) -> list[tuple[str, str, str]]:
    """(label, old, new) of every field that differs."""
    before, after = flatten(old), flatten(new)
    return [(label, before[f], after[f]) for f, _w, label in FIELDS if before[f] != after[f]]
