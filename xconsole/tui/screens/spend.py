from xconsole.tui.screens.placeholder import PlannedScreen


class SpendScreen(PlannedScreen):
    MODE = "spend"
    TITLE_TEXT = "API spend management"
    ISSUE = 7
    WILL_SHOW = (
        "live credit balance, month-to-date spend, pending purchases and runway",
        "spend per day for 30 days and per model this month",
        "buy credits (p) by card or bank transfer, with confirmation",
        "redeem a promo code (o)",
        "monthly invoiced billing and the invoiced billing limit",
        "the prepaid ledger, filterable with /",
    )
    HELP = "The team's prepaid credit and spend. Buying credits and the invoiced billing limit arrive with issue #7."
