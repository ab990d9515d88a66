"""The review screen (``A``): AI agents' proposals, one at a time, the ticket beside them.

Each proposal (``triage mcp``) shows the ticket as the agent read it — subject,
requester, the latest messages, the rules that fire — beside the proposed
writes and the safeguards' findings on the reply. One key each:

| key | action |
| --- | --- |
| ``s`` | **Send** as proposed (a blocking finding asks for ``y``: send anyway, logged) |
| ``e`` | **Edit** the reply in the editor, ``ctrl+s`` sends the edited text |
| ``x`` | **Escalate instead**: the escalation dialog; the proposal is rejected with why |
| ``n`` | **Skip**: the next proposal; this one keeps waiting |
| ``r`` | **Reject** with a reason, returned to the agent on its next call |
| ``esc`` | close |

Approved writes go through the outbox like any Send (delivered by the console,
the collision check on the way); the event log names the proposer and you.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from triage_tui.domain import events
from triage_tui.domain.errors import TriageError
from triage_tui.engine import proposals as pr
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.engine.recording import record
from triage_tui.ui import safe_text as st
from triage_tui.ui.keys import bindings, key_for
from triage_tui.ui.screens.ask import AskScreen, keys_line

if TYPE_CHECKING:
    from triage_tui.domain.safeguards.checks import Finding
    from triage_tui.engine.loader import TicketView
    from triage_tui.ui.console import ConsoleApp

#: Messages of the conversation shown beside a proposal, newest last.
SHOWN_MESSAGES = 3


def proposal_text(proposal: pr.Proposal) -> Content:
    """The proposed writes as the human reads them before deciding."""
    parts: list[Content] = []
    for entry in proposal.entries:
        body = entry.payload.get("body")
        if entry.kind == "reply":
            parts.append(Content.styled("Reply", "bold"))
            parts.append(Content(st.clean(str(body or ""))))
        elif entry.kind == "note":
            parts.append(Content.styled("Internal note", "bold"))
            parts.append(Content(st.clean(str(body or ""))))
        elif entry.kind == "status":
            status = st.clean(str(entry.payload.get("status")), one_line=True)
            parts.append(Content.assemble(("Then status ", "bold"), status))
        elif entry.kind == "escalate":
            reason = st.clean(str(entry.payload.get("reason", "")), one_line=True)
            group = entry.payload.get("group")
            route = f" → {st.clean(str(group), one_line=True)}" if group else ""
            parts.append(Content.assemble(("Escalate: ", "bold"), reason + route))
        else:
            parts.append(Content(st.clean(entry.label or entry.kind, one_line=True)))
    return Content("\n").join(parts)


def ticket_text(view: TicketView) -> Content:
    """The ticket beside the proposal: what the agent answered, in the customer's words."""
    ticket = view.detail.ticket
    head = Content.styled(
        f"#{st.clean(ticket.id, one_line=True)} {st.clean(ticket.subject, one_line=True)}", "bold"
    )
    who = st.clean(ticket.requester.name or ticket.requester.email, one_line=True)
    lines = [head, Content(f"{who} · {ticket.status.value} · {ticket.priority.value}")]
    for message in view.detail.messages[-SHOWN_MESSAGES:]:
        author = st.clean(message.author, one_line=True)
        lines.append(Content.styled(f"— {author} ({message.role.value})", "$text-muted"))
        lines.append(Content(st.clean(message.body)))
    for rule in view.fired_rules:
        lines.append(Content.styled(f"Rule fires: {st.clean(rule.title, one_line=True)}", "bold"))
    return Content("\n").join(lines)


def findings_text(findings: list[Finding]) -> Content:
    if not findings:
        return Content.styled("✓ no safeguard findings", "$text-success")
    return Content("\n").join(
        Content.styled(
            f"{'BLOCKS' if f.blocking else 'warns'}: {st.clean(f.reason, one_line=True)}",
            "$text-error" if f.blocking else "$text-warning",
        )
        for f in findings
    )


class ReviewScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    ReviewScreen { align: center middle; }
    ReviewScreen .review { width: 95%; height: 90%; }
    ReviewScreen #review-panes { height: 1fr; }
    ReviewScreen #review-ticket { width: 1fr; height: 1fr; overflow-y: auto; padding-right: 2; }
    ReviewScreen #review-side { width: 1fr; height: 1fr; }
    ReviewScreen #review-text { height: auto; max-height: 60%; overflow-y: auto; }
    ReviewScreen #review-editor { height: 1fr; display: none; }
    ReviewScreen #review-findings { height: auto; margin-top: 1; }
    """

    BINDINGS = bindings("proposals")

    def __init__(self, helpdesk: BufferedHelpdesk) -> None:
        super().__init__()
        self.helpdesk = helpdesk
        self.waiting: list[pr.Proposal] = []
        self.position = 0
        self.view: TicketView | None = None
        self.findings: list[Finding] = []
        #: Proposals passed over with ``n`` in this visit (they keep waiting).
        self.skipped: set[str] = set()

    @property
    def console(self) -> ConsoleApp:
        return self.app  # type: ignore[return-value]

    @property
    def current(self) -> pr.Proposal | None:
        return self.waiting[self.position] if self.position < len(self.waiting) else None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog review"):
            yield Static(Content.styled("Proposals", "bold"), id="review-title")
            with Horizontal(id="review-panes"):
                yield Static(Content(""), id="review-ticket")
                with Vertical(id="review-side"):
                    yield Static(Content(""), id="review-text")
                    # Disabled while hidden: a hidden editor must not take the keys.
                    yield TextArea(id="review-editor", disabled=True)
                    yield Static(Content(""), id="review-findings")
            key = partial(key_for, self.app, "proposals")
            yield Static(
                keys_line(
                    (key("send"), "send"),
                    (key("edit"), "edit"),
                    (key("escalate"), "escalate instead"),
                    (key("skip"), "skip"),
                    (key("reject"), "reject"),
                    (key("close"), "close"),
                ),
                classes="keys",
            )

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="review")
    async def load(self) -> None:
        """The proposals still waiting (skipped ones last), and the first one's ticket."""
        waiting = pr.pending(self.helpdesk)
        self.waiting = [p for p in waiting if p.id not in self.skipped] + [
            p for p in waiting if p.id in self.skipped
        ]
        self.position = 0
        await self.show_current()

    async def show_current(self) -> None:
        self._hide_editor()
        proposal = self.current
        title = self.query_one("#review-title", Static)
        if proposal is None:
            title.update(Content.styled("Proposals · none waiting", "bold"))
            self.query_one("#review-ticket", Static).update(Content(""))
            self.query_one("#review-text", Static).update(
                Content("No proposals from agents wait for you.")
            )
            self.query_one("#review-findings", Static).update(Content(""))
            return
        who = st.clean(proposal.first.proposer or "", one_line=True)
        title.update(
            Content.styled(
                f"Proposal {self.position + 1} of {len(self.waiting)} · from {who}"
                f" · {proposal.id[:8]}",
                "bold",
            )
        )
        try:
            self.view, self.findings = await pr.review(
                self.helpdesk, proposal, self.console.rules, self.console.clock
            )
        except TriageError as error:
            self.view, self.findings = None, []
            self.query_one("#review-ticket", Static).update(Content(f"Ticket not loaded: {error}"))
        else:
            self.query_one("#review-ticket", Static).update(ticket_text(self.view))
        self.query_one("#review-text", Static).update(proposal_text(proposal))
        self.query_one("#review-findings", Static).update(findings_text(self.findings))

    # -- decisions ----------------------------------------------------------------
    def _decided(self, line: str) -> None:
        self.app.notify(line, markup=False)
        self.load()

    async def _approve(self, body: str | None = None, *, anyway: bool = False) -> None:
        proposal = self.current
        if proposal is None:
            return
        blocks = [f for f in self.findings if f.blocking]
        if blocks and body is None and not anyway:
            self.app.notify(
                f"Blocked: {blocks[0].reason} — y sends anyway, e edits, r rejects",
                severity="warning",
                markup=False,
            )
            return
        try:
            if blocks and anyway:
                await record(
                    self.helpdesk,
                    events.SAFEGUARD_RAISED,
                    proposal.ticket_id,
                    events.override_payload(blocks),
                )
            await pr.approve(
                self.helpdesk, proposal, approver=self.console.profile.agent, body=body
            )
        except TriageError as error:
            self.app.notify(f"Not approved: {error}", severity="error", markup=False)
            return
        self._decided(f"Approved: {'; '.join(e.label for e in proposal.entries)}")

    @work(group="review-decision")
    async def action_send(self) -> None:
        await self._approve()

    @work(group="review-decision")
    async def action_send_anyway(self) -> None:
        await self._approve(anyway=True)

    def action_edit(self) -> None:
        proposal = self.current
        reply = next((e for e in proposal.entries if e.kind == "reply"), None) if proposal else None
        if reply is None:
            self.app.notify("Nothing to edit: this proposal has no reply.", markup=False)
            return
        editor = self.query_one("#review-editor", TextArea)
        editor.load_text(st.clean(str(reply.payload.get("body", ""))))
        editor.disabled = False
        editor.display = True
        editor.focus()

    def _hide_editor(self) -> None:
        editor = self.query_one("#review-editor", TextArea)
        editor.display = False
        editor.disabled = True

    @work(group="review-decision")
    async def action_send_edited(self) -> None:
        editor = self.query_one("#review-editor", TextArea)
        if not editor.display:
            await self._approve()
            return
        text = editor.text
        if self.view is not None:
            from triage_tui.domain.safeguards.checks import blocking, check

            blocks = blocking(
                check(text, detail=self.view.detail, kb=self.view.kb, rules=self.view.rules)
            )
            if blocks:
                self.app.notify(f"Blocked: {blocks[0].reason}", severity="warning", markup=False)
                return
        await self._approve(text)

    def action_skip(self) -> None:
        proposal = self.current
        if proposal is None:
            return
        self.skipped.add(proposal.id)
        self.position += 1
        if self.position >= len(self.waiting):
            self.position = 0
        self.run_worker(self.show_current(), exclusive=True, group="review")

    def action_reject(self) -> None:
        proposal = self.current
        if proposal is None:
            return

        def done(reason: str | None) -> None:
            if reason:
                self.run_worker(self._reject(proposal, reason), group="review-decision")

        self.app.push_screen(
            AskScreen(
                Content("Reject the proposal: why?"),
                hint=Content("The agent reads this on its next call."),
            ),
            done,
        )

    async def _reject(self, proposal: pr.Proposal, reason: str) -> None:
        try:
            await pr.reject(
                self.helpdesk, proposal, approver=self.console.profile.agent, reason=reason
            )
        except TriageError as error:
            self.app.notify(f"Not rejected: {error}", severity="error", markup=False)
            return
        self._decided(f"Rejected: {reason}")

    def action_escalate_instead(self) -> None:
        from triage_tui.engine.directory import directory_of
        from triage_tui.ui.screens.prompts import EscalateScreen, EscalationChoice

        proposal = self.current
        if proposal is None:
            return
        fired = self.view.fired_rules if self.view is not None else []
        reason = fired[0].title if fired else ""
        route = fired[0].route if fired else None

        def done(choice: EscalationChoice | None) -> None:
            if choice is not None:
                self.run_worker(self._escalate(proposal, choice), group="review-decision")

        self.app.push_screen(
            EscalateScreen(proposal.ticket_id, reason, "", route, directory_of(self.helpdesk)),
            done,
        )

    async def _escalate(self, proposal: pr.Proposal, choice: Any) -> None:
        from triage_tui.domain.models import Escalation

        try:
            await pr.reject(
                self.helpdesk,
                proposal,
                approver=self.console.profile.agent,
                reason=f"escalated instead: {choice.reason}",
            )
            await self.helpdesk.escalate(
                proposal.ticket_id,
                Escalation(
                    reason=choice.reason, note=choice.note, group=choice.group, tags=["escalated"]
                ),
            )
        except TriageError as error:
            self.app.notify(f"Not escalated: {error}", severity="error", markup=False)
            return
        self._decided(f"Escalated #{proposal.ticket_id} instead: {choice.reason}")

    def action_close(self) -> None:
        if self.query_one("#review-editor", TextArea).display:
            self._hide_editor()
            return
        self.dismiss(None)
