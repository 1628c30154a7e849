from xconsole.tui.screens.placeholder import PlannedScreen


class BillingDetailsScreen(PlannedScreen):
    MODE = "billing"
    TITLE_TEXT = "Billing details"
    ISSUE = 10
    WILL_SHOW = (
        "name, email and billing address that appear on invoices",
        "optional tax ID type and number",
        "an edit form that says invoices already issued are never regenerated",
    )
    HELP = "Billing address and tax information. Arrives with issue #10."
