from xconsole.tui.screens.placeholder import PlannedScreen


class PaymentMethodsScreen(PlannedScreen):
    MODE = "payments"
    TITLE_TEXT = "Payment methods"
    ISSUE = 9
    WILL_SHOW = (
        "cards and bank accounts with expiry warnings and the default marked",
        "set the default (d), add a card (a), remove one (x; never the last)",
        "each method's billing details",
    )
    HELP = "The team's saved payment methods. Arrives with issue #9."
