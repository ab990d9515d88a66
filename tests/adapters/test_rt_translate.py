"""The ``rt`` adapter's translation rules on plain REST2 payloads (no server needed).

The same rules run against a real RT in tests/real; these pin them down
where a real RT cannot easily be made to produce the case (an SLA level,
a 200 full of mixed success and refusal lines, options from the environment).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from triage_tui.adapters.rt import translate
from triage_tui.adapters.rt.options import RtOptions
from triage_tui.config import Profile, adapter_options
from triage_tui.domain.enums import Priority, Role, SlaStage, Status


def translator(**options: object) -> translate.Translator:
    return translate.Translator(RtOptions(url="https://rt.example.com", **options))  # type: ignore[arg-type]


def ticket_item(**fields: object) -> dict[str, object]:
    item: dict[str, object] = {
        "id": "7",
        "Subject": "VPN down",
        "Status": "open",
        "Priority": "50",
        "Created": "2026-11-20T08:00:00Z",
        "LastUpdated": "2026-11-21T08:00:00Z",
        "Due": "2026-11-22T10:00:00Z",
        "SLA": "",
        "Queue": {"id": "3", "Name": "Support"},
        "Owner": {"id": "Nobody", "Name": "Nobody"},
        "Requestor": [
            {
                "id": "ana@acme.example",
                "Name": "ana@acme.example",
                "RealName": "Ana Lopez",
                "EmailAddress": "ana@acme.example",
                "Organization": "Acme Corp",
            }
        ],
    }
    item.update(fields)
    return item


def test_rt_unset_dates_are_none() -> None:
    assert translate.parse_time("1970-01-01T00:00:00Z") is None
    assert translate.parse_time("1970-01-01 00:00:00") is None
    assert translate.parse_time("") is None and translate.parse_time("Not set") is None
    assert translate.parse_time("2026-11-22 10:00:00") == datetime(2026, 11, 22, 10, tzinfo=UTC)
    # RT only reads back what it is given in its own format.
    assert translate.format_time(datetime(2026, 11, 22, 10, tzinfo=UTC)) == "2026-11-22 10:00:00"


def test_sla_from_due_with_stage_by_status_and_level_as_metric() -> None:
    tr = translator()
    due = datetime(2026, 11, 22, 10, tzinfo=UTC)
    assert [(s.metric, s.due_at, s.stage) for s in tr.ticket(ticket_item()).sla] == [
        ("due", due, SlaStage.ACTIVE)
    ]
    assert tr.ticket(ticket_item(Status="stalled")).sla[0].stage is SlaStage.PAUSED
    assert tr.ticket(ticket_item(Status="resolved")).sla[0].stage is SlaStage.ACHIEVED
    assert tr.ticket(ticket_item(SLA="4h")).sla[0].metric == "sla_4h"
    assert tr.ticket(ticket_item(Due="1970-01-01T00:00:00Z")).sla == []


def test_statuses_both_ways_and_overrides() -> None:
    tr = translator()
    reads = {s: tr.status(s) for s in ("new", "open", "stalled", "resolved", "rejected", "deleted")}
    assert reads == {
        "new": Status.NEW,
        "open": Status.OPEN,
        "stalled": Status.PENDING,
        "resolved": Status.SOLVED,
        "rejected": Status.CLOSED,
        "deleted": Status.CLOSED,
    }
    assert tr.status("waiting-on-vendor") is Status.OPEN  # unknown custom status: work to do
    assert [tr.rt_status(s) for s in Status] == [
        "new",
        "open",
        "stalled",
        "stalled",
        "resolved",
        "rejected",
    ]
    custom = translator(status_map={"on-hold": "waiting"}, status_from_rt={"waiting": "hold"})
    assert (
        custom.rt_status(Status.ON_HOLD) == "waiting" and custom.status("waiting") is Status.ON_HOLD
    )
    assert custom.rt_statuses({Status.ON_HOLD}) == ["waiting"]
    assert tr.rt_statuses({Status.SOLVED, Status.CLOSED}) == ["deleted", "rejected", "resolved"]


def test_priority_numbers_read_as_the_highest_level_reached() -> None:
    tr = translator()
    assert [tr.priority(n) for n in (0, 49, 50, 99, 100, 149, 150, 255)] == [
        Priority.LOW,
        Priority.LOW,
        Priority.NORMAL,
        Priority.NORMAL,
        Priority.HIGH,
        Priority.HIGH,
        Priority.URGENT,
        Priority.URGENT,
    ]
    assert [tr.rt_priority(p) for p in Priority] == [0, 50, 100, 150]
    small = translator(priorities="urgent=90,high=70")
    assert small.priority(80) is Priority.HIGH and small.rt_priority(Priority.URGENT) == 90


def test_requester_organization_vip_owner_and_queue() -> None:
    ticket = translator(vip_organizations="acme corp").ticket(
        ticket_item(Owner={"id": "priya", "Name": "priya", "RealName": "Priya Nair"})
    )
    assert (ticket.requester.name, ticket.requester.first_name) == ("Ana Lopez", "Ana")
    assert ticket.organization is not None and ticket.organization.vip
    assert (ticket.assignee, ticket.group) == ("Priya Nair", "Support")
    assert translator().ticket(ticket_item()).assignee is None  # Nobody


def test_refusals_are_the_lines_that_are_not_successes() -> None:
    answer = [
        "Ticket 7: Priority changed from 'Low' to 'Medium'",
        "Ticket 7: Status 'bogus' isn't a valid status for this ticket.",
        "Ticket 7: That is already the current value",
        "Ticket 7: Owner changed from Nobody to priya",
        "Ticket 7: That user may not own tickets in that queue",
        "Correspondence added",
    ]
    assert translate.refusals(answer) == [
        "Status 'bogus' isn't a valid status for this ticket.",
        "That user may not own tickets in that queue",
    ]
    assert translate.refusals(["Comments added"]) == [] and translate.refusals(None) == []


def test_message_bodies_prefer_plain_text_then_html_and_list_files() -> None:
    plain = [{"ContentType": "text/plain", "Content": "Hello\n\nthere"}]
    assert translate.body_of(plain) == "Hello\n\nthere"
    html_only = [
        {
            "ContentType": "text/html",
            "Content": "<p>Hi <b>Ana</b></p><p>a &lt; b</p><script>x()</script>",
        }
    ]
    assert translate.body_of(html_only) == "Hi Ana\n\na < b"
    with_file = plain + [{"ContentType": "application/pdf", "Filename": "invoice.pdf"}]
    assert translate.body_of(with_file) == "Hello\n\nthere\n\n[attachment: invoice.pdf]"
    txn = {
        "id": "42",
        "Type": "Comment",
        "Created": "2026-11-22T09:00:00Z",
        "Creator": {"Name": "sam", "RealName": "Sam Rivera", "EmailAddress": "sam@x.example"},
    }
    note = translate.message("7", txn, plain, Role.AGENT)
    assert (note.public, note.author, note.role) == (False, "Sam Rivera", Role.AGENT)


def test_ticketsql_strings_are_quoted() -> None:
    assert translate.sql_quote("O'Brien \\ co") == "'O\\'Brien \\\\ co'"


def test_options_from_the_environment_and_what_is_missing() -> None:
    env = {
        "TRIAGE_RT_URL": "https://rt.example.com/",
        "TRIAGE_RT_TOKEN": "1-2-secret",
        "TRIAGE_RT_QUEUES": "Support, Billing",
        "TRIAGE_RT_STATUS_MAP": "pending=waiting",
        "TRIAGE_RT_VIP_ORGANIZATIONS": '["Acme Corp", "Globex"]',
    }
    options = adapter_options("rt", RtOptions, Profile(adapter="rt"), env)
    assert isinstance(options, RtOptions)
    assert options.queues == ["Support", "Billing"] and options.vip_organizations == [
        "Acme Corp",
        "Globex",
    ]
    assert (
        options.api_url == "https://rt.example.com/REST/2.0"
        and options.write_status["pending"] == "waiting"
    )
    assert "secret" not in repr(options) and options.missing() == []
    assert RtOptions().missing() == [
        "TRIAGE_RT_URL",
        "TRIAGE_RT_TOKEN (or TRIAGE_RT_USER + TRIAGE_RT_PASSWORD)",
    ]
    with pytest.raises(ValueError):
        RtOptions(url="rt.example.com")
