"""The Spend screen's write actions, on the app so the palette reaches them from anywhere.

Every one names the team it was started for, refuses in read-only mode and says why, sends at
most one request per confirmation, and refreshes that team afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xconsole.core.client import ManagementClient
    from xconsole.core.session import TeamHandle
    from xconsole.tui.app import XConsoleApp


class SpendActions:
    def _write_target(self: XConsoleApp, what: str) -> TeamHandle | None:
        if self.team is None or self.session is None:
            self.notify("No team yet.", severity="warning")
            return None
        if self.read_only:
            self.notify(f"Read-only mode: {what} is disabled (started with --read-only).", severity="warning")
            return None
        return self.team

    async def _client(self: XConsoleApp, team: TeamHandle) -> ManagementClient | None:
        from xconsole.core import errors
        from xconsole.core.credentials import KeyringUnavailable

        try:
            return await self.session.client_for(team)  # type: ignore[union-attr]
        except KeyringUnavailable as exc:
            self.show_keyring_problem(exc)
        except errors.ApiError as exc:
            self.notify(f"{exc.title}: {exc.message}", severity="error")
        return None

    def _open(self: XConsoleApp, what: str, make_screen: Any, done: Any) -> None:
        team = self._write_target(what)
        if team is None:
            return

        async def open_dialog() -> None:
            client = await self._client(team)
            if client is not None:
                self.push_screen(make_screen(team, client), lambda result: done(team, result))

        self.run_worker(open_dialog(), group="open-dialog", exclusive=True, exit_on_error=False)

    # ------------------------------------------------------------------ actions

    def action_buy_credits(self: XConsoleApp) -> None:
        from xconsole.tui.screens.buy_credits import BuyCreditsScreen

        self._open("buying credits", BuyCreditsScreen, self._purchased)

    def action_redeem_promo(self: XConsoleApp) -> None:
        from xconsole.tui.screens.promo_code import PromoCodeScreen

        self._open("redeeming a promo code", PromoCodeScreen, self._promo_redeemed)

    def action_set_limit(self: XConsoleApp) -> None:
        from xconsole.tui.screens.spending_limit import SpendingLimitScreen

        data = self.active_data()
        if data is None or data.snapshot is None:
            self.notify("Limits are still loading.", severity="warning")
            return
        limits = data.snapshot.limits
        self._open("changing the invoiced billing limit",
                   lambda team, client: SpendingLimitScreen(team, client, limits), self._limit_set)

    def action_request_invoiced(self: XConsoleApp) -> None:
        from xconsole.core.client import console_billing_url
        from xconsole.core.models import InvoicedBillingState
        from xconsole.tui.screens.confirm import ConfirmActionScreen

        team = self._write_target("requesting invoiced billing")
        data = self.active_data()
        if team is None or data is None or data.snapshot is None:
            return
        status = data.snapshot.invoiced
        if status is None:
            self.notify(f"Monthly invoiced billing is arranged with xAI sales (sales@x.ai) or from the console: "
                        f"{console_billing_url(team.team_id)}", timeout=10)
            return
        if status.status is not InvoicedBillingState.DISABLED:
            self.notify(f"Monthly invoiced billing is already {status.status.value.lower()} for {team.name}.")
            return

        async def run() -> None:
            client = await self._client(team)
            if client is None:
                return
            lines = [f"Team      {team.name} ({team.short_id})",
                     "Request   monthly invoiced billing; xAI sales gets in touch, nothing changes until it is enabled"]
            self.push_screen(ConfirmActionScreen("Request invoiced billing", lines, "Send request",
                                                 lambda: client.request_invoiced_billing(team.team_id)),
                             lambda outcome: self._requested(team, outcome))

        self.run_worker(run(), group="open-dialog", exclusive=True, exit_on_error=False)

    # ------------------------------------------------------------------ results

    def _purchased(self: XConsoleApp, team: TeamHandle, change: Any) -> None:
        from xconsole.core.money import format_cents

        if change is None:
            return
        amount = format_cents(change.credit_cents)
        if change.is_pending:
            self.notify(f"{team.name}: purchase of {amount} is pending (bank transfer: credits in 2–3 business days).")
        elif change.is_failed:
            self.notify(f"{team.name}: purchase of {amount} failed — the payment method could not be charged.",
                        severity="error", timeout=10)
        else:
            self.notify(f"{team.name}: {amount} of credits bought.")
        self.load_team(team)

    def _promo_redeemed(self: XConsoleApp, team: TeamHandle, change: Any) -> None:
        from xconsole.core.money import format_cents

        if change is not None:
            self.notify(f"{team.name}: promo code applied, {format_cents(change.credit_cents, sign=True)} in credits.")
            self.load_team(team)

    def _limit_set(self: XConsoleApp, team: TeamHandle, cents: int | None) -> None:
        from xconsole.core.money import format_cents

        if cents is not None:
            self.notify(f"{team.name}: invoiced billing limit is now {format_cents(cents)}.")
            self.load_team(team)

    def _requested(self: XConsoleApp, team: TeamHandle, outcome: Any) -> None:
        if outcome is None or outcome.cancelled:
            return
        if outcome.error is not None:
            self.notify(f"Request not sent: {outcome.error}", severity="error")
            return
        self.notify(f"{team.name}: invoiced billing {outcome.result.status.value.lower()}.")
        self.load_team(team)
