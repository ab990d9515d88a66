"""Scroll views whose scrollbars are repainted only when they change.

Textual's ``ScrollView`` compares the container size the layout hands it with
its own (gutter removed), so the two always differ and every layout pass
updates and refreshes its scrollbars. The refresh lands after the layout's
frame: each ticket opened wrote another frame of unchanged scrollbars (~0.7
KB per scroll view on screen). Here an update with the same sizes as the
last one is skipped (the rest of the size update, its layout cache and its
resize event, still happens).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.geometry import Size

if TYPE_CHECKING:
    from textual.scroll_view import ScrollView

    _Base = ScrollView
else:
    # A plain mixin at run time: Textual gathers CSS and component classes
    # along the first base, which must stay the widget's own.
    _Base = object


class SteadyScrollbars(_Base):
    """Mixed into a ``ScrollView`` (first): its scrollbars are updated (and
    repainted) only when the sizes they depend on change."""

    _scroll_sizes: tuple[Size, Size, Size, int, int] | None = None

    def _scroll_update(self, virtual_size: Size) -> None:
        sizes = (
            virtual_size,
            self.container_size,
            self.size,
            self.scrollbar_size_vertical,
            self.scrollbar_size_horizontal,
        )
        if sizes == self._scroll_sizes:
            return
        self._scroll_sizes = sizes
        super()._scroll_update(virtual_size)
