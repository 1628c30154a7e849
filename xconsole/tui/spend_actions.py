"""The Spend screen's write actions, on the app so the palette reaches them from anywhere.

Every one names the team it was started for, refuses in read-only mode and says why, sends at
most one request per confirmation, and refreshes that team afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xconsole.tui.write_actions import WriteActions

if TYPE_CHECKING:
    from xconsole.core.session import TeamHandle
    from xconsole.tui.app import XConsoleApp


class SpendActions(WriteActions):
    def _open(self: XConsoleApp, what: str, make_screen: Any, done: Any) -> None:
        """A dialog for the active team, whose result goes to `done(team, result)`."""
        self._with_client(what, lambda team, client: self.push_screen(make_screen(team, client),
                                                                      lambda result: done(team, result)))

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

        data = self.active_data()
        if self.team is None or data is None or data.snapshot is None:
            return
        status = data.snapshot.invoiced
        if status is None:
            self.notify(f"Monthly invoiced billing is arranged with xAI sales (sales@x.ai) or from the console: "
                        f"{console_billing_url(self.team.team_id)}", timeout=10)
            return
        if status.status is not InvoicedBillingState.DISABLED:
            self.notify(f"Monthly invoiced billing is already {status.status.value.lower()} for {self.team.name}.")
            return
        self._with_client("requesting invoiced billing", lambda team, client: self._confirm_write(
            team, "Request invoiced billing",
            ["Request   monthly invoiced billing; xAI sales gets in touch, nothing changes until it is enabled"],
            "Send request", lambda: client.request_invoiced_billing(team.team_id),
            f"{team.name}: monthly invoiced billing requested."))

    # ------------------------------------------------------------------ results

    def _purchased(self: XConsoleApp, team: TeamHandle, purchase: Any) -> None:
        if purchase is None:
            return
        self.notify(f"{team.name}: {purchase.message()}", severity=purchase.severity,
                    timeout=10 if purchase.severity != "information" else 5)
        self.refresh_team(team)

    def _promo_redeemed(self: XConsoleApp, team: TeamHandle, change: Any) -> None:
        from xconsole.core.money import format_cents

        if change is not None:
            self.notify(f"{team.name}: promo code applied, {format_cents(change.credit_cents, sign=True)} in credits.")
            self.refresh_team(team)

    def _limit_set(self: XConsoleApp, team: TeamHandle, result: tuple[int, int | None] | None) -> None:
        from xconsole.core.money import format_cents

        if result is None:
            return
        asked, applied = result
        if applied is None:
            self.notify(f"{team.name}: invoiced billing limit of {format_cents(asked)} requested; "
                        "the answer did not say what applies — refreshing to read the limit in force.")
        else:
            self.notify(f"{team.name}: invoiced billing limit is now {format_cents(applied)}.")
        self.refresh_team(team)
