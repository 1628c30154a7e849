"""Payment-method writes (make default, add card, remove), on the app like the Spend actions.

Adding and removing exist only in the console for the public API: there they say so, with the
team's console URL, and send nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xconsole.tui.write_actions import WriteActions

if TYPE_CHECKING:
    from xconsole.core.client import ManagementClient
    from xconsole.core.models import PaymentMethod
    from xconsole.core.session import TeamHandle
    from xconsole.tui.app import XConsoleApp


class PaymentActions(WriteActions):
    def _selected_method(self: XConsoleApp) -> PaymentMethod | None:
        from xconsole.tui.screens.payment_methods import PaymentMethodsScreen

        screen = self.screen
        method = screen.selected() if isinstance(screen, PaymentMethodsScreen) else None
        if method is None:
            self.notify("Select a payment method first (screen 3).", severity="warning")
        return method

    def _console_only(self: XConsoleApp, team: TeamHandle, client: ManagementClient, what: str) -> bool:
        from xconsole.core.client import console_billing_url

        if client.extensions:
            return False
        self.notify(f"{what} is done in the xAI console: {console_billing_url(team.team_id)}", timeout=10)
        return True

    # ------------------------------------------------------------------ actions

    def action_set_default_method(self: XConsoleApp) -> None:
        method = self._selected_method()
        if method is None:
            return
        data = self.active_data()
        if data is not None and data.snapshot is not None and data.snapshot.default_method is method:
            self.notify(f"{method.label()} is already the default.")  # known, never guessed
            return

        def run(team: TeamHandle, client: ManagementClient) -> None:
            self._confirm_write(team, "Make default", [f"Default   {method.label()}",
                                "Charges   purchases, auto top-ups and month-end invoices"], "Make default",
                                lambda: client.set_default_payment_method(team.team_id, method.payment_method_id),
                                f"{team.name}: {method.label()} is now the default payment method.")

        self._with_client("changing the default payment method", run)

    def action_add_card(self: XConsoleApp) -> None:
        from xconsole.tui.screens.add_card import AddCardScreen

        def run(team: TeamHandle, client: ManagementClient) -> None:
            if self._console_only(team, client, "Adding a payment method"):
                return
            data = self.active_data()
            today = data.snapshot.today if data and data.snapshot else None
            if today is None:
                return

            def added(method: Any) -> None:
                if method is not None:
                    self.notify(f"{team.name}: {method.label()} added.")
                    self.refresh_team(team)

            self.push_screen(AddCardScreen(team, client, today), added)

        self._with_client("adding a payment method", run)

    def action_remove_method(self: XConsoleApp) -> None:
        from xconsole.tui.screens.choose_method import ChooseMethodScreen

        method = self._selected_method()
        data = self.active_data()
        if method is None or data is None or data.snapshot is None:
            return
        methods = data.snapshot.payment_methods.payment_methods
        default = data.snapshot.default_method

        def run(team: TeamHandle, client: ManagementClient) -> None:
            if self._console_only(team, client, "Removing a payment method"):
                return
            if len(methods) <= 1:
                self.notify("The last payment method on file cannot be removed.", severity="warning")
                return
            others = [m for m in methods if m.payment_method_id != method.payment_method_id]

            def remove(new_default: PaymentMethod | None) -> None:
                async def act() -> None:
                    if new_default is not None:
                        await client.set_default_payment_method(team.team_id, new_default.payment_method_id)
                    await client.remove_payment_method(team.team_id, method.payment_method_id)

                lines = [f"Remove    {method.label()}"]
                if new_default is not None:
                    lines.append(f"Default   {new_default.label()} (instead of the removed one)")
                self._confirm_write(team, "Remove payment method", lines, "Remove", act,
                                    f"{team.name}: {method.label()} removed.")

            if method is default:
                self.push_screen(ChooseMethodScreen("Remove the default payment method",
                                                    f"{method.label()} is the default. Which method becomes the default?",
                                                    others),
                                 lambda chosen: remove(chosen) if chosen is not None else None)
            else:
                remove(None)

        self._with_client("removing a payment method", run)
