"""TeamActions, every billing write of one team, on the two servers it must work on: the embedded
sandbox (every write exists) and a server speaking only the real Management API (the strict
stand-in, which records every request: console-only writes must say so and send nothing).

No test waits on time: the ledger is followed after a card purchase with zero pauses."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from xconsole.cli.options import Options
from xconsole.cli.wiring import sandbox_session
from xconsole.core import errors, models, purchase
from xconsole.core.actions import (
    CONSOLE_ONLY,
    TYPE_NAME_FROM_CENTS,
    AutoTopUpSaved,
    BillingDetailsSaved,
    CardAdded,
    DefaultChanged,
    InvoicedRequested,
    LimitSet,
    MethodRemoved,
    PromoRedeemed,
    TeamActions,
    Write,
    describe_error,
)
from xconsole.core.client import ManagementClient
from xconsole.core.config import Config, Settings
from xconsole.core.credentials import MemoryKeyStore
from xconsole.core.purchase import Purchase, PurchaseState
from xconsole.core.session import Session, TeamHandle
from xconsole.core.teams import TeamRegistry
from xconsole.sandbox.embedded import BASE_URL
from tests.fixtures import reference as ref
from tests.fixtures.strict_api import PM_DEFAULT, PM_OTHER, StrictApi
from tests.tui.harness import DelayTransport, embedded

URL = "https://management-api.x.ai:443"
CONSOLE_URL = f"https://console.x.ai/team/{ref.TEAM}/billing"
EVERY_WRITE = list(Write)


@pytest.fixture(autouse=True)
def quick_follow(monkeypatch):
    """A charging card purchase is followed in the ledger without the real pauses between reads."""
    monkeypatch.setattr(purchase, "FOLLOW_DELAYS_S", (0.0, 0.0, 0.0))


@dataclass
class Heard:
    """What `on_finished` was told: (write, outcome, error) per finished write."""

    calls: list[tuple[Write, object, Exception | None]] = field(default_factory=list)

    def __call__(self, write: Write, outcome: object, error: Exception | None) -> None:
        self.calls.append((write, outcome, error))


# --------------------------------------------------------------------------- the two servers


@dataclass
class Sandbox:
    session: Session
    transport: DelayTransport  # records every request: `calls` as (method, path)

    def team(self, slug: str) -> TeamHandle:
        return next(t for t in self.session.teams if t.name.lower().startswith(slug))

    async def actions(self, slug: str, heard: Heard | None = None) -> TeamActions:
        return await self.session.actions_for(self.team(slug), on_finished=heard)

    async def methods(self, slug: str) -> list[models.PaymentMethod]:
        team = self.team(slug)
        return (await (await self.session.client_for(team)).list_payment_methods(team.team_id)).payment_methods

    def writes(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p in self.transport.calls if m != "GET"]


async def _sandbox(read_only: bool = False) -> Sandbox:
    sb = embedded()
    session = sandbox_session(Options(sandbox=True, read_only=read_only), sb)
    transport = DelayTransport(sb.transport)
    session.make_client = lambda key, _url: ManagementClient(key, BASE_URL, transport=transport, sandbox=True)
    return Sandbox(session, transport)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = await _sandbox()
    yield sb
    await sb.session.aclose()


@pytest.fixture
async def read_only_sandbox() -> AsyncIterator[Sandbox]:
    sb = await _sandbox(read_only=True)
    yield sb
    await sb.session.aclose()


@dataclass
class Real:
    api: StrictApi
    session: Session

    @property
    def team(self) -> TeamHandle:
        return self.session.teams[0]

    async def actions(self, heard: Heard | None = None) -> TeamActions:
        return await self.session.actions_for(self.team, on_finished=heard)

    async def methods(self) -> list[models.PaymentMethod]:
        return (await (await self.session.client_for(self.team)).list_payment_methods(ref.TEAM)).payment_methods

    def writes(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.api.requests if r.method != "GET"]


def _real(read_only: bool = False, **kw: object) -> Real:
    api = StrictApi(**kw)  # type: ignore[arg-type]
    transport = api.transport()
    session = Session([TeamHandle("Prod", ref.TEAM, "keyring")], MemoryKeyStore({ref.TEAM: ref.KEY}),
                      lambda key, _url: ManagementClient(key, URL, transport=transport), read_only=read_only)
    return Real(api, session)


@pytest.fixture
async def real() -> AsyncIterator[Real]:
    r = _real()
    yield r
    await r.session.aclose()
    assert r.api.extension_requests == []  # nothing sandbox-only ever reached the real API


@pytest.fixture
async def read_only_real() -> AsyncIterator[Real]:
    r = _real(read_only=True)
    yield r
    await r.session.aclose()
    assert r.api.extension_requests == []


def card(number: str = "4242 4242 4242 4242") -> models.CardInput:
    return models.CardInput(number=number, exp_month=12, exp_year=2030, cvc="123", name="A. Admin")


AUTO = models.AutoTopUpSettings(enabled=True, threshold=models.Cent.of(5_000), amount=models.Cent.of(10_000),
                                monthly_limit=models.Cent.of(50_000))


def address_info(**address: str) -> models.BillingInfo:
    base = {"line1": "1 Main St", "city": "Springfield", "state": "IL", "postal_code": "62701", "country": "US"}
    return models.BillingInfo(name="Prod Inc.", email="ap@prod.example", address=models.Address(**{**base, **address}))


# --------------------------------------------------------------------------- sandbox: every write


async def test_sandbox_buy_is_a_purchase_that_says_what_it_bought(sandbox):
    heard = Heard()
    actions = await sandbox.actions("lumen", heard)
    steps: list[str] = []
    done = await actions.buy(2_500, on_progress=steps.append)
    assert isinstance(done, Purchase) and done.state is PurchaseState.BOUGHT and done.created
    assert done.message() == "$25.00 of credits bought." and done.severity == "information"
    assert steps[:2] == ["Reading the ledger…", "Sending…"]
    assert heard.calls == [(Write.BUY, done, None)]
    assert sandbox.writes() == [("POST", f"/v1/billing/teams/{actions.team_id}/prepaid/top-up")]


async def test_sandbox_buy_by_bank_transfer_is_pending_and_says_so(sandbox):
    actions = await sandbox.actions("lumen")
    done = await actions.buy(5_000, bank_transfer=True)
    assert done.state is PurchaseState.BANK_TRANSFER and done.severity == "information"
    assert done.message() == "Purchase of $50.00 is pending: bank transfer, credits granted after 2–3 business days."


async def test_sandbox_buy_with_a_chosen_card_charges_that_card(sandbox):
    actions = await sandbox.actions("lumen")
    other = next(m for m in await sandbox.methods("lumen") if not m.is_default)
    done = await actions.buy(2_500, payment_method_id=other.payment_method_id)
    assert done.state is PurchaseState.BOUGHT
    sent = [r for r in sandbox.transport.requests if r.method == "POST"]
    assert len(sent) == 1 and json.loads(sent[0].content)["paymentMethodId"] == other.payment_method_id


async def test_sandbox_buy_under_the_minimum_sends_nothing(sandbox):
    actions = await sandbox.actions("lumen")
    with pytest.raises(errors.Validation) as refused:
        await actions.buy(2_499)
    assert refused.value.field == "amount" and "$25.00" in refused.value.message
    assert sandbox.transport.calls == []


async def test_sandbox_promo_code_is_applied_once_and_a_second_use_is_refused(sandbox):
    heard = Heard()
    actions = await sandbox.actions("lumen", heard)
    done = await actions.redeem_promo("  WELCOME25 ")
    assert isinstance(done, PromoRedeemed) and done.severity == "information"
    assert done.message() == "promo code applied, +$25.00 in credits."
    with pytest.raises(errors.Conflict) as again:
        await actions.redeem_promo("WELCOME25")
    assert heard.calls == [(Write.PROMO, done, None), (Write.PROMO, None, again.value)]
    assert describe_error(again.value) == "Conflict: Promo code WELCOME25 was already redeemed by this team"


async def test_sandbox_empty_promo_code_is_refused_before_sending(sandbox):
    heard = Heard()
    actions = await sandbox.actions("lumen", heard)
    with pytest.raises(errors.Validation) as refused:
        await actions.redeem_promo("   ")
    assert refused.value.field == "code"
    assert sandbox.transport.calls == [] and heard.calls == []


async def test_sandbox_limit_applied_and_refused(sandbox):
    heard = Heard()
    helix = await sandbox.actions("helix", heard)
    done = await helix.set_limit(150_000)
    assert isinstance(done, LimitSet) and done.applied == 150_000 and done.severity == "information"
    assert done.message() == "invoiced billing limit is now $1,500.00."

    lumen = await sandbox.actions("lumen", heard)  # invoiced billing not enabled: the limit stays $0
    with pytest.raises(errors.Validation) as refused:
        await lumen.set_limit(10_000)
    assert "not enabled" in refused.value.message
    assert heard.calls == [(Write.LIMIT, done, None), (Write.LIMIT, None, refused.value)]


def test_a_limit_the_answer_does_not_state_is_a_warning():
    unsaid = LimitSet(asked=20_000, applied=None)
    assert unsaid.severity == "warning"
    assert unsaid.message().startswith("invoiced billing limit of $200.00 requested; the answer did not say")


async def test_sandbox_request_invoiced_billing(sandbox):
    heard = Heard()
    actions = await sandbox.actions("lumen", heard)
    done = await actions.request_invoiced()
    assert isinstance(done, InvoicedRequested) and done.status.status is models.InvoicedBillingState.REQUESTED
    assert done.message() == "monthly invoiced billing requested; xAI sales gets in touch."
    assert done.severity == "information" and heard.calls == [(Write.REQUEST_INVOICED, done, None)]


async def test_sandbox_auto_top_up_saved_disabled_and_refused_before_sending(sandbox):
    heard = Heard()
    actions = await sandbox.actions("orbit", heard)
    saved = await actions.save_auto_top_up(AUTO)
    assert isinstance(saved, AutoTopUpSaved) and saved.auto.enabled and saved.auto.amount.val == 10_000
    assert saved.message() == "auto top-up saved." and saved.severity == "information"
    off = await actions.save_auto_top_up(models.AutoTopUpSettings())
    assert off.message() == "auto top-up disabled."
    sent = len(sandbox.transport.calls)
    with pytest.raises(errors.Validation) as refused:
        await actions.save_auto_top_up(AUTO.model_copy(update={"amount": models.Cent.of(1_000)}))
    assert refused.value.field == "autoTopUp.amount"
    assert len(sandbox.transport.calls) == sent  # nothing sent for it
    assert heard.calls == [(Write.AUTO_TOP_UP, saved, None), (Write.AUTO_TOP_UP, off, None)]


async def test_sandbox_make_default(sandbox):
    heard = Heard()
    actions = await sandbox.actions("lumen", heard)
    other = next(m for m in await sandbox.methods("lumen") if not m.is_default)
    done = await actions.make_default(other)
    assert isinstance(done, DefaultChanged)
    assert done.message() == "Mastercard ··4444 is now the default payment method."
    assert heard.calls == [(Write.MAKE_DEFAULT, done, None)]
    assert actions.known_default(await sandbox.methods("lumen")).payment_method_id == other.payment_method_id


async def test_sandbox_add_card_and_a_declined_card(sandbox):
    heard = Heard()
    actions = await sandbox.actions("orbit", heard)
    added = await actions.add_card(card())
    assert isinstance(added, CardAdded) and added.message() == "Visa ··4242 added."
    assert added.method.payment_method_id in [m.payment_method_id for m in await sandbox.methods("orbit")]
    with pytest.raises(errors.Validation) as declined:
        await actions.add_card(card("4000 0000 0000 0002"))
    assert declined.value.message == "Your card was declined"
    assert heard.calls == [(Write.ADD_CARD, added, None), (Write.ADD_CARD, None, declined.value)]
    # The card number never reaches an error or an outcome's words.
    assert "4242424242424242" not in repr(added) + added.message() + describe_error(declined.value)


async def test_sandbox_remove_a_method_that_is_not_the_default(sandbox):
    heard = Heard()
    actions = await sandbox.actions("lumen", heard)
    methods = await sandbox.methods("lumen")
    other = next(m for m in methods if not m.is_default)
    done = await actions.remove_method(other, methods)
    assert isinstance(done, MethodRemoved) and done.successor is None
    assert done.message() == "Mastercard ··4444 removed."
    assert sandbox.writes() == [("DELETE", f"/v1/billing/teams/{actions.team_id}/payment-method/{other.payment_method_id}")]
    assert heard.calls == [(Write.REMOVE_METHOD, done, None)]


async def test_sandbox_remove_the_default_sets_the_successor_first_and_is_one_write(sandbox):
    heard = Heard()
    actions = await sandbox.actions("helix", heard)
    methods = await sandbox.methods("helix")
    default = actions.known_default(methods)
    bank = next(m for m in methods if m.us_bank_account_details is not None)  # not what the server would pick
    assert default is not None and actions.needs_typed_name(Write.REMOVE_METHOD, removes_default=True)
    done = await actions.remove_method(default, methods, successor=bank)
    billing = f"/v1/billing/teams/{actions.team_id}"
    assert sandbox.writes() == [("POST", f"{billing}/payment-method/default"),
                                ("DELETE", f"{billing}/payment-method/{default.payment_method_id}")]
    assert done.message() == f"{default.label()} removed; {bank.label()} is the default."
    assert heard.calls == [(Write.REMOVE_METHOD, done, None)]  # told once, not once per request
    left = await sandbox.methods("helix")
    assert default.payment_method_id not in [m.payment_method_id for m in left]
    assert actions.known_default(left).payment_method_id == bank.payment_method_id


async def test_sandbox_the_last_method_is_never_removed(sandbox):
    heard = Heard()
    actions = await sandbox.actions("orbit", heard)
    methods = await sandbox.methods("orbit")
    assert len(methods) == 1
    before = len(sandbox.transport.calls)
    with pytest.raises(errors.Validation, match="last payment method"):
        await actions.remove_method(methods[0], methods)
    assert len(sandbox.transport.calls) == before and sandbox.writes() == [] and heard.calls == []


async def test_sandbox_the_successor_must_be_another_method(sandbox):
    actions = await sandbox.actions("lumen")
    methods = await sandbox.methods("lumen")
    with pytest.raises(errors.Validation, match="another method"):
        await actions.remove_method(methods[0], methods, successor=methods[0])
    assert sandbox.writes() == []


async def test_sandbox_billing_details_saved_and_a_bad_country_refused(sandbox):
    heard = Heard()
    actions = await sandbox.actions("orbit", heard)
    info = address_info()
    done = await actions.save_billing_details(info)
    assert isinstance(done, BillingDetailsSaved) and done.info == info
    assert done.message() == "billing details saved. New invoices will show them." and done.severity == "information"
    client = await sandbox.session.client_for(sandbox.team("orbit"))
    assert (await client.get_billing_info(actions.team_id)).address.city == "Springfield"
    with pytest.raises(errors.Validation) as refused:
        await actions.save_billing_details(address_info(country="Germany"))
    assert refused.value.field and "country" in refused.value.field
    assert heard.calls == [(Write.BILLING_DETAILS, done, None), (Write.BILLING_DETAILS, None, refused.value)]


async def test_sandbox_every_write_is_available_and_the_methods_are_offered(sandbox):
    actions = await sandbox.actions("lumen")
    assert [await actions.unavailable(w) for w in EVERY_WRITE] == [None] * len(EVERY_WRITE)
    choices = await actions.payment_choices()
    assert choices is not None and [m.label() for m in choices] == ["Visa ··4242", "Mastercard ··4444"]
    assert actions.known_default(choices).label() == "Visa ··4242"
    assert sandbox.writes() == []


async def test_sandbox_read_only_refuses_every_write_and_sends_nothing(read_only_sandbox):
    sb = read_only_sandbox
    heard = Heard()
    actions = await sb.actions("lumen", heard)
    for write in EVERY_WRITE:
        assert await actions.unavailable(write) == f"Read-only mode: you cannot {write.value} (started with --read-only)."
    some_card = models.PaymentMethod(payment_method_id="pm_x", payment_type="card")
    another = models.PaymentMethod(payment_method_id="pm_y", payment_type="card")
    attempts = {
        Write.BUY: actions.buy(2_500),
        Write.PROMO: actions.redeem_promo("WELCOME25"),
        Write.LIMIT: actions.set_limit(0),
        Write.REQUEST_INVOICED: actions.request_invoiced(),
        Write.AUTO_TOP_UP: actions.save_auto_top_up(AUTO),
        Write.MAKE_DEFAULT: actions.make_default(some_card),
        Write.ADD_CARD: actions.add_card(card()),
        Write.REMOVE_METHOD: actions.remove_method(some_card, [some_card, another], successor=another),
        Write.BILLING_DETAILS: actions.save_billing_details(address_info()),
    }
    assert set(attempts) == set(Write)
    for write, attempt in attempts.items():
        with pytest.raises(errors.PermissionDenied) as refused:
            await attempt
        assert refused.value.message == f"Read-only mode: you cannot {write.value} (started with --read-only)"
    assert sb.transport.calls == [] and heard.calls == []


# --------------------------------------------------------------------------- the real API only


@pytest.mark.parametrize("write", sorted(CONSOLE_ONLY, key=lambda w: w.name))
async def test_real_api_console_only_writes_are_unavailable_with_the_console_url(real, write):
    actions = await real.actions()
    said = await actions.unavailable(write)
    # Named: the console link is this team's, and a toast may outlive a switch to another team.
    assert said == (f"{actions.team_name}: {CONSOLE_ONLY[write]} in the xAI console, not through the Management API: "
                    f"{CONSOLE_URL}")
    # Learning what the server is took at most the one key validation, a real route.
    assert [(r.method, r.path) for r in real.api.requests] == [("GET", "/auth/management-keys/validation")]
    assert await actions.unavailable(write) == said
    assert len(real.api.requests) == 1  # asked once, remembered


async def test_real_api_other_writes_are_available_without_a_request(real):
    actions = await real.actions()
    for write in set(Write) - set(CONSOLE_ONLY):
        assert await actions.unavailable(write) is None
    assert real.api.requests == []


async def test_real_api_console_only_writes_themselves_send_nothing(real):
    heard = Heard()
    actions = await real.actions(heard)
    methods = await real.methods()
    attempts = {
        Write.PROMO: actions.redeem_promo("WELCOME25"),
        Write.REQUEST_INVOICED: actions.request_invoiced(),
        Write.AUTO_TOP_UP: actions.save_auto_top_up(AUTO),
        Write.ADD_CARD: actions.add_card(card()),
        Write.REMOVE_METHOD: actions.remove_method(methods[0], methods),
    }
    assert set(attempts) == set(CONSOLE_ONLY)
    for write, attempt in attempts.items():
        with pytest.raises(errors.NotSupportedByApi) as refused:
            await attempt
        assert refused.value.console_url == CONSOLE_URL
        assert heard.calls[-1] == (write, None, refused.value)
        assert describe_error(refused.value).startswith("Console only: ")
    assert len(heard.calls) == len(attempts) and real.writes() == []


async def test_real_api_removing_the_default_changes_nothing(real):
    actions = await real.actions()
    methods = await real.methods()
    default = next(m for m in methods if m.payment_method_id == PM_DEFAULT)
    other = next(m for m in methods if m.payment_method_id == PM_OTHER)
    with pytest.raises(errors.NotSupportedByApi):
        await actions.remove_method(default, methods, successor=other)
    assert real.writes() == [] and real.api.default_pm == PM_DEFAULT


async def test_real_api_buy_charges_the_default_and_sends_exactly_the_amount_once(real):
    heard = Heard()
    actions = await real.actions(heard)
    assert await actions.payment_choices() is None  # the real API says not which method it charges
    done = await actions.buy(2_500)
    assert done.state is PurchaseState.BOUGHT and done.ledger_checks == 1
    assert done.message() == "$25.00 of credits bought."
    top_ups = real.api.sent("POST", "/prepaid/top-up")
    assert [json.loads(r.body) for r in top_ups] == [{"amount": {"val": "2500"}}]
    assert real.api.charged == [PM_DEFAULT] and heard.calls == [(Write.BUY, done, None)]


async def test_real_api_buy_while_a_top_up_is_pending_makes_no_new_charge():
    r = _real(settle_after_reads=None)
    try:
        actions = await r.actions()
        first = await actions.buy(2_500)
        assert first.state is PurchaseState.CHARGING and first.severity == "warning"
        assert first.message().startswith("Purchase of $25.00 is charging to the default payment method (ledger checked 3×)")
        second = await actions.buy(5_000)
        assert second.state is PurchaseState.ALREADY_PENDING and second.severity == "warning"
        assert "A top-up of $25.00 from" in second.message() and "no new charge was made" in second.message()
        assert len(r.api.sent("POST", "/prepaid/top-up")) == 2 and len(r.api.charged) == 1
        assert r.api.extension_requests == []
    finally:
        await r.session.aclose()


async def test_real_api_limit(real):
    actions = await real.actions()
    done = await actions.set_limit(30_000)
    assert done == LimitSet(30_000, 30_000) and done.message() == "invoiced billing limit is now $300.00."
    assert [json.loads(r.body) for r in real.api.sent("POST", "/spending-limits")] == [
        {"desiredSoftSpendingLimit": {"val": "30000"}}]


async def test_real_api_make_default_is_the_one_default_known(real):
    heard = Heard()
    actions = await real.actions(heard)
    methods = await real.methods()
    assert actions.known_default(methods) is None  # never guessed from the order
    other = next(m for m in methods if m.payment_method_id == PM_OTHER)
    done = await actions.make_default(other)
    assert done.message() == "Visa ··1111 is now the default payment method."
    assert actions.known_default(await real.methods()).payment_method_id == PM_OTHER
    assert real.api.default_pm == PM_OTHER and heard.calls == [(Write.MAKE_DEFAULT, done, None)]


async def test_real_api_billing_details_saved_and_refused_with_the_field(real):
    heard = Heard()
    actions = await real.actions(heard)
    done = await actions.save_billing_details(address_info())
    assert done.message() == "billing details saved. New invoices will show them."
    with pytest.raises(errors.Validation) as refused:
        await actions.save_billing_details(address_info(postal_code="00000"))
    assert refused.value.field == "billingInfo.address.postalCode"
    assert describe_error(refused.value) == "Invalid request: postal code does not exist"
    assert heard.calls == [(Write.BILLING_DETAILS, done, None), (Write.BILLING_DETAILS, None, refused.value)]
    assert len(real.api.sent("POST", "/billing-info")) == 2


async def test_real_api_read_only_refuses_every_write_and_sends_nothing(read_only_real):
    r = read_only_real
    heard = Heard()
    actions = await r.actions(heard)
    for write in EVERY_WRITE:
        assert (await actions.unavailable(write)).startswith(f"Read-only mode: you cannot {write.value}")
    one = models.PaymentMethod(payment_method_id=PM_OTHER, payment_type="card")
    two = models.PaymentMethod(payment_method_id=PM_DEFAULT, payment_type="card")
    for attempt in (actions.buy(2_500), actions.set_limit(0), actions.make_default(one),
                    actions.save_billing_details(address_info()), actions.redeem_promo("WELCOME25"),
                    actions.request_invoiced(), actions.save_auto_top_up(AUTO), actions.add_card(card()),
                    actions.remove_method(two, [one, two], successor=one)):
        with pytest.raises(errors.PermissionDenied, match="Read-only mode"):
            await attempt
    assert r.api.requests == [] and heard.calls == []


# --------------------------------------------------------------------------- the typed name


def test_large_purchases_and_removing_the_default_need_the_typed_name():
    actions = TeamActions(object(), ref.TEAM, "Prod", type_name_from=50_000)  # type: ignore[arg-type]
    assert not actions.needs_typed_name(Write.BUY, cents=49_999)
    assert actions.needs_typed_name(Write.BUY, cents=50_000)
    assert actions.needs_typed_name(Write.BUY, cents=1_000_000)
    assert actions.needs_typed_name(Write.REMOVE_METHOD, removes_default=True)
    assert not actions.needs_typed_name(Write.REMOVE_METHOD)
    assert not any(actions.needs_typed_name(w, cents=10**9) for w in set(Write) - {Write.BUY})
    assert actions.short_id == ref.TEAM[:8] and actions.console_url == CONSOLE_URL


def test_what_is_typed_is_the_name_or_for_a_team_with_none_its_short_id():
    from xconsole.core.teams import unnamed

    assert TeamActions(object(), ref.TEAM, "Prod").confirm_word == ("name", "Prod")  # type: ignore[arg-type]
    assert TeamActions(object(), ref.TEAM, unnamed(ref.TEAM)).confirm_word == ("ID", ref.TEAM[:8])  # type: ignore[arg-type]


def test_the_default_threshold_is_a_thousand_dollars():
    actions = TeamActions(object(), ref.TEAM, "Prod")  # type: ignore[arg-type]
    assert actions.type_name_from == TYPE_NAME_FROM_CENTS == 100_000
    assert not actions.needs_typed_name(Write.BUY, cents=99_999) and actions.needs_typed_name(Write.BUY, cents=100_000)


async def test_the_session_hands_its_threshold_and_read_only_to_the_actions():
    client_made = []

    def make_client(key: str, _url: str | None) -> ManagementClient:
        client_made.append(key)
        return ManagementClient(key, URL, transport=StrictApi().transport())

    team = TeamHandle("Prod", ref.TEAM, "keyring")
    registry = TeamRegistry(Config(settings=Settings(type_team_name_from=250)))
    configured = Session([team], MemoryKeyStore({ref.TEAM: ref.KEY}), make_client, registry=registry)
    assert configured.type_name_from == 25_000
    actions = await configured.actions_for(team)
    assert (actions.type_name_from, actions.read_only, actions.team_name, actions.team_id) == (25_000, False, "Prod", ref.TEAM)
    assert actions.needs_typed_name(Write.BUY, cents=25_000) and not actions.needs_typed_name(Write.BUY, cents=24_999)

    plain = Session([team], MemoryKeyStore({ref.TEAM: ref.KEY}), make_client, read_only=True)
    plain_actions = await plain.actions_for(team)
    assert plain_actions.type_name_from == TYPE_NAME_FROM_CENTS and plain_actions.read_only
    explicit = Session([team], MemoryKeyStore({ref.TEAM: ref.KEY}), make_client, registry=registry, type_name_from=0)
    assert (await explicit.actions_for(team)).needs_typed_name(Write.BUY, cents=2_500)
    for session in (configured, plain, explicit):
        await session.aclose()


# --------------------------------------------------------------------------- describe_error


def test_describe_error():
    assert describe_error(errors.Conflict("Promo code X was already redeemed", status=409)) == (
        "Conflict: Promo code X was already redeemed")
    assert describe_error(errors.Unavailable("Timed out talking to the API")) == (
        "Service unavailable: Timed out talking to the API")
    assert describe_error(errors.NotSupportedByApi("Auto top-up is managed in the xAI console")) == (
        "Console only: Auto top-up is managed in the xAI console")
    assert describe_error(ValueError("bad amount")) == "ValueError: bad amount"
    assert describe_error(RuntimeError()) == "RuntimeError"
    assert describe_error(KeyError("pm_x")) == "KeyError: 'pm_x'"


def test_a_write_goes_only_to_a_team_named_in_full_or_the_only_one():
    from xconsole.core.session import Session, TeamHandle

    lumen = TeamHandle("Lumen Labs", "271a26ca-0000-4000-8000-000000000001", "keyring")
    orbit = TeamHandle("Orbit Robotics", "959044f7-0000-4000-8000-000000000002", "keyring")
    two = Session([lumen, orbit], MemoryKeyStore(), lambda _key, _url: None)  # type: ignore[arg-type,return-value]
    assert two.pick() is lumen  # a read may fall back to the first team…
    with pytest.raises(LookupError, match="name the one to act on with --team"):
        two.pick_to_write(None)  # …a write never does
    for part in ("o", "orbit rob"):
        with pytest.raises(LookupError, match="only part of Orbit Robotics's name"):
            two.pick_to_write(part)
    assert two.pick_to_write("orbit robotics") is orbit and two.pick_to_write("959044f7") is orbit
    assert two.pick_to_write("Orbit") is orbit  # its first word: whole words name it
    assert two.pick_to_write(lumen.team_id) is lumen
    with pytest.raises(LookupError, match="No team 'Nope'"):
        two.pick_to_write("Nope")
    one = Session([orbit], MemoryKeyStore(), lambda _key, _url: None)  # type: ignore[arg-type,return-value]
    assert one.pick_to_write(None) is orbit
    prod, prod_eu = TeamHandle("Prod", lumen.team_id, "keyring"), TeamHandle("Prod EU", orbit.team_id, "keyring")
    both = Session([prod, prod_eu], MemoryKeyStore(), lambda _key, _url: None)  # type: ignore[arg-type,return-value]
    assert both.pick_to_write("prod") is prod and both.pick_to_write("Prod EU") is prod_eu  # an exact name wins


async def test_a_team_with_no_key_stored_says_so_not_key_rejected():
    from xconsole.core.session import Session, TeamHandle

    session = Session([TeamHandle("Prod", ref.TEAM, "keyring")], MemoryKeyStore(), lambda _key, _url: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(errors.AuthError) as failed:  # handled as a key to enter again
        await session.client_for(session.teams[0])
    assert failed.value.title == "No key stored" and "add the team again" in failed.value.message
