"""``triage plan ID``: the handling plan as Markdown or JSON, without Textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import Runner
from tests.cli.test_startup import _env

STAGES = ["Support Specialist", "Operations Lead", "Analyst", "Product Manager"]


def test_plan_prints_the_four_stages_as_markdown(db_run: Runner) -> None:
    result = db_run("plan", "1215")
    assert result.code == 0, result.err
    text = result.out
    assert text.startswith("# Handling plan: ticket 1215 \u2014 Data loss after Monday import\n")
    positions = [text.index(f"## {n}. {title}\n") for n, title in enumerate(STAGES, 1)]
    assert positions == sorted(positions)
    assert "**Urgency:** critical" in text
    assert (
        "- **Route:** escalate to on-call engineering \u2014 Bug affecting data integrity" in text
    )
    assert "Bug: file a data-integrity bug for \u201cData loss after Monday import\u201d" in text
    assert "\n## Follow-ups\n\n- [ ] " in text


def test_plan_json_has_stages_urgency_route_and_follow_ups(db_run: Runner) -> None:
    data = db_run("plan", "1133", "--json").json()
    assert data["ticket_id"] == "1133" and data["kind"] == "problem"
    assert [s["title"] for s in data["stages"]] == STAGES
    assert data["urgency"]["level"] in ("critical", "high")
    assert data["checks"][0] == "Customer confirms they (and everyone affected) can sign in"
    ops = {i["label"]: i for i in data["stages"][1]["items"]}
    assert ops["Coordination"]["points"][0].startswith("6 similar open tickets (1120, 1142")
    assert "recorded" not in data


def test_no_similar_skips_the_queue(db_run: Runner) -> None:
    data = db_run("plan", "1133", "--json", "--no-similar").json()
    ops = {i["label"]: i for i in data["stages"][1]["items"]}
    assert not any("similar" in p for p in ops.get("Coordination", {}).get("points", []))


def test_record_logs_the_follow_ups_for_the_session_report(db_run: Runner) -> None:
    data = db_run("plan", "1215", "--json", "--record").json()
    assert data["recorded"] is True and data["follow_ups"]
    events = db_run("events", "--since", "1h", "--json").json()["events"]
    logged = [e for e in events if e["name"] == "plan.follow_up"]
    assert logged[-1]["ticket_id"] == "1215"
    assert logged[-1]["payload"]["tasks"] == data["follow_ups"]


def test_unknown_ticket_is_one_line_and_exit_3(db_run: Runner) -> None:
    result = db_run("plan", "999999")
    assert result.code == 3 and result.err == "triage: error: ticket 999999 not found\n"


def test_plan_never_imports_textual(demo_db: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "triage_tui", "plan", "1133",
         "--db", str(demo_db)],
        capture_output=True, check=False, text=True, env=_env(tmp_path), timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = {
        line.split("|")[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "triage_tui.domain.handling_plan.plan" in imported
    assert not {m for m in imported if m.split(".")[0] in ("textual", "httpx")}
    assert not any(m.startswith("triage_tui.ui") for m in imported)
