"""What the ``local`` adapter promises beyond the contract: its file, its event log, its limits."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from tests.adapters.contract import AGENT, local_factory, seed_local_db
from tests.adapters.seed import DEFAULT_SPEC
from triage_tui import config, config_quick, paths
from triage_tui.adapters import registry
from triage_tui.adapters.local import queries
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.adapters.local.store import APPLICATION_ID, connect, is_triage_db
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.errors import ConfigError, InvalidInput, TriageError, Unreachable
from triage_tui.domain.models import Escalation, NewTicket, QueueFilter


def events(db: Path) -> list[tuple[str, str | None, str, dict[str, object]]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT name, ticket_id, actor, payload FROM events ORDER BY id")
        return [(name, tid, actor, json.loads(payload)) for name, tid, actor, payload in rows]


@pytest.fixture
async def local(tmp_path: Path, clock: FrozenClock):  # type: ignore[no-untyped-def]
    async with local_factory(DEFAULT_SPEC, tmp_path, clock) as seeded:
        yield seeded


async def test_every_write_appends_one_event_with_its_payload(local, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h, tid = local.helpdesk, local.tid("breached")
    await h.reply(tid, "On it")
    await h.add_note(tid, "internal")
    await h.set_status(tid, Status.PENDING)
    await h.assign(tid, "Mei Chen", "Engineering")
    await h.tag(tid, add=["x"], remove=["api"])
    await h.escalate(
        tid, Escalation(reason="data integrity", note="rows gone", priority=Priority.HIGH)
    )
    created = await h.create_ticket(
        NewTicket(subject="s", body="b", requester_email="n@new.example")
    )
    log = events(tmp_path / "contract.db")
    assert [e[0] for e in log] == [
        "reply.sent",
        "note.added",
        "ticket.status_changed",
        "ticket.assigned",
        "ticket.tagged",
        "ticket.escalated",
        "ticket.created",
    ]
    assert all(e[1] == tid for e in log[:-1]) and log[-1][1] == created.id
    assert all(e[2] == AGENT for e in log)
    assert log[0][3]["sla_achieved"] == 1
    assert log[2][3] == {"from": "new", "to": "pending"}
    assert log[3][3]["to"] == "Mei Chen" and log[3][3]["group_to"] == "Engineering"
    assert log[4][3] == {"added": ["x"], "removed": ["api"]}
    assert log[5][3]["reason"] == "data integrity"
    assert log[5][3]["status"] == {"from": "pending", "to": "open"}
    assert log[5][3]["priority"] == {"from": "urgent", "to": "high"}


async def test_writes_bump_updated_at_from_the_clock(local, clock: FrozenClock) -> None:  # type: ignore[no-untyped-def]
    clock.advance(timedelta(minutes=5))
    ticket = await local.helpdesk.tag(local.tid("sso"), add=["later"])
    assert ticket.updated_at == clock.now()


async def test_record_and_list_events(local, clock: FrozenClock) -> None:  # type: ignore[no-untyped-def]
    h = local.helpdesk
    await h.record_event("ticket.viewed", local.tid("sso"), {"pane": "detail"})
    clock.advance(60)
    since = clock.now()
    await h.record_event("sweep.started", None, {"tickets": 3}, actor="ana")
    assert [e.name for e in await h.list_events()] == ["ticket.viewed", "sweep.started"]
    later = await h.list_events(since)
    assert [(e.name, e.actor, e.payload, e.ticket_id) for e in later] == [
        ("sweep.started", "ana", {"tickets": 3}, None)
    ]
    assert later[0].at == since
    with pytest.raises(InvalidInput):
        await h.record_event("  ")


async def test_store_is_in_wal_mode_with_foreign_keys(local, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with sqlite3.connect(tmp_path / "contract.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    store_conn = local.helpdesk._store.conn
    assert store_conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store_conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0


async def test_markup_and_control_characters_are_stored_verbatim(local) -> None:  # type: ignore[no-untyped-def]
    body = (
        "[bold red]pwned[/] \x1b[2J\x1b]0;title\x07 <script>alert(1)</script> {name} %s "
        "'quote\" \u202e"
    )
    await local.helpdesk.reply(local.tid("sso"), body)
    detail = await local.helpdesk.get_ticket(local.tid("sso"))
    assert detail.messages[-1].body == body


async def test_a_one_megabyte_body_round_trips(local) -> None:  # type: ignore[no-untyped-def]
    body = ("0123456789abcdef" * 65536) + "\nend"
    await local.helpdesk.add_note(local.tid("sso"), body)
    detail = await local.helpdesk.get_ticket(local.tid("sso"))
    assert detail.messages[-1].body == body and len(body) > 1_000_000


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "*",
        "NEAR(",
        "sso OR",
        "OR",
        "AND NOT",
        "title:saml",
        '"unbalanced',
        "-",
        "^x",
        "sso*",
    ],
)
async def test_kb_search_never_interprets_fts_syntax(local, query: str) -> None:  # type: ignore[no-untyped-def]
    results = await local.helpdesk.search_kb(query)
    assert isinstance(results, list)


def test_fts_query_quotes_every_word() -> None:
    assert (
        queries.fts_query('NEAR(sso "x" OR) title:*') == '"near" OR "sso" OR "x" OR "or" OR "title"'
    )
    assert queries.fts_query("  ") == ""


async def test_queue_query_is_a_literal_substring_of_subject_or_excerpt(local) -> None:  # type: ignore[no-untyped-def]
    async def ids(text: str) -> set[str]:
        return {
            local.key_of(t.id) async for t in local.helpdesk.iter_queue(QueueFilter(query=text))
        }

    assert await ids("okta") == {"sso"}  # excerpt, any case
    assert await ids("Custom Fields") == {"pending"}  # subject
    assert await ids("%") == set() and await ids("_") == set()  # not LIKE wildcards


async def test_kb_search_rejects_a_bad_limit(local) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput):
        await local.helpdesk.search_kb("sso", limit=0)


async def test_db_option_is_honoured_and_defaults_to_the_data_dir(tmp_path: Path) -> None:
    chosen = tmp_path / "nested" / "chosen.db"
    async with LocalHelpdesk(LocalOptions(db=chosen)) as helpdesk:
        assert [t async for t in helpdesk.iter_queue()] == []
    assert is_triage_db(chosen)
    async with LocalHelpdesk() as helpdesk:
        assert helpdesk.db_path == paths.default_db()
    assert is_triage_db(paths.default_db())


def test_options_come_from_config_and_environment(tmp_path: Path) -> None:
    profile = config.Profile(adapter="local", options={"db": str(tmp_path / "config.db")})
    options = config.adapter_options("local", LocalOptions, profile, environ={})
    assert isinstance(options, LocalOptions) and options.db == tmp_path / "config.db"
    options = config.adapter_options(
        "local", LocalOptions, profile, environ={"TRIAGE_LOCAL_DB": str(tmp_path / "env.db")}
    )
    assert options.db == tmp_path / "env.db"
    with pytest.raises(ConfigError):
        config.adapter_options("local", LocalOptions, config.Profile(options={"nope": 1}))


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"db": None},
        {"db": Path("/srv/helpdesk.db")},
        {"db": Path("~/helpdesk.db")},
        {"db": Path("relative.db")},
        {"db": "/srv/helpdesk.db"},  # from the config file or TRIAGE_LOCAL_DB
        {"db": "~/helpdesk.db"},
        {"db": "relative dir/h.db"},
    ],
)
def test_quick_options_equal_validated_ones(data: dict[str, object]) -> None:
    from pydantic import TypeAdapter

    quick = config_quick.build(LocalOptions, data)
    validated = TypeAdapter(LocalOptions).validate_python(data)
    assert quick is not None
    assert type(quick) is LocalOptions
    assert quick == validated
    assert {k: type(v) for k, v in quick.__dict__.items()} == {
        k: type(v) for k, v in validated.__dict__.items()
    }
    assert config.to_json(quick) == config.to_json(validated)
    assert config.to_json(quick) == TypeAdapter(LocalOptions).dump_python(quick, mode="json")


@pytest.mark.parametrize(
    "data",
    [
        {"db": ""},  # pydantic makes it "." (a directory: refused when opened)
        {"db": 3},
        {"agent": 3},
        {"nope": 1},
        {"db": Path("/x.db"), "extra": True},
    ],
)
def test_other_options_are_left_to_full_validation(data: dict[str, object]) -> None:
    assert config_quick.build(LocalOptions, data) is None


def test_adapter_options_report_the_same_errors_after_the_quick_path() -> None:
    with pytest.raises(ConfigError, match=r"^adapter 'local' option nope: unknown key$"):
        config.adapter_options("local", LocalOptions, config.Profile(options={"nope": 1}))
    with pytest.raises(ConfigError, match=r"^adapter 'local' option agent: "):
        config.adapter_options("local", LocalOptions, config.Profile(options={"agent": 3}))


def test_capabilities_are_flags_checked_when_declared() -> None:
    from triage_tui.adapters.base import Capabilities, Helpdesk

    assert Helpdesk.capabilities == Capabilities()
    assert LocalHelpdesk.capabilities.kb_list and not LocalHelpdesk.capabilities.safe_update
    with pytest.raises(TypeError, match="Capabilities.tags must be True or False"):
        Capabilities(tags="no")  # type: ignore[arg-type]


def test_registry_loads_the_local_adapter() -> None:
    cls = registry.load("local")
    assert cls is LocalHelpdesk and cls.name == "local" and cls.display_name == "Local"
    assert cls.capabilities.create_ticket and cls.capabilities.kb_list
    assert not cls.capabilities.safe_update


def _one_line(error: TriageError, path: Path) -> None:
    assert "\n" not in str(error) and str(path) in str(error)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("just some notes, not a database\n" * 100)
    with pytest.raises(ConfigError) as caught:
        connect(bogus)
    _one_line(caught.value, bogus)
    assert bogus.read_text().startswith("just some notes")


def test_another_apps_sqlite_file_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE invoices(id INTEGER)")
    with pytest.raises(ConfigError) as caught:
        connect(other)
    _one_line(caught.value, other)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "future.db"
    connect(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(ConfigError, match="newer"):
        connect(db)


async def test_an_unopenable_path_is_unreachable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    target = blocker / "sub" / "helpdesk.db"  # a folder cannot be made under a file
    with pytest.raises(Unreachable) as caught:
        await LocalHelpdesk(LocalOptions(db=target)).open()
    _one_line(caught.value, target)
    with pytest.raises(ConfigError):
        connect(tmp_path)  # a directory


async def test_create_ticket_reuses_a_known_requester(local) -> None:  # type: ignore[no-untyped-def]
    ticket = await local.helpdesk.create_ticket(
        NewTicket(
            subject="Again",
            body="Me again",
            requester_email="ANA@acme.example",
            priority=Priority.LOW,
        )
    )
    assert ticket.requester.id == local.people["ana"]
    assert ticket.organization is not None and ticket.organization.name == "Acme Corp"
    with pytest.raises(InvalidInput):
        await local.helpdesk.create_ticket(NewTicket(subject="x", body="y", requester_email="nope"))


async def test_solving_stops_the_running_sla_clock(local) -> None:  # type: ignore[no-untyped-def]
    ticket = await local.helpdesk.set_status(local.tid("sso"), Status.SOLVED)
    assert all(s.stage.value != "active" for s in ticket.sla)


async def test_a_large_queue_costs_two_queries_per_page(tmp_path: Path, clock: FrozenClock) -> None:
    spec = DEFAULT_SPEC.with_fillers(1200)
    db = tmp_path / "big.db"
    seed_local_db(db, spec)
    async with LocalHelpdesk(LocalOptions(db=db), clock=clock) as helpdesk:
        statements: list[str] = []
        helpdesk._store.conn.set_trace_callback(statements.append)
        tickets = [t async for t in helpdesk.iter_queue()]
    assert len(tickets) == len({t.id for t in tickets}) == len(spec.active_keys())
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    pages = -(-1202 // queries.PAGE_SIZE) + 4  # open pages + one empty probe per status
    assert len(selects) <= 2 * pages


async def test_two_adapters_share_one_file(local, tmp_path: Path, clock: FrozenClock) -> None:  # type: ignore[no-untyped-def]
    async with LocalHelpdesk(LocalOptions(db=tmp_path / "contract.db"), clock=clock) as other:
        await other.reply(local.tid("sso"), "From the other console")
    detail = await local.helpdesk.get_ticket(local.tid("sso"))
    assert detail.messages[-1].body == "From the other console"


async def test_close_is_idempotent_and_methods_reopen(tmp_path: Path) -> None:
    helpdesk = LocalHelpdesk(LocalOptions(db=tmp_path / "lazy.db"))
    assert await helpdesk.search_kb("anything") == []  # opened lazily
    await helpdesk.close()
    await helpdesk.close()


async def test_opening_and_the_first_screen_need_no_worker_thread(
    tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker thread waited for the GIL behind the console's first frame and
    # made the first rows ~30 ms later (docs/performance.md); they are read
    # on the event loop. Everything else still goes to a thread.
    import asyncio

    db = tmp_path / "h.db"
    tickets, _, _ = seed_local_db(db, DEFAULT_SPEC)
    hops: list[str] = []
    to_thread = asyncio.to_thread

    async def counting(fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        hops.append(getattr(fn, "__name__", repr(fn)))
        return await to_thread(fn, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counting)
    helpdesk = LocalHelpdesk(LocalOptions(db=db), clock=clock)
    await helpdesk.open()
    rows = await helpdesk.first_rows(3)
    assert hops == []
    assert rows and len(rows) <= 3 and {r.id for r in rows} <= set(tickets.values())
    await helpdesk.get_ticket(rows[0].id)
    assert hops == ["read"]
    await helpdesk.close()


def test_an_adapter_that_declares_no_options_accepts_none() -> None:
    from triage_tui.adapters.base import Helpdesk, NoOptions

    class Bare(LocalHelpdesk):
        name = "bare"
        options_model = Helpdesk.options_model

    assert Bare.options_model is NoOptions
    options = config.adapter_options("bare", Bare.options_model, config.Profile())
    assert options == NoOptions() and config.to_json(options) == {}
    assert type(Bare().options) is NoOptions
    with pytest.raises(ConfigError, match=r"^adapter 'bare' option colour: unknown key$"):
        config.adapter_options("bare", Bare.options_model, config.Profile(options={"colour": 1}))
