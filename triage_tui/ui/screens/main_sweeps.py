"""The main screen's batch work: sweeps, bulk actions on marked tickets, the report.

A mixin of ``MainScreen``. ``w`` plans a sweep over the tickets the filter
shows and, once the agent accepts the plan, walks them one at a time
(``SweepScreen``); ``b`` applies one action to the marked tickets after a
preview — held as one outbox batch, so ``u`` takes all of it back during the
undo window, and ``U`` undoes the whole batch after delivery; ``R`` shows the session report.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from textual import work

from triage_tui import paths
from triage_tui.domain.errors import TriageError
from triage_tui.ui.widgets.queue import QueueView

# Sweeps, bulk actions and the report are imported when their key is pressed:
# the console's first screen never pays for them (tests/cli/test_startup.py).
if TYPE_CHECKING:
    from triage_tui.engine.bulk import BulkResult
    from triage_tui.ui.screens.bulk import BulkPlan
    from triage_tui.ui.screens.main import MainScreen

#: What the report key covers: an agent's working day.
REPORT_WINDOW = timedelta(hours=8)


class BatchWork:
    """Mixed into ``MainScreen``; ``self`` is the screen."""

    last_batch: BulkResult | None = None

    # -- sweeps -----------------------------------------------------------
    @work(group="sweep", exclusive=True)
    async def action_sweep(self: MainScreen) -> None:
        """Plan a sweep over what the queue shows now (the active filter's tickets)."""
        from triage_tui.engine.sweep import SweepSession
        from triage_tui.engine.sweep_plan import plan_sweep
        from triage_tui.ui.screens.sweep import SweepScreen
        from triage_tui.ui.screens.sweep_plan import SweepPlanScreen, measured_handle_time

        rows = list(self.query_one(QueueView).rows)
        if not rows:
            self.app.notify("No tickets to sweep: change the filter (/).", severity="warning", markup=False)
            return
        now = self.app.clock.now()  # type: ignore[attr-defined]
        # The batch size uses this agent's measured pace from the event log, when there is one.
        handle = await measured_handle_time(self.app.helpdesk, now)  # type: ignore[attr-defined]
        plan = plan_sweep(rows, now, self.clusters, handle_time=handle)
        filter_text = str(self.filter) if self.filter else ""

        def start(accepted: bool | None) -> None:
            if accepted and self.loader is not None:
                session = SweepSession(plan, self.app.clock, filter_text=filter_text)  # type: ignore[attr-defined]
                self.app.push_screen(SweepScreen(self.loader, session, report_dir=paths.data_dir() / "reports"),
                                     lambda _outcome: self.load_queue())

        self.app.push_screen(SweepPlanScreen(plan, filter_text, now), start)

    def start_initial_sweep(self: MainScreen, filter_text: str) -> None:
        """``triage sweep FILTER``: apply the filter, then open its plan."""
        if self._try_filter(filter_text):
            self.action_sweep()
        else:
            self.action_filter()

    # -- bulk -------------------------------------------------------------
    def action_bulk(self: MainScreen) -> None:
        from triage_tui.ui.screens.bulk import BulkActionScreen

        queue = self.query_one(QueueView)
        rows = queue.marked_rows(self.all_rows)
        if not rows:
            self.app.notify("Mark tickets first: space marks one, * all in view, shift+↓ a range.",
                            severity="warning", markup=False)
            return
        profile = self.app.profile  # type: ignore[attr-defined]

        def confirmed(plan: BulkPlan | None) -> None:
            if plan is not None:
                self.do_bulk(plan)

        self.app.push_screen(BulkActionScreen(rows, agent=profile.agent, team=profile.team), confirmed)

    @work(group="write")
    async def do_bulk(self: MainScreen, plan: BulkPlan) -> None:
        from triage_tui.engine.buffered import batch
        from triage_tui.ui.screens.bulk import applied_line, apply_plan

        try:
            # One outbox batch: while the undo banner counts down, u takes back all of it.
            with batch(self.app.helpdesk):  # type: ignore[attr-defined]
                result = await apply_plan(self.app.helpdesk, plan)  # type: ignore[attr-defined]
        except TriageError as error:
            self.app.notify(f"Batch not applied: {error}", severity="error", markup=False)
            return
        self.last_batch = result
        self.query_one(QueueView).clear_marks()
        self.app.notify(applied_line(result) + " · U undoes the batch", markup=False)
        self.load_queue()

    @work(group="write")
    async def action_undo_batch(self: MainScreen) -> None:
        from triage_tui.engine import bulk
        from triage_tui.ui.screens.bulk import undone_line

        result = self.last_batch
        if result is None:
            self.app.notify("No batch to undo in this session.", markup=False, timeout=3)
            return
        try:
            outcome = await bulk.undo(self.app.helpdesk, result)  # type: ignore[attr-defined]
        except TriageError as error:
            self.app.notify(f"Batch not undone: {error}", severity="error", markup=False)
            return
        self.last_batch = None
        self.app.notify(undone_line(outcome), markup=False)
        self.load_queue()

    # -- report -----------------------------------------------------------
    @work(group="report")
    async def action_report(self: MainScreen) -> None:
        from triage_tui.ui.screens.report import ReportScreen, load_report

        now = self.app.clock.now()  # type: ignore[attr-defined]
        report = await load_report(self.app.helpdesk, now - REPORT_WINDOW, now)  # type: ignore[attr-defined]
        self.app.push_screen(ReportScreen(report, directory=paths.data_dir() / "reports",
                                          title="Session report · last 8 h"))
