from xconsole.tui.screens.placeholder import PlannedScreen


class AutoTopUpScreen(PlannedScreen):
    MODE = "auto"
    TITLE_TEXT = "Auto top-up"
    ISSUE = 8
    WILL_SHOW = (
        "enabled switch, trigger balance, top-up amount (minimum $25) and monthly maximum",
        "used this month against the maximum, top-ups in the last 24 hours (at most 5)",
        "the console's warnings at 80 % of the maximum and with 1 of 5 daily top-ups left",
    )
    HELP = "Automatic credit purchases when the balance drops below a trigger. Arrives with issue #8."
