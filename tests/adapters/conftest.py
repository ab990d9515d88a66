"""Fixtures of the adapter contract: one ``seeded`` helpdesk per registered factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import tests.adapters.remote_factories  # noqa: F401  (registers zendesk and gleap)
from tests.adapters.contract import FACTORIES, AdapterFactory, Seeded
from tests.adapters.seed import DEFAULT_SPEC, SeedSpec
from triage_tui.adapters.base import Helpdesk
from triage_tui.domain.clock import FrozenClock


@pytest.fixture(params=sorted(FACTORIES), ids=lambda name: f"adapter={name}")
def adapter_factory(request: pytest.FixtureRequest) -> AdapterFactory:
    return FACTORIES[request.param]


@pytest.fixture
def spec() -> SeedSpec:
    return DEFAULT_SPEC


@pytest.fixture
async def seeded(
    adapter_factory: AdapterFactory, spec: SeedSpec, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[Seeded]:
    async with adapter_factory(spec, tmp_path, clock) as seeded:
        yield seeded


@pytest.fixture
def helpdesk(seeded: Seeded) -> Helpdesk:
    """The opened, seeded adapter (``seeded`` also maps the spec's keys to its ids)."""
    return seeded.helpdesk
