"""The helpdesk's agents and groups, read once, and names resolved against them.

Assignees, groups and escalation routes must name someone or something the
helpdesk has: the console's pickers, the bulk preview, the escalate dialog,
``triage doctor`` and the verbs all resolve a typed name here
(``domain.names``). A helpdesk that cannot list them
(``capabilities.directory`` off) is not checked: ``None`` means "unknown",
and the adapter's own refusal is the check.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from triage_tui.adapters.base import Helpdesk
from triage_tui.domain.errors import InvalidInput, Unsupported
from triage_tui.domain.names import NameMatch, match_name, unknown_line

AGENT, GROUP = "agent", "group"


class Directory:
    """One helpdesk's agents and groups, each listed at most once."""

    def __init__(self, helpdesk: Helpdesk) -> None:
        self.helpdesk = helpdesk
        self._lists: dict[str, list[str] | None] = {}

    def lists_groups(self) -> bool:
        caps = self.helpdesk.capabilities
        return caps.directory and caps.groups

    async def names(self, kind: str) -> list[str] | None:
        """The known agents or groups; None when the helpdesk cannot list them."""
        if kind not in self._lists:
            caps = self.helpdesk.capabilities
            found: list[str] | None = None
            if caps.directory and (kind == AGENT or caps.groups):
                try:
                    if kind == AGENT:
                        found = await self.helpdesk.agents()
                    else:
                        found = await self.helpdesk.groups()
                except Unsupported:
                    found = None
            # An empty list cannot tell a name from a typo: nothing is checked then.
            self._lists[kind] = found or None
        return self._lists[kind]

    async def agents(self) -> list[str] | None:
        return await self.names(AGENT)

    async def groups(self) -> list[str] | None:
        return await self.names(GROUP)

    async def match(self, kind: str, typed: str) -> tuple[NameMatch, list[str] | None]:
        known = await self.names(kind)
        return (match_name(typed, known) if known else NameMatch(None)), known

    async def resolve(self, kind: str, typed: str) -> str:
        """The known name ``typed`` stands for, or ``typed`` itself when the helpdesk
        lists none; raises ``InvalidInput`` (one line with the known names) otherwise."""
        found, known = await self.match(kind, typed)
        if known is None:
            return typed.strip()
        if found.name is None:
            raise InvalidInput(unknown_line(kind, typed, found, known))
        return found.name


_DIRECTORIES: WeakKeyDictionary[Helpdesk, Directory] = WeakKeyDictionary()


def directory_of(helpdesk: Helpdesk) -> Directory:
    """The helpdesk's directory, shared by everything that uses the same connection."""
    found = _DIRECTORIES.get(helpdesk)
    if found is None:
        found = _DIRECTORIES[helpdesk] = Directory(helpdesk)
    return found
