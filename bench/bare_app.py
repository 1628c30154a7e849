"""The baseline: the smallest Textual app with a header line and a footer."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static


class Bare(App):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static("BARE READY")
        yield Footer()


if __name__ == "__main__":
    Bare().run()
