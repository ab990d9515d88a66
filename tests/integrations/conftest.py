"""A hook payload as the hook engine builds it, and a log capture for secret checks."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest

PAYLOAD: dict[str, Any] = {
    "event": "escalated",
    "hook": "page-oncall",
    "ticket": {
        "id": "4512",
        "subject": "Checkout fails with error 502 for every card",
        "link": "https://helpdesk.example.com/tickets/4512?tab=thread&x=1",
        "status": "open",
        "priority": "urgent",
        "group": "Billing",
        "assignee": "Sam Ortiz",
        "requester": {
            "name": "Mei Chen",
            "email": "mei@bigcorp.example",
            "tier": "enterprise",
            "vip": True,
        },
        "sla": {"state": "at_risk", "due_at": "2026-12-07T10:00:00Z", "minutes_left": 42},
    },
    "rules": [
        {
            "name": "payment-outage",
            "route": "billing-oncall",
            "evidence": ["subject mentions 'error 502'", "3 tickets in 10 min"],
        },
        {"name": "vip-requester", "route": "account-manager", "evidence": ["requester is VIP"]},
    ],
    "reason": "Payments are down for an enterprise customer",
    "follow_up": {
        "title": "Checkout returns 502 for card payments",
        "problem": "Card payments fail at checkout with a 502 from the payment gateway.",
        "acceptance": ["Card checkout succeeds", "An alert fires on gateway 5xx"],
    },
}


@pytest.fixture
def payload() -> dict[str, Any]:
    return copy.deepcopy(PAYLOAD)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every log record at every level, httpx's own included (it logs each URL)."""
    caplog.set_level(logging.DEBUG)
    return caplog
