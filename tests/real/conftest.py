"""Fixtures of the real-server tests: one RT 5 and one django-helpdesk per session.

Every test here is marked ``real``. When a server cannot be started (not
installed, no root, a port that never answers) its tests skip with the
reason; ``TRIAGE_REAL_REQUIRED=1`` turns that into an error instead, for a CI
that must not pass without them. The terminal summary says what ran, so the
CI log shows it.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.adapters.contract import AdapterFactory, Seeded
from tests.adapters.seed import DEFAULT_SPEC, SeedSpec
from tests.real.seeding import DhFactory, RtFactory, project, seed_dh
from tests.real.servers import (
    CACHE,
    DH_AGENT_PASSWORD,
    DhServer,
    RtServer,
    Unavailable,
    async_client,
)
from triage_tui.adapters.base import Helpdesk
from triage_tui.domain.clock import FrozenClock

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
SERVERS = ("rt", "django_helpdesk")
#: Test id -> the server it runs against; outcomes per server; how each server started.
_OWNER: dict[str, str] = {}
_OUTCOMES: dict[str, Counter[str]] = {name: Counter() for name in SERVERS}
_SKIPS: dict[str, set[str]] = {name: set() for name in SERVERS}
_STARTED: dict[str, dict[str, object]] = {}


def _server_of(item: pytest.Item) -> str | None:
    params = getattr(getattr(item, "callspec", None), "params", {})
    for value in params.values():
        if value in SERVERS:
            return str(value)
    names = set(getattr(item, "fixturenames", ()))
    if names & {"rt_server", "rt_factory"}:
        return "rt"
    if names & {"dh_server", "dh_factory"}:
        return "django_helpdesk"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    places = []
    for place, item in enumerate(items):
        if HERE in Path(str(item.fspath)).resolve().parents:
            places.append(place)
            item.add_marker(pytest.mark.real)
            server = _server_of(item)
            if server:
                _OWNER[item.nodeid] = server
    _alternate(items, places)


def _alternate(items: list[pytest.Item], places: list[int]) -> None:
    """Runs the real tests RT, django-helpdesk, RT… (each server's own in their order).

    Each server's seeder prepares the next test's queue in the background (see
    seeding.Seeder): while a test works one server, the other server seeds on
    the other core. Back-to-back tests of one server would only have the
    seeding compete with the test's own requests on that server.
    """
    lanes: dict[str | None, deque[pytest.Item]] = {name: deque() for name in (*SERVERS, None)}
    for place in places:
        lanes[_OWNER.get(items[place].nodeid)].append(items[place])
    order = list(lanes.pop(None))
    while any(lanes.values()):
        order.extend(lane.popleft() for lane in lanes.values() if lane)
    for place, item in zip(places, order, strict=True):
        items[place] = item


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    server = _OWNER.get(report.nodeid)
    if server is None or report.when not in ("setup", "call"):
        return
    if report.when == "call" or report.outcome != "passed":
        _OUTCOMES[server][report.outcome] += 1
        if report.outcome == "skipped":
            longrepr = report.longrepr
            reason = str(longrepr[2] if isinstance(longrepr, tuple) else longrepr)
            _SKIPS[server].add(reason.removeprefix("Skipped: "))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """What ran against which real server, so the CI log shows it (and a JSON record)."""
    if not any(_OUTCOMES.values()):
        return
    terminalreporter.section("real helpdesk servers")
    record: dict[str, object] = {"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    for name in SERVERS:
        counts = _OUTCOMES[name]
        line = (
            f"{name}: {counts['passed']} passed, {counts['failed']} failed, "
            f"{counts['skipped']} skipped"
        )
        if name in _STARTED:
            info = _STARTED[name]
            seconds = float(str(info["seconds"]))
            line += f"; {info['version']} started in {seconds:.1f} s at {info['url']}"
        if _SKIPS[name]:
            line += f"; skips: {'; '.join(sorted(_SKIPS[name]))}"
        terminalreporter.write_line(line)
        record[name] = {**counts, **_STARTED.get(name, {}), "skips": sorted(_SKIPS[name])}
    path = CACHE / "last-real-run.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, indent=1, default=str) + "\n")
    except OSError:
        pass


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Runs ``coro`` from sync code, even when an async test asked for the fixture."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _start(server: RtServer | DhServer) -> None:
    try:
        server.start()
    except Unavailable as exc:
        if os.environ.get("TRIAGE_REAL_REQUIRED") == "1":
            pytest.fail(f"TRIAGE_REAL_REQUIRED=1 but {exc}", pytrace=False)
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def rt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RtServer]:
    """RT 5 on a loopback port, with the test agents, rights and token (session-wide)."""
    server = RtServer(tmp_path_factory.mktemp("rt"))
    try:
        _start(server)
        version = (
            httpx.get(
                server.api + "/rt", headers={"Authorization": f"token {server.token}"}, timeout=10
            )
            .json()
            .get("Version", "?")
        )
        _STARTED["rt"] = {
            "version": f"RT {version}",
            "seconds": server.started_in,
            "url": server.url,
        }
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def dh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DhServer]:
    """django-helpdesk's ``runserver`` on a loopback port, with staff agents (session-wide)."""
    server = DhServer(tmp_path_factory.mktemp("dh"))
    try:
        _start(server)
        version = subprocess.run(
            [
                str(server.python),
                "-c",
                "import importlib.metadata as m; print(m.version('django-helpdesk'))",
            ],
            check=False,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
        _STARTED["django_helpdesk"] = {
            "version": f"django-helpdesk {version}",
            "seconds": server.started_in,
            "url": server.url,
        }
        # Each test's queue is deleted when its test ends (see DhFactory). This
        # one, which no test works in, stays for the session: it holds the
        # tickets a queue-scoped adapter must leave out, and the requesters'
        # tickets elsewhere that an unscoped history must find.
        _run(seed_dh(server, project(DEFAULT_SPEC, DhFactory.statuses)))
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def rt_factory(rt_server: RtServer) -> Iterator[RtFactory]:
    """Session-wide for its seeder, which seeds each test's queue one test ahead."""
    factory = RtFactory(rt_server)
    yield factory
    factory.seeder.close()


@pytest.fixture(scope="session")
def dh_factory(dh_server: DhServer) -> Iterator[DhFactory]:
    """Session-wide for its seeder, which seeds each test's queue one test ahead."""
    factory = DhFactory(dh_server)
    yield factory
    factory.seeder.close()


# -- the contract suite's fixtures, over the real servers --------------------------


@pytest.fixture(params=["rt", "django_helpdesk"], ids=lambda name: f"adapter={name}")
def adapter_factory(request: pytest.FixtureRequest) -> AdapterFactory:
    fixture = "rt_factory" if request.param == "rt" else "dh_factory"
    return request.getfixturevalue(fixture)  # type: ignore[no-any-return]


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
    return seeded.helpdesk


# -- one helpdesk at a time, plus its own API for checking what landed -------------


@pytest.fixture
async def rt_seeded(
    rt_factory: RtFactory, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[Seeded]:
    async with rt_factory(DEFAULT_SPEC, tmp_path, clock) as seeded:
        yield seeded


@pytest.fixture
async def dh_seeded(
    dh_factory: DhFactory, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[Seeded]:
    async with dh_factory(DEFAULT_SPEC, tmp_path, clock) as seeded:
        yield seeded


@pytest.fixture
async def rt_api(rt_server: RtServer) -> AsyncIterator[httpx.AsyncClient]:
    """RT's REST2 as the agent, without the adapter: what RT itself says."""
    async with async_client(
        base_url=rt_server.api, headers={"Authorization": f"token {rt_server.token}"}, timeout=60
    ) as client:
        yield client


@pytest.fixture
async def dh_api(dh_server: DhServer) -> AsyncIterator[httpx.AsyncClient]:
    """django-helpdesk's /api/ as the agent, without the adapter."""
    async with async_client(
        base_url=dh_server.url + "/api", auth=("sam", DH_AGENT_PASSWORD), timeout=60
    ) as client:
        yield client
