"""Issue 17 items 11 and 12, the adapter contract: ``agents()`` and ``groups()`` list the
names ``assign`` and ``escalate`` accept, for every adapter that declares
``capabilities.directory`` (``tests/real/test_directory_real.py`` runs these against a
real RT and a real django-helpdesk)."""

from __future__ import annotations

import pytest

from tests.adapters.contract import Seeded
from triage_tui.adapters.base import Helpdesk
from triage_tui.domain.errors import Unsupported


def needs_directory(helpdesk: Helpdesk, groups: bool = False) -> None:
    caps = helpdesk.capabilities
    if not caps.directory or (groups and not caps.groups):
        pytest.skip(f"{helpdesk.name} does not list its {'groups' if groups else 'agents'}")


async def test_agents_lists_every_assignee_sorted_and_once(seeded: Seeded) -> None:
    """Issue 17 item 12: the seeded tickets' assignees are among the helpdesk's agents."""
    needs_directory(seeded.helpdesk)
    agents = await seeded.helpdesk.agents()
    assert agents == sorted(set(agents), key=str.casefold)
    assignees = {t.assignee for t in seeded.spec.tickets if t.assignee}
    assert assignees and assignees <= set(agents)


async def test_a_listed_agent_is_accepted_by_assign_as_listed(seeded: Seeded) -> None:
    """Issue 17 item 12: a name from ``agents()`` assigns, and the ticket shows it."""
    needs_directory(seeded.helpdesk)
    helpdesk, tid = seeded.helpdesk, seeded.tid("breached")
    name = next(a for a in await helpdesk.agents() if a == "Priya Nair")
    await helpdesk.assign(tid, name)
    assert (await helpdesk.get_ticket(tid)).ticket.assignee == name


async def test_groups_lists_the_group_of_every_ticket(seeded: Seeded) -> None:
    """Issue 17 item 11: a ticket's group is one of ``groups()``."""
    needs_directory(seeded.helpdesk, groups=True)
    helpdesk = seeded.helpdesk
    groups = await helpdesk.groups()
    assert groups == sorted(set(groups), key=str.casefold)
    seen = set()
    for spec in seeded.spec.tickets:
        group = (await helpdesk.get_ticket(seeded.tid(spec.key))).ticket.group
        if group is not None:
            seen.add(group)
    assert seen and seen <= set(groups)


async def test_without_groups_groups_is_unsupported(seeded: Seeded) -> None:
    """Issue 17 item 11: a helpdesk without groups (or without a directory) says so."""
    caps = seeded.helpdesk.capabilities
    if caps.directory and caps.groups:
        pytest.skip(f"{seeded.helpdesk.name} lists its groups")
    with pytest.raises(Unsupported):
        await seeded.helpdesk.groups()
