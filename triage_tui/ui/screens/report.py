"""The session report (the playbook's *Reflect*) on screen.

``ReportScreen`` renders an ``engine.report.Report``: the window and headline,
the figures table, escalations with their reasons, SLA breaches, breaches
avoided and the follow-up tasks. There is no clipboard over SSH, so ``w``
writes the Markdown (``Report.to_markdown``) to a file in the data directory
and shows its path.

| key | action |
| --- | --- |
| ``escape``, ``q`` | close |
| ``w`` | write the report as Markdown to ``<data dir>/reports/`` and show the path |
| ``u`` | undo the last action while its undo window lasts; the report is built again |
| ``↑``/``↓``, ``pgup``/``pgdn`` | scroll |

``load_report`` builds the report from the helpdesk's event log (the local
helpdesk keeps one) and the writes the console made that the log does not show
yet because the outbox still holds them (an undone one is not counted), or
from the console's own events when there is no log.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from triage_tui.adapters.base import Helpdesk
from triage_tui.domain import events as ev
from triage_tui.engine.report import EventLike, Report, build, duration_text
from triage_tui.ui import safe_text as st
from triage_tui.ui.keys import bindings, key_for
from triage_tui.ui.screens.ask import keys_line

#: Events the helpdesk records itself when a write is delivered, by outbox entry kind.
_KIND_EVENTS = {
    "reply": ev.REPLY_SENT,
    "escalate": ev.ESCALATED,
    "note": ev.NOTE_ADDED,
    "assign": ev.ASSIGNED,
}
_WRITES = frozenset(_KIND_EVENTS.values())


async def load_report(
    helpdesk: Helpdesk, since: datetime, until: datetime, kept: Sequence[EventLike] = ()
) -> Report:
    """The report over ``[since, until]`` from ``helpdesk.list_events`` when it has one.

    ``kept`` are events the console kept in memory. Without an event log (or
    when reading it fails) they are the report's only source, so a remote
    helpdesk still gets one. With a log, the writes among them that the log
    does not show yet are added: a reply still in the outbox's undo window is
    logged only once delivered, but the agent has already decided it.
    """
    from triage_tui.domain.errors import TriageError

    events: list[EventLike] = list(kept)
    # No event log (``Unsupported``) or a failing one: the kept events alone.
    with contextlib.suppress(TriageError):
        log: list[EventLike] = list(await helpdesk.list_events(since))
        events = with_pending(log, kept, on_its_way(helpdesk))
    return build(events, since, until)


def on_its_way(helpdesk: Helpdesk) -> Counter[tuple[str, str | None]] | None:
    """This console's writes still in the outbox (held in the undo window, or being
    delivered), as (event name, ticket) counts; None for a helpdesk written directly.

    A write the agent undid, or one that failed or collided, is not here: the
    report counts what the helpdesk got or is about to get, never an intention.
    """
    from triage_tui.engine import outbox_model as om
    from triage_tui.engine.buffered import BufferedHelpdesk

    if not isinstance(helpdesk, BufferedHelpdesk):
        return None
    found: Counter[tuple[str, str | None]] = Counter()
    if helpdesk.outbox_opened:
        for entry in helpdesk.outbox.entries(om.IN_FLIGHT, limit=5000):
            name = _KIND_EVENTS.get(entry.kind)
            if name is not None and entry.session == helpdesk.session:
                found[(name, entry.ticket_id)] += 1
    return found


def with_pending(
    log: list[EventLike],
    kept: Sequence[EventLike],
    on_way: Counter[tuple[str, str | None]] | None = None,
) -> list[EventLike]:
    """``log`` plus the writes in ``kept`` it does not have yet (counted per name and
    ticket); with ``on_way`` (``on_its_way``) only those the outbox still holds."""
    seen = Counter((e.name, e.ticket_id) for e in log if e.name in _WRITES)
    out = list(log)
    for event in kept:
        if event.name not in _WRITES:
            continue
        key = (event.name, event.ticket_id)
        if seen[key]:
            seen[key] -= 1
        elif on_way is None:
            out.append(event)
        elif on_way[key]:
            on_way[key] -= 1
            out.append(event)
    return out


def figures_content(report: Report) -> Content:
    """The figures as an aligned two-column table."""
    figures = report.figures()
    width = max(len(name) for name, _ in figures)
    lines = []
    for name, value in figures:
        style = ""
        if name.startswith("SLA breaches") and value != "0":
            style = "$text-error bold"
        elif name.startswith("Breaches avoided") and value != "0":
            style = "$text-success bold"
        lines.append(
            Content.assemble((name.ljust(width), "$text-muted"), "  ", (value, style or "bold"))
        )
    return Content("\n").join(lines)


def details_content(report: Report) -> Content:
    """Escalations with reasons, breaches, breaches avoided, follow-ups."""
    parts: list[Content | tuple[str, str] | str] = []

    def heading(text: str) -> None:
        parts.extend(["\n\n" if parts else "", (text, "bold $text-accent")])

    heading(f"Escalations ({len(report.escalations)})")
    if not report.escalations:
        parts.append(("\n none", "$text-muted"))
    for item in report.escalations:
        parts += [
            "\n ⚑ ",
            st.line("#" + item.ticket_id, "bold"),
            " — ",
            st.line(item.reason or "(no reason)"),
            (f"  {item.at:%H:%M}", "$text-muted"),
        ]
    if report.breaches:
        heading(f"SLA breaches during the session ({len(report.breaches)})")
        parts += [
            "\n ",
            Content.styled(
                ", ".join(st.clean("#" + t, one_line=True) for t in report.breaches), "$text-error"
            ),
        ]
    if report.breaches_avoided:
        heading(f"Breaches avoided ({len(report.breaches_avoided)})")
        for ticket_id, spare in report.breaches_avoided:
            parts += [
                "\n ✓ ",
                st.line("#" + ticket_id),
                f" answered {duration_text(spare)} before the breach",
            ]
    if report.skipped:
        heading(f"Skipped ({len(report.skipped)})")
        parts += [
            "\n ",
            Content.styled(
                ", ".join(st.clean("#" + t, one_line=True) for t in report.skipped[:40])
                + (" …" if len(report.skipped) > 40 else ""),
                "$text-muted",
            ),
        ]
    heading(f"Follow-up tasks ({len(report.follow_ups)})")
    if not report.follow_ups:
        parts.append(("\n none", "$text-muted"))
    for task in report.follow_ups:
        parts += ["\n ☐ ", st.line(task)]
    return Content.assemble(*parts)


def report_path(directory: Path, report: Report) -> Path:
    """``reports/report-20261122-0930.md``; a second file in the same minute gets ``-2``."""
    stem = f"report-{report.until:%Y%m%d-%H%M}"
    path = directory / f"{stem}.md"
    n = 2
    while path.exists():
        path = directory / f"{stem}-{n}.md"
        n += 1
    return path


class ReportScreen(ModalScreen[None]):
    """The session report; see the module docstring for the keys."""

    DEFAULT_CSS = """
    ReportScreen { align: center middle; }
    ReportScreen > #report-dialog {
        width: 90%; max-width: 110; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ReportScreen #report-title { text-style: bold; padding: 0 1; background: $panel; width: 100%; }
    ReportScreen #report-body { height: 1fr; }
    ReportScreen #report-headline { margin: 1 0; text-style: bold; }
    ReportScreen #report-figures { padding: 0 1; background: $boost; }
    ReportScreen #report-details { margin-top: 1; }
    ReportScreen #report-written { color: $text-success; height: auto; }
    ReportScreen #report-keys { dock: bottom; height: 1; padding: 0 1; background: $panel; }
    """

    BINDINGS = bindings("report")

    def __init__(
        self,
        report: Report,
        *,
        directory: Path | None = None,
        title: str = "Session report",
        again: Callable[[], Awaitable[Report]] | None = None,
    ) -> None:
        super().__init__()
        self.report = report
        self.directory = directory
        self.title_text = title
        #: Builds the report again (``refigure``): an undo while it is shown changes it.
        self.again = again
        #: The last file written with ``w``.
        self.written: Path | None = None

    def _title(self) -> Content:
        report = self.report
        return Content.assemble(
            self.title_text, (f" · {report.window()} · {report.events} events", "$text-muted")
        )

    def compose(self) -> ComposeResult:
        report = self.report
        with Vertical(id="report-dialog"):
            yield Label(self._title(), id="report-title")
            with VerticalScroll(id="report-body"):
                yield Static(Content(report.headline()), id="report-headline")
                yield Static(figures_content(report), id="report-figures")
                yield Static(details_content(report), id="report-details")
            yield Static(Content(""), id="report-written")
            yield Label(
                keys_line(
                    (key_for(self.app, "report", "close"), "close"),
                    (key_for(self.app, "report", "write_report"), "write Markdown to a file"),
                ),
                id="report-keys",
            )

    def on_mount(self) -> None:
        self.query_one("#report-body", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def refigure(self) -> None:
        """Build the report again and show it (a write on screen was just undone)."""
        if self.again is not None:
            self.run_worker(self._refigure(self.again), group="report-again", exclusive=True)

    async def _refigure(self, again: Callable[[], Awaitable[Report]]) -> None:
        report = self.report = await again()
        self.query_one("#report-title", Label).update(self._title())
        self.query_one("#report-headline", Static).update(Content(report.headline()))
        self.query_one("#report-figures", Static).update(figures_content(report))
        self.query_one("#report-details", Static).update(details_content(report))

    def action_write(self) -> None:
        from triage_tui import paths, private_files

        directory = self.directory or paths.data_dir() / "reports"
        try:
            private_files.make_dir(directory)
            path = report_path(directory, self.report)
            private_files.write_text(path, self.report.to_markdown())  # 0600: customer names
        except OSError as error:
            self.notify(f"Could not write the report: {error}", severity="error", markup=False)
            return
        self.written = path
        self.query_one("#report-written", Static).update(
            Content.assemble("Written to ", st.line(str(path)))
        )
        self.notify(f"Report written to {path}", markup=False)
