"""The known data set every adapter under contract test is seeded with.

Times are offsets from the frozen test instant, so the same spec seeds a
SQLite file, a fake Zendesk or a fake Gleap and the expectations hold for
all. Keys ("sso", "ana"…) are symbolic: each adapter factory maps them to
the ids its helpdesk assigned (see ``contract.Seeded``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from tests.conftest import FROZEN_NOW
from triage_tui.domain.enums import Priority, Role, SlaStage, Status

H = timedelta(hours=1)
M = timedelta(minutes=1)
D = timedelta(days=1)


@dataclass(frozen=True)
class SeedOrg:
    key: str
    name: str
    tier: str | None = None
    vip: bool = False


@dataclass(frozen=True)
class SeedPerson:
    key: str
    name: str
    email: str
    org: str | None = None
    tier: str | None = None
    account_value: float | None = None


@dataclass(frozen=True)
class SeedMessage:
    role: Role
    body: str
    #: How long before "now" it was written.
    ago: timedelta
    public: bool = True
    author: str | None = None  # None: the requester (customer) or "Sam Rivera" (agent)


@dataclass(frozen=True)
class SeedSla:
    metric: str
    #: Due this long after "now" (negative: breached).
    due_in: timedelta
    stage: SlaStage = SlaStage.ACTIVE


@dataclass(frozen=True)
class SeedTicket:
    key: str
    subject: str
    status: Status
    priority: Priority
    requester: str
    ago: timedelta
    messages: tuple[SeedMessage, ...]
    sla: tuple[SeedSla, ...] = ()
    assignee: str | None = None
    group: str | None = None
    tags: tuple[str, ...] = ()
    channel: str = "email"


@dataclass(frozen=True)
class SeedArticle:
    key: str
    title: str
    body: str
    section: str = ""
    url: str = ""


@dataclass(frozen=True)
class SeedSpec:
    now: datetime
    orgs: tuple[SeedOrg, ...]
    people: tuple[SeedPerson, ...]
    tickets: tuple[SeedTicket, ...]
    articles: tuple[SeedArticle, ...] = field(default=())

    def ticket(self, key: str) -> SeedTicket:
        return next(t for t in self.tickets if t.key == key)

    def person(self, key: str) -> SeedPerson:
        return next(p for p in self.people if p.key == key)

    def active_keys(self) -> set[str]:
        return {t.key for t in self.tickets if t.status.is_active}

    def with_fillers(self, count: int) -> SeedSpec:
        """The spec plus ``count`` plain open tickets, to push the queue past one page."""
        fillers = tuple(
            SeedTicket(
                key=f"filler-{n}",
                subject=f"Filler ticket {n}",
                status=Status.OPEN,
                priority=Priority.LOW,
                requester="ben",
                ago=timedelta(minutes=10 + n),
                messages=(
                    SeedMessage(Role.CUSTOMER, f"Filler body {n}", timedelta(minutes=10 + n)),
                ),
                sla=(SeedSla("first_reply_time", timedelta(hours=5, minutes=n)),),
            )
            for n in range(count)
        )
        return replace(self, tickets=self.tickets + fillers)


C, A = Role.CUSTOMER, Role.AGENT

DEFAULT_SPEC = SeedSpec(
    now=FROZEN_NOW,
    orgs=(
        SeedOrg("acme", "Acme Corp", "enterprise", vip=True),
        SeedOrg("globex", "Globex", "business"),
    ),
    people=(
        SeedPerson("ana", "Ana Lopez", "ana@acme.example", "acme", "enterprise", 120_000.0),
        SeedPerson("ben", "Ben Okafor", "ben@globex.example", "globex", "business", 9_000.0),
        SeedPerson("chloe", "Chloé Martin", "chloe@mailbox.example", None, "free", 0.0),
    ),
    tickets=(
        SeedTicket(
            "sso",
            "SSO login loops back to the sign-in page",
            Status.OPEN,
            Priority.HIGH,
            "ana",
            ago=3 * H,
            messages=(
                SeedMessage(
                    C, "When we sign in through Okta we land back on the login page.", 3 * H
                ),
                SeedMessage(A, "Hi Ana, could you check the NameID format?", 2 * H + 50 * M),
                SeedMessage(
                    A, "Likely the SAML certificate rotation.", 2 * H + 45 * M, public=False
                ),
                SeedMessage(C, "The NameID is emailAddress already. Still looping.", 1 * H),
            ),
            sla=(
                SeedSla("first_reply_time", -2 * H, SlaStage.ACHIEVED),
                SeedSla("next_reply_time", 30 * M),
            ),
            assignee="Sam Rivera",
            group="Support",
            tags=("sso", "login"),
        ),
        SeedTicket(
            "breached",
            "API returns 429 Too Many Requests",
            Status.NEW,
            Priority.URGENT,
            "ben",
            ago=2 * H,
            messages=(SeedMessage(C, "Our nightly sync fails with HTTP 429 from the API.", 2 * H),),
            sla=(SeedSla("first_reply_time", -10 * M),),
            tags=("api",),
            channel="api",
        ),
        SeedTicket(
            "pending",
            "Export is missing custom fields",
            Status.PENDING,
            Priority.NORMAL,
            "ana",
            ago=2 * D,
            messages=(
                SeedMessage(C, "The CSV export does not include our custom fields.", 2 * D),
                SeedMessage(A, "Which custom fields are missing?", 2 * D - 2 * H),
            ),
            sla=(
                SeedSla("first_reply_time", -2 * D + 6 * H, SlaStage.ACHIEVED),
                SeedSla("requester_wait_time", 1 * D, SlaStage.PAUSED),
            ),
            assignee="Mei Chen",
            group="Support",
            tags=("export",),
            channel="web",
        ),
        SeedTicket(
            "nosla",
            "Daily digest arrives at 2 am",
            Status.NEW,
            Priority.LOW,
            "chloe",
            ago=40 * M,
            messages=(
                SeedMessage(C, "The daily digest arrives in the middle of the night.", 40 * M),
            ),
            channel="chat",
        ),
        SeedTicket(
            "solved",
            "Slack notifications stopped",
            Status.SOLVED,
            Priority.LOW,
            "ana",
            ago=30 * D,
            messages=(
                SeedMessage(C, "Updates stopped showing up in Slack.", 30 * D),
                SeedMessage(A, "Reconnecting the Slack integration fixes it.", 30 * D - 3 * H),
            ),
            sla=(SeedSla("first_reply_time", -30 * D + 8 * H, SlaStage.ACHIEVED),),
            assignee="Sam Rivera",
            tags=("slack",),
        ),
        SeedTicket(
            "closed",
            "Change workspace URL",
            Status.CLOSED,
            Priority.NORMAL,
            "chloe",
            ago=90 * D,
            messages=(
                SeedMessage(C, "We'd like to change our workspace URL.", 90 * D),
                SeedMessage(A, "Done: the URL is changed and old links redirect.", 90 * D - H),
            ),
            assignee="Priya Nair",
        ),
    ),
    articles=(
        SeedArticle(
            "saml",
            "Set up SAML single sign-on (SSO)",
            "Connect Okta, Azure AD or Google Workspace with SAML 2.0. A sign-in loop usually "
            "means the NameID format is not emailAddress.",
            "Sign-in & SSO",
        ),
        SeedArticle(
            "ratelimit",
            "API rate limits and 429 Too Many Requests",
            "The API allows 600 requests per minute per key. On HTTP 429 wait for Retry-After.",
            "API & developers",
        ),
        SeedArticle(
            "export",
            "Export a project to CSV or JSON",
            "Custom fields must be ticked in the export dialog; exports run in the background.",
            "Import & export",
        ),
    ),
)
