"""Help (`?`) and the command palette, both read from the bindings: one list of keys, no copies.

A binding takes part when it has an `id` and a description; its tooltip, when set, is the longer
wording help shows.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual.binding import Binding

from xconsole.tui.widgets.nav_bar import SCREENS

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen


def documented(bindings: object) -> list[Binding]:
    return [b for b in bindings or () if isinstance(b, Binding) and b.id and b.description]  # type: ignore[attr-defined]


def screen_bindings(screen: object) -> list[object]:
    """A screen's own keys, then those it inherits from xconsole's screens (TeamScreen's Esc)
    unless it rebinds the key: `BINDINGS` alone holds only the subclass's list."""
    found: list[object] = []
    keys: set[str] = set()
    for cls in type(screen).__mro__:
        if not cls.__module__.startswith("xconsole."):
            continue  # Textual's own Screen keys (tab, ctrl+c) are not this screen's
        for binding in cls.__dict__.get("BINDINGS", ()):
            key = binding.key if isinstance(binding, Binding) else str(binding[0])
            if key not in keys:
                keys.add(key)
                found.append(binding)
    return found


#: Textual's key names as a keyboard's keys are labelled.
KEY_NAMES = {"escape": "Esc", "enter": "Enter", "space": "Space", "tab": "Tab", "question_mark": "?", "slash": "/",
             "left_square_bracket": "[", "right_square_bracket": "]", "f1": "F1", "up": "↑", "down": "↓",
             "left": "←", "right": "→", "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End"}


def key_text(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    return " / ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in binding.key.split(","))


def dialog_name(screen: object) -> str:
    """A dialog's name in words, for the palette: ConfirmActionScreen → "Confirm action"."""
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", type(screen).__name__.removesuffix("Screen")).split()
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else "Dialog"


def screen_title(screen: Screen) -> str:
    mode = getattr(screen, "MODE", "")
    return next((title for m, _k, _l, title in SCREENS if m == mode), "xconsole")


def section(screen_or_class: object) -> str:
    """The palette's prefix for a screen's own keys: "Spend", "Payments", ..."""
    mode = getattr(screen_or_class, "MODE", "")
    return next((label for m, _k, label, _t in SCREENS if m == mode), "Screen")


def help_rows(app: App, screen: Screen) -> list[tuple[str, str]]:
    """(key, what it does): this screen's keys first, then the app's, then the palette."""
    # Esc's "leave the field" only where there are form fields (in a table's filter, Esc clears it).
    from textual.widgets import Input

    from xconsole.tui.widgets.console_table import FilterableTable

    fields = any(not isinstance(box.parent, FilterableTable) for box in screen.query(Input))
    unavailable = getattr(screen, "unavailable", lambda _action: None)
    own_bindings = [b for b in documented(screen_bindings(screen)) if fields or b.action != "leave_field"]
    # A greyed key is marked off, and why is said once under them (read-only mode, console-only).
    rows = [(key_text(b), (b.tooltip or b.description) + (" (off)" if unavailable(b.action) else ""))
            for b in own_bindings]
    rows += [("", f"(off) {why}") for why in dict.fromkeys(filter(None, (unavailable(b.action) for b in own_bindings)))]
    nav = [b for b in documented(app.BINDINGS) if b.id.startswith("nav.")]
    if nav:
        rows.append((f"{nav[0].key}-{nav[-1].key}", ", ".join(b.description for b in nav)))
    # A key the screen binds itself is its own there (Overview's r refreshes every team): listed once.
    own = {k.strip() for b in screen_bindings(screen)
           for k in (b.key if isinstance(b, Binding) else str(b[0])).split(",")}  # type: ignore[index]
    rows += [(key_text(b), b.tooltip or b.description) for b in documented(app.BINDINGS)
             if not b.id.startswith("nav.") and not own & {k.strip() for k in b.key.split(",")}]
    if screen.query(FilterableTable) and not any(k == "/" for k, _ in rows):  # the table's own key
        rows.insert(0, ("/", "Filter the table (Esc clears it)"))
    rows.append((app.COMMAND_PALETTE_BINDING, "Command palette: every action"))
    return rows
