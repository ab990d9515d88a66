"""The outbox wrapper answers the doctor's questions with its adapter's answers."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.remote_factories import zendesk_rig
from triage_tui.adapters.gleap import GleapHelpdesk, GleapOptions
from triage_tui.doctor import Readiness, check_helpdesk, readiness
from triage_tui.domain.clock import FrozenClock
from triage_tui.engine.buffered import CONSOLE_MODE, VERB_MODE, BufferedHelpdesk


async def test_a_ready_adapter_behind_the_outbox(tmp_path: Path, clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        hd = BufferedHelpdesk(rig.helpdesk, "test.zendesk.0", mode=VERB_MODE, data_dir=tmp_path)
        assert hd.doctor_hints == rig.helpdesk.doctor_hints and "credentials" in hd.doctor_hints
        assert hd.missing_settings() == []
        assert await hd.can_comment_publicly() is True
        assert await readiness(hd) == Readiness(True, "Zendesk ✓")
        # It keeps the event log Zendesk does not: the capability says so.
        assert hd.capabilities.event_log and not rig.helpdesk.capabilities.event_log
        assert hd.capabilities.kb_search == rig.helpdesk.capabilities.kb_search


async def test_unset_settings_behind_the_outbox(tmp_path: Path, clock: FrozenClock) -> None:
    bare = GleapHelpdesk(GleapOptions(), clock)
    hd = BufferedHelpdesk(bare, "test.gleap.0", mode=CONSOLE_MODE, data_dir=tmp_path)
    assert hd.missing_settings() == bare.missing_settings() != []
    state = await readiness(hd)
    assert (state.ok, state.label) == (False, "Gleap: needs config")
    settings = (await check_helpdesk(hd))[0]
    assert (settings.name, settings.state) == ("settings", "fail")
    assert settings.detail.startswith("Gleap needs ")
    assert settings.hint.startswith("export TRIAGE_GLEAP_API_KEY=")  # Gleap's own fix
    await hd.close()
