"""Help text shared by screens, kept as data so the help screen and the palette agree."""

GLOBAL_KEYS = [
    ("0", "All teams: balances, runway and warnings side by side"),
    ("1-5", "Spend, Auto top-up, Payments, Invoices, Billing"),
    ("t", "Team switcher (type to filter, Enter to switch)"),
    ("[ / ]", "Previous / next team"),
    ("r", "Refresh this team's data"),
    ("? / F1", "Help for this screen"),
    ("ctrl+p", "Command palette: every action"),
    ("escape", "Close a dialog"),
    ("q", "Quit (ctrl+q works everywhere)"),
]
