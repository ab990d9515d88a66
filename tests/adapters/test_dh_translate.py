"""The ``django_helpdesk`` adapter's translation rules on plain DRF payloads (no server needed)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from triage_tui.adapters.django_helpdesk import translate
from triage_tui.adapters.django_helpdesk.options import DjangoHelpdeskOptions
from triage_tui.cli import main
from triage_tui.config import Profile, adapter_options
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority, Role, SlaStage, Status

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def translator(**options: object) -> translate.Translator:
    return translate.Translator(
        DjangoHelpdeskOptions(agents={"Sam Rivera": 2}, vip_organizations=["Acme Corp"], **options)  # type: ignore[arg-type]
    )


def item(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": 12,
        "queue": 1,
        "title": "SSO loop",
        "description": "We land back on the login page.",
        "submitter_email": "Ana@Acme.example",
        "assigned_to": 2,
        "status": 1,
        "on_hold": False,
        "priority": 2,
        "due_date": "2026-11-22T10:00:00Z",
        "custom_requester_name": "Ana Lopez",
        "custom_organization": "Acme Corp",
        "followup_set": [
            {
                "id": 30,
                "user": 2,
                "title": "Ticket Opened",
                "public": True,
                "comment": "We land back on the login page.",
                "date": "2026-11-22T06:30:00Z",
            },
            {
                "id": 32,
                "user": None,
                "title": "SSO loop",
                "public": True,
                "comment": "Still looping.",
                "date": "2026-11-22T08:30:00.123456Z",
            },
            {
                "id": 31,
                "user": 2,
                "title": "SSO loop",
                "public": False,
                "comment": "Check the certificate.",
                "date": "2026-11-22T07:00:00Z",
            },
            {
                "id": 33,
                "user": 2,
                "title": "SSO loop",
                "public": False,
                "new_status": 3,
                "comment": "",
                "date": "2026-11-22T09:00:00Z",
            },
        ],
    }
    data.update(fields)
    return data


def test_ticket_fields_requester_from_custom_fields_and_created_from_the_first_follow_up() -> None:
    ticket = translator().ticket(item(), NOW)
    assert (ticket.id, ticket.subject, ticket.status, ticket.priority) == (
        "12",
        "SSO loop",
        Status.OPEN,
        Priority.HIGH,
    )
    assert (ticket.requester.id, ticket.requester.email, ticket.requester.name) == (
        "ana@acme.example",
        "Ana@Acme.example",
        "Ana Lopez",
    )
    assert (
        ticket.organization is not None
        and ticket.organization.vip
        and ticket.assignee == "Sam Rivera"
    )
    assert ticket.created_at == datetime(2026, 11, 22, 6, 30, tzinfo=UTC)
    assert ticket.updated_at == datetime(2026, 11, 22, 9, tzinfo=UTC)
    bare = translator().ticket(
        item(custom_requester_name=None, custom_organization=None, followup_set=[]), NOW
    )
    assert (bare.requester.name, bare.organization, bare.created_at) == (
        "Ana@Acme.example",
        None,
        NOW,
    )
    assert translator().ticket(item(assigned_to=9), NOW).assignee == "user 9"


def test_conversation_is_the_description_then_worded_follow_ups_in_date_order() -> None:
    tr = translator()
    data = item()
    messages = tr.messages(data, tr.ticket(data, NOW))
    assert [(m.role, m.public, m.body) for m in messages] == [
        (Role.CUSTOMER, True, "We land back on the login page."),
        (Role.AGENT, False, "Check the certificate."),
        (Role.CUSTOMER, True, "Still looping."),  # no user: it came by mail
    ]
    assert messages[1].author == "Sam Rivera" and messages[2].author_email == "Ana@Acme.example"


@pytest.mark.parametrize(
    ("number", "on_hold", "status"),
    [
        (1, False, Status.OPEN),
        (2, False, Status.OPEN),
        (1, True, Status.PENDING),
        (2, True, Status.PENDING),
        (3, False, Status.SOLVED),
        (3, True, Status.SOLVED),
        (4, False, Status.CLOSED),
        (5, False, Status.CLOSED),
    ],
)
def test_status_numbers_and_on_hold_read_as_domain_statuses(
    number: int, on_hold: bool, status: Status
) -> None:
    assert translator().status(number, on_hold) is status


def test_writing_statuses_reopens_as_reopened_and_holds_with_the_flag() -> None:
    tr = translator()
    assert tr.wire_status(Status.OPEN, 1) == (1, False)
    assert tr.wire_status(Status.OPEN, 3) == (2, False) and tr.wire_status(Status.OPEN, 5) == (
        2,
        False,
    )
    assert tr.wire_status(Status.PENDING, 4) == (2, True) and tr.wire_status(Status.ON_HOLD, 1) == (
        1,
        True,
    )
    assert tr.wire_status(Status.SOLVED, 2) == (3, False) and tr.wire_status(Status.CLOSED, 1) == (
        4,
        False,
    )
    assert tr.numbers_for(frozenset({Status.SOLVED, Status.CLOSED})) == [3, 4, 5]
    assert tr.numbers_for(frozenset({Status.PENDING})) == [1, 2]
    custom = translator(hold_status="on_hold", status_from_helpdesk={5: "solved"})
    assert custom.status(1, True) is Status.ON_HOLD and custom.status(5, False) is Status.SOLVED


def test_priorities_and_due_date_sla() -> None:
    tr = translator()
    assert [tr.priority(n) for n in (1, 2, 3, 4, 5)] == [
        Priority.URGENT,
        Priority.HIGH,
        Priority.NORMAL,
        Priority.LOW,
        Priority.LOW,
    ]
    due = datetime(2026, 11, 22, 10, tzinfo=UTC)
    assert [(s.metric, s.due_at, s.stage) for s in tr.ticket(item(), NOW).sla] == [
        ("due", due, SlaStage.ACTIVE)
    ]
    assert tr.ticket(item(on_hold=True), NOW).sla[0].stage is SlaStage.PAUSED
    assert tr.ticket(item(status=4), NOW).sla[0].stage is SlaStage.ACHIEVED
    assert tr.ticket(item(due_date=None), NOW).sla == []


def test_comments_are_escaped_for_django_helpdesks_template_rendering() -> None:
    typed = "Hi {{ ticket.title }} {% now 'Y' %} {# gone #} 100%} {x}"
    safe = translate.template_safe(typed)
    # No tag, comment or stray "%}" survives, and every brace is a literal of itself.
    assert "{%" not in safe and "%}" not in safe and "{#" not in safe
    assert re.sub(r'\{\{ "([{}])" \}\}', r"\1", safe) == typed
    assert translate.template_safe("no braces") == "no braces"


def test_drf_errors_become_one_readable_line() -> None:
    assert (
        translate.drf_detail({"status": ['"9" is not a valid choice.']})
        == 'status: "9" is not a valid choice.'
    )
    assert (
        translate.drf_detail({"detail": "Invalid username/password."})
        == "Invalid username/password."
    )
    assert translate.drf_detail(None) is None


def test_options_from_the_environment() -> None:
    env = {
        "TRIAGE_DJANGO_HELPDESK_URL": "https://help.example.com",
        "TRIAGE_DJANGO_HELPDESK_USER": "sam",
        "TRIAGE_DJANGO_HELPDESK_PASSWORD": "pw",
        "TRIAGE_DJANGO_HELPDESK_QUEUES": "3, 4",
        "TRIAGE_DJANGO_HELPDESK_AGENTS": "Sam Rivera=2, Priya Nair=5",
    }
    options = adapter_options(
        "django_helpdesk", DjangoHelpdeskOptions, Profile(adapter="django_helpdesk"), env
    )
    assert isinstance(options, DjangoHelpdeskOptions)
    assert options.queues == [3, 4] and options.agents == {"Sam Rivera": 2, "Priya Nair": 5}
    assert options.api_url == "https://help.example.com/api" and options.missing() == []
    assert "pw" not in repr(options)


def test_unconfigured_adapters_name_the_variables_to_set(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, clock: FrozenClock
) -> None:
    for adapter, variable in (
        ("rt", "TRIAGE_RT_URL"),
        ("django_helpdesk", "TRIAGE_DJANGO_HELPDESK_URL"),
    ):
        monkeypatch.setenv("TRIAGE_ADAPTER", adapter)
        assert main(["queue"], clock=clock) == 2
        err = capsys.readouterr().err
        assert variable in err and err.count("\n") == 1


async def test_a_helpdesk_that_does_not_answer_is_unreachable_in_one_line() -> None:
    import socket

    from triage_tui.adapters.django_helpdesk import DjangoHelpdesk
    from triage_tui.adapters.rt import RtHelpdesk, RtOptions
    from triage_tui.domain.errors import Unreachable

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"  # bound, never listening
        for helpdesk in (
            RtHelpdesk(RtOptions(url=url, token="1-2-sekrit-token")),  # type: ignore[arg-type]
            DjangoHelpdesk(DjangoHelpdeskOptions(url=url, user="sam", password="sekrit-pw")),  # type: ignore[arg-type]
        ):
            with pytest.raises(Unreachable) as caught:
                async with helpdesk:
                    pass
            text = str(caught.value)
            assert "\n" not in text and "sekrit" not in text and "127.0.0.1" in text
