"""Contract factories for the HTTP adapters: each seeds its fake server on loopback.

Imported by ``conftest.py`` so ``zendesk`` and ``gleap`` join ``FACTORIES``
and the whole contract suite runs against them over real HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.adapters.contract import Seeded, register
from tests.adapters.seed import DEFAULT_SPEC, SeedSpec
from tests.fakes.gleap import FakeGleap
from tests.fakes.seeding import gleap_view, seed_gleap, seed_zendesk
from tests.fakes.zendesk import FakeZendesk
from triage_tui.adapters.gleap import GleapHelpdesk, GleapOptions
from triage_tui.adapters.zendesk import ZendeskHelpdesk, ZendeskOptions
from triage_tui.config import Profile, adapter_options
from triage_tui.domain.clock import Clock


async def no_sleep(seconds: float) -> None:
    """Rate-limit waits in contract runs cost nothing (their lengths are asserted elsewhere)."""


def zendesk_options(fake: FakeZendesk, **extra: object) -> ZendeskOptions:
    email, token = next(iter(fake.credentials))
    values = {"base_url": fake.origin, "email": email.removesuffix("/token"), "token": token}
    options = adapter_options(
        "zendesk", ZendeskOptions, Profile(adapter="zendesk", options={**values, **extra}), {}
    )
    assert isinstance(options, ZendeskOptions)
    return options


def gleap_options(fake: FakeGleap, **extra: object) -> GleapOptions:
    values = {"base_url": fake.url, "api_key": fake.api_key, "project": fake.project}
    options = adapter_options(
        "gleap", GleapOptions, Profile(adapter="gleap", options={**values, **extra}), {}
    )
    assert isinstance(options, GleapOptions)
    return options


@register("zendesk")
@asynccontextmanager
async def zendesk_factory(
    spec: SeedSpec, workdir: Path, clock: Clock, page_size: int | None = None
) -> AsyncIterator[Seeded]:
    with FakeZendesk(clock) as fake:
        tickets, people, articles = seed_zendesk(fake, spec)
        options = zendesk_options(fake, page_size=page_size or 100)
        async with ZendeskHelpdesk(options, clock, sleep=no_sleep) as helpdesk:
            yield Seeded(helpdesk, spec, tickets, people, articles, person_by_email=True)


@register("gleap")
@asynccontextmanager
async def gleap_factory(
    spec: SeedSpec, workdir: Path, clock: Clock, page_size: int | None = None
) -> AsyncIterator[Seeded]:
    with FakeGleap(clock) as fake:
        tickets, people, articles = seed_gleap(fake, spec)
        options = gleap_options(fake, page_size=page_size or 100)
        async with GleapHelpdesk(options, clock, sleep=no_sleep) as helpdesk:
            # Gleap holds one due date per ticket: the expectations use that view.
            yield Seeded(
                helpdesk, gleap_view(spec), tickets, people, articles, person_by_email=True
            )


@dataclass
class Rig:
    """A seeded fake, an open adapter on it, and the waits the adapter asked for."""

    fake: Any
    helpdesk: Any
    sleeps: list[float]
    tickets: dict[str, str]
    people: dict[str, str]

    def tid(self, key: str) -> str:
        return self.tickets[key]


def recording_sleep(sleeps: list[float]) -> Any:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return sleep


@asynccontextmanager
async def zendesk_rig(
    clock: Clock, spec: SeedSpec = DEFAULT_SPEC, **options: Any
) -> AsyncIterator[Rig]:
    sleeps: list[float] = []
    with FakeZendesk(clock) as fake:
        tickets, people, _ = seed_zendesk(fake, spec)
        helpdesk = ZendeskHelpdesk(
            zendesk_options(fake, **options), clock, sleep=recording_sleep(sleeps)
        )
        async with helpdesk:
            yield Rig(fake, helpdesk, sleeps, tickets, people)


@asynccontextmanager
async def gleap_rig(
    clock: Clock, spec: SeedSpec = DEFAULT_SPEC, **options: Any
) -> AsyncIterator[Rig]:
    sleeps: list[float] = []
    with FakeGleap(clock) as fake:
        tickets, people, _ = seed_gleap(fake, spec)
        helpdesk = GleapHelpdesk(
            gleap_options(fake, **options), clock, sleep=recording_sleep(sleeps)
        )
        async with helpdesk:
            yield Rig(fake, helpdesk, sleeps, tickets, people)
