"""Scroll views whose scrollbars are repainted only when they change.

Textual's ``ScrollView`` compares the container size the layout hands it with
its own (gutter removed), so the two always differ and every layout pass
refreshes its scrollbars. The refresh lands after the layout's frame: each
ticket opened wrote a second frame of unchanged scrollbars (~0.7 KB per
scroll view on screen). Here a layout pass with the same sizes as the last
one changes nothing.
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
    """Mixed into a ``ScrollView`` (first): skips a size update identical to the previous one."""

    _last_sizes: tuple[Size, Size, Size, Size] | None = None

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        sizes = (size, virtual_size, container_size, self.virtual_size)
        if sizes == self._last_sizes:
            return False
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        self._last_sizes = (size, virtual_size, container_size, self.virtual_size)
        return changed
