"""Fill the fake helpdesks from the contract's ``SeedSpec`` (as each API would hold it).

Returns the spec-key -> helpdesk-id maps the contract uses (``Seeded``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.adapters.seed import SeedSla, SeedSpec, SeedTicket
from tests.fakes.gleap import FakeGleap
from tests.fakes.zendesk import FakeZendesk, ts
from triage_tui.domain.enums import Role, SlaStage

#: The agents of the fake accounts; the first is the one the credentials belong to.
AGENTS = (
    ("Sam Rivera", "sam@triage.example"),
    ("Mei Chen", "mei@triage.example"),
    ("Priya Nair", "priya@triage.example"),
)
GROUPS = ("Support", "Billing", "Engineering")

IdMaps = tuple[dict[str, str], dict[str, str], dict[str, str]]


def seed_zendesk(fake: FakeZendesk, spec: SeedSpec) -> IdMaps:
    now = spec.now
    with fake.lock:
        org_ids = {o.key: 51 + n for n, o in enumerate(spec.orgs)}
        for o in spec.orgs:
            fake.orgs[org_ids[o.key]] = {
                "id": org_ids[o.key],
                "name": o.name,
                "tags": ["vip"] if o.vip else [],
                "organization_fields": {"tier": o.tier},
            }
        people = {p.key: 1 + n for n, p in enumerate(spec.people)}
        for p in spec.people:
            fake.users[people[p.key]] = {
                "id": people[p.key],
                "name": p.name,
                "email": p.email,
                "role": "end-user",
                "organization_id": org_ids.get(p.org or ""),
                "created_at": ts(now - timedelta(days=365)),
                "tags": [],
                "user_fields": {"tier": p.tier, "account_value": p.account_value},
            }
        agents = {}
        for n, (name, email) in enumerate(AGENTS):
            agents[name] = 900 + n
            fake.users[900 + n] = {
                "id": 900 + n,
                "name": name,
                "email": email,
                "role": "agent",
                "organization_id": None,
                "created_at": ts(now - timedelta(days=700)),
                "tags": [],
                "user_fields": {},
            }
        groups = {name: 11 + n for n, name in enumerate(GROUPS)}
        fake.groups.update({gid: {"id": gid, "name": name} for name, gid in groups.items()})
        tickets = {t.key: str(101 + n) for n, t in enumerate(spec.tickets)}
        for t in spec.tickets:
            tid = int(tickets[t.key])
            requester = people[t.requester]
            fake.tickets[tid] = {
                "id": tid,
                "url": f"{fake.origin}/api/v2/tickets/{tid}.json",
                "subject": t.subject,
                "description": t.messages[0].body,
                "status": {"on_hold": "hold"}.get(t.status.value, t.status.value),
                "priority": t.priority.value,
                "requester_id": requester,
                "submitter_id": requester,
                "assignee_id": agents.get(t.assignee or ""),
                "group_id": groups.get(t.group or ""),
                "organization_id": fake.users[requester]["organization_id"],
                "tags": list(t.tags),
                "via": {"channel": t.channel},
                "created_at": ts(now - t.ago),
                "updated_at": ts(now - min(m.ago for m in t.messages)),
            }
            fake.sla[tid] = [
                {"metric": s.metric, "stage": s.stage.value, "breach_at": ts(now + s.due_in)}
                for s in t.sla
            ]
            comments = fake.comments.setdefault(tid, [])
            for m in t.messages:
                author = (
                    requester
                    if m.role is Role.CUSTOMER
                    else agents.get(m.author or "Sam Rivera", 900)
                )
                comments.append(
                    {
                        "id": fake.next_id(),
                        "type": "Comment",
                        "author_id": author,
                        "body": m.body,
                        "public": m.public,
                        "created_at": ts(now - m.ago),
                    }
                )
        articles = {a.key: str(9001 + n) for n, a in enumerate(spec.articles)}
        for a in spec.articles:
            aid = int(articles[a.key])
            fake.articles.append(
                {
                    "id": aid,
                    "title": a.title,
                    "body": f"<p>{a.body}</p>",
                    "html_url": a.url or f"https://help.example/hc/en-us/articles/{aid}",
                    "section_id": 300,
                    "locale": "en-us",
                }
            )
    return tickets, {k: str(v) for k, v in people.items()}, articles


def gleap_view(spec: SeedSpec) -> SeedSpec:
    """The spec as Gleap can hold it: one due date per ticket (the next active target).

    Gleap has ``dueDate`` + ``slaBreached`` instead of several SLA metrics, so
    the contract's SLA expectations are taken from this projection.
    """

    def project(ticket: SeedTicket) -> SeedTicket:
        active = [s for s in ticket.sla if s.stage is SlaStage.ACTIVE]
        if not active:
            return replace(ticket, sla=())
        due = min(s.due_in for s in active)
        return replace(ticket, sla=(SeedSla("due_date", due, SlaStage.ACTIVE),))

    return replace(spec, tickets=tuple(project(t) for t in spec.tickets))


def seed_gleap(fake: FakeGleap, spec: SeedSpec) -> IdMaps:
    now = spec.now
    with fake.lock:
        users = {}
        for n, (name, email) in enumerate(AGENTS):
            uid = f"a{n:023x}"
            first, last = name.split(" ", 1)
            users[name] = uid
            fake.agents[uid] = {
                "_id": uid,
                "id": uid,
                "email": email,
                "firstName": first,
                "lastName": last,
            }
        orgs = {o.key: o for o in spec.orgs}
        sessions = {}
        for n, p in enumerate(spec.people):
            sid = f"5{n:023x}"
            sessions[p.key] = sid
            org = orgs.get(p.org or "")
            fake.sessions[sid] = {
                "_id": sid,
                "id": sid,
                "gleapId": f"g{n}",
                "userId": f"user-{p.key}",
                "name": p.name,
                "email": p.email,
                "companyId": org.key if org else None,
                "companyName": org.name if org else None,
                "plan": p.tier,
                "value": p.account_value,
                "tags": ["vip"] if org is not None and org.vip else [],
                "createdAt": ts(now - timedelta(days=365)),
            }
        tickets = {t.key: f"6{n:023x}" for n, t in enumerate(spec.tickets)}
        for n, t in enumerate(spec.tickets):
            tid = tickets[t.key]
            active = [s for s in t.sla if s.stage is SlaStage.ACTIVE]
            due = now + min(s.due_in for s in active) if active else None
            status = {
                "new": "OPEN",
                "open": "OPEN",
                "pending": "INPROGRESS",
                "on_hold": "INPROGRESS",
            }.get(t.status.value, "DONE")
            fake.tickets[tid] = {
                "_id": tid,
                "id": tid,
                "bugId": 1001 + n,
                "title": t.subject,
                "formData": {"description": t.messages[0].body},
                "type": "INQUIRY",
                "status": status,
                "priority": {"low": "LOW", "normal": "MEDIUM", "high": "HIGH", "urgent": "HIGH"}[
                    t.priority.value
                ],
                "archived": t.status.value == "closed",
                "createdAt": ts(now - t.ago),
                "updatedAt": ts(now - min(m.ago for m in t.messages)),
                "processingUser": users.get(t.assignee or ""),
                "processingTeam": None,
                "session": sessions[t.requester],
                "tags": list(t.tags),
                "dueDate": ts(due) if due else None,
                "slaBreached": bool(due and due < now),
                "channel": t.channel,
            }
            for m in t.messages:
                agent = m.role is not Role.CUSTOMER
                fake.add_message(
                    tid,
                    m.body,
                    note=not m.public,
                    user=users.get(m.author or "Sam Rivera") if agent else None,
                    session=None if agent else sessions[t.requester],
                    at=now - m.ago,
                )
        articles = {a.key: f"kb{n:022x}" for n, a in enumerate(spec.articles)}
        for a in spec.articles:
            fake.articles.append(
                {
                    "sourceId": articles[a.key],
                    "sourceType": "HELPCENTER_ARTICLE",
                    "title": a.title,
                    "content": a.body,
                    "url": a.url or f"https://help.example/articles/{articles[a.key]}",
                }
            )
    return tickets, sessions, articles
