"""A part of a screen mounted only once the app's first frame is on the terminal."""

from __future__ import annotations

from collections.abc import Callable

from textual.widget import Widget


class AfterFirstFrame(Widget):
    """Stands in for the widget `build` makes until the first frame has been written (Textual's
    `Ready` event), then builds and mounts it in its place; on a screen opened later, just after
    its first refresh. `build` imports what it needs: the first frame waits for none of it.

    Textual's own `Lazy` mounts after the first *refresh*, which comes before the first frame is
    written, so that frame still waited for the body (~30 ms of a ~300 ms start, measured).
    """

    DEFAULT_CSS = "AfterFirstFrame { display: none; }"

    def __init__(self, build: Callable[[], Widget]) -> None:
        super().__init__()
        self._build = build

    def on_mount(self) -> None:
        after_first_frame = getattr(self.app, "after_first_frame", None)
        if after_first_frame is None:
            self.call_after_refresh(self._swap)
        else:
            after_first_frame(lambda: self.call_after_refresh(self._swap))

    async def _swap(self) -> None:
        parent = self.parent
        if parent is None or not self.is_attached:  # its screen went away first
            return
        await parent.mount(self._build(), after=self)
        await self.remove()
