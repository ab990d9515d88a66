"""Builders for the triage-intelligence tests: tickets with conversations, small KBs."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import FROZEN_NOW
from triage_tui.domain.enums import Role, Status
from triage_tui.domain.models import Article, Message, Person, Ticket, TicketDetail


def detail(
    *bodies: str | tuple[Role, str],
    subject: str = "Help",
    status: Status = Status.OPEN,
    tags: list[str] | None = None,
    name: str = "Dana Scully",
    ticket_id: str = "T-100",
) -> TicketDetail:
    """A ticket whose messages are ``bodies`` (customer unless given as (role, body))."""
    person = Person(id="p1", name=name, email="dana@example.com")
    ticket = Ticket(
        id=ticket_id,
        subject=subject,
        status=status,
        requester=person,
        tags=tags or [],
        created_at=FROZEN_NOW - timedelta(hours=3),
        updated_at=FROZEN_NOW,
    )
    messages = []
    for i, body in enumerate(bodies):
        role, text = body if isinstance(body, tuple) else (Role.CUSTOMER, body)
        messages.append(
            Message(
                id=f"m{i}",
                ticket_id=ticket_id,
                author="Dana" if role is Role.CUSTOMER else "Agent",
                role=role,
                body=text,
                created_at=FROZEN_NOW - timedelta(hours=3) + timedelta(minutes=10 * i),
            )
        )
    return TicketDetail(ticket=ticket, messages=messages)


KB = [
    Article(
        id="cancel",
        title="Cancel an order",
        body=(
            "You can cancel an order until it ships.\n\n"
            "1. Open **My Orders**.\n2. Click Cancel next to the order you want to cancel.\n\n"
            "Cancelled orders are refunded to the original payment method."
        ),
        url="https://kb.example/cancel",
    ),
    Article(
        id="refund",
        title="Track your refund",
        body="Refunds reach your bank within 5 to 7 business days. "
        "You can track the refund status under Billing > Refunds.",
        url="https://kb.example/refund",
    ),
    Article(
        id="password",
        title="Reset your password",
        body="Use the Forgot password link on the sign-in page. "
        "We email a reset link that is valid for one hour.",
        url="https://kb.example/password",
    ),
    Article(
        id="address",
        title="Change the shipping address",
        body="Edit the shipping address of an order from My Orders while it has not shipped.",
        url="https://kb.example/address",
    ),
    Article(
        id="invoice",
        title="Download an invoice",
        body="Invoices are available as PDF under Billing > Invoices.",
        url="https://kb.example/invoice",
    ),
]
