"""Textual's Footer, rebuilt only when what it shows changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.screen import Screen


class ConsoleFooter(Footer):
    """Textual recomposes the whole footer, every key a new widget, on each bindings update: a
    screen shown again, a focus move, a dialog closed. Coming back to a screen whose keys are
    the same as when it was left, that rebuild was a good part of the ~50 ms to its frame."""

    _shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if self._bindings_ready and self.is_attached and screen is self.screen and screen.app.app_focus:
            shown = tuple((key, active.binding.action, active.binding.description, active.binding.show,
                           active.binding.key_display, active.enabled, active.tooltip)
                          for key, active in screen.active_bindings.items())
            if shown == self._shown:
                return  # the same keys, the same way: nothing to rebuild
            self._shown = shown
        super().bindings_changed(screen)
