from xconsole.tui.screens.placeholder import PlannedScreen


class InvoicesScreen(PlannedScreen):
    MODE = "invoices"
    TITLE_TEXT = "Invoices"
    ISSUE = 10
    WILL_SHOW = (
        "prepaid and monthly invoices, newest first, with filters",
        "every line of an invoice, its charge attempts and billing address",
        "CSV and JSON export (e), and this month's invoice preview",
    )
    HELP = "Invoices of the team. Arrives with issue #10."
