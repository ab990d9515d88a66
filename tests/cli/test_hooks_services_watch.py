"""Issue 21 done-when: `triage watch` killed (kill -9) mid-request to GitHub and to Slack.

The watcher is a real subprocess; the fake service does the work (files the issue,
posts the message) and then holds its answer until the test has killed the watcher.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_hooks_watch import DEADLINE_S, create, hook_events, triage, write_config
from tests.fakes.github import FakeGitHub
from tests.fakes.server import Request, Response
from tests.fakes.slack import FakeSlack

GITHUB_TOKEN = "ghp_fakeTokenFor1Test"


class Holding:
    """Mixed into a fake: after doing the work of the next request, wait until released."""

    arrived: threading.Event
    release: threading.Event

    def hold(self) -> None:
        self.arrived, self.release = threading.Event(), threading.Event()

    def held(self, response: Response) -> Response:
        if hasattr(self, "release") and not self.release.is_set():
            self.arrived.set()
            self.release.wait(DEADLINE_S)
        return response


class HoldingGitHub(Holding, FakeGitHub):
    def _create(self, request: Request, repo: str) -> Response:
        return self.held(super()._create(request, repo))


class HoldingSlack(Holding, FakeSlack):
    def _webhook(self, request: Request, secret: str) -> Response:
        return self.held(super()._webhook(request, secret))


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[HoldingGitHub]:
    with HoldingGitHub(token=GITHUB_TOKEN) as fake:
        monkeypatch.setenv("TRIAGE_GITHUB_TOKEN", GITHUB_TOKEN)
        monkeypatch.setenv("TRIAGE_GITHUB_API_URL", fake.url)
        yield fake


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[HoldingSlack]:
    with HoldingSlack() as fake:
        monkeypatch.setenv("TRIAGE_TEST_WEBHOOK", fake.webhook_url())
        yield fake


def kill_watcher_mid_request(config: str, db: str, fake: Holding) -> None:
    """Start `triage watch --once`, wait until the service holds its answer, kill -9."""
    fake.hold()
    watcher = subprocess.Popen(
        [sys.executable, "-m", "triage_tui", "--config", config, "watch", "--once", "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        started = time.monotonic()
        while not fake.arrived.wait(0.05):
            assert watcher.poll() is None, watcher.stderr.read() if watcher.stderr else ""
            assert time.monotonic() - started < DEADLINE_S, "the request never came"
    finally:
        os.killpg(watcher.pid, signal.SIGKILL)
        watcher.wait(timeout=30)
        fake.release.set()


def test_a_watcher_killed_mid_request_to_github_files_one_issue(
    demo_db: Path, tmp_path: Path, github: HoldingGitHub
) -> None:
    """Issue 21 done-when: GitHub filed the issue, the watcher was killed before the answer;
    the next `watch --once` resends with the same idempotency key, finds that issue and notes
    its URL on the ticket once; a third run does nothing. One issue, one hook.ran."""
    db = str(demo_db)
    config = write_config(
        tmp_path,
        '[[hooks]]\nname = "gh"\non = "ticket.created"\ngithub = { repo = "acme/support" }\n',
    )
    assert triage("--config", config, "watch", "--once", "--db", db).returncode == 0
    new_id = create(db, "Export stuck at 99%")
    kill_watcher_mid_request(config, db, github)
    assert len(github.issues["acme/support"]) == 1

    for _ in range(2):
        again = triage("--config", config, "watch", "--once", "--db", db)
        assert again.returncode == 0, again.stderr
    [issue] = github.issues["acme/support"]
    assert issue["title"] == f"Follow up on ticket {new_id}: Export stuck at 99%"
    assert len(github.requests("POST")) == 1
    url = f"{github.origin}/acme/support/issues/1"
    detail = json.loads(triage("get-ticket", new_id, "--db", db, "--json").stdout)
    bodies = [m["body"] for m in detail["messages"]]
    assert bodies.count(f"Follow-up: {url}") == 1
    [ran] = hook_events(db)
    assert ran["payload"]["url"] == url
    assert GITHUB_TOKEN not in again.stdout + again.stderr


def test_a_watcher_killed_mid_post_to_slack_does_not_post_twice(
    demo_db: Path, tmp_path: Path, slack: HoldingSlack
) -> None:
    """Issue 21 done-when: Slack posted the message, the watcher was killed before the
    answer; Slack has no idempotency key, so the next `watch --once` does not post again:
    the hook is failed with the reason in `triage outbox` and hook.failed; one message."""
    db = str(demo_db)
    config = write_config(
        tmp_path,
        '[[hooks]]\nname = "page"\non = "ticket.created"\n'
        'slack = { webhook_env = "TRIAGE_TEST_WEBHOOK" }\n',
    )
    assert triage("--config", config, "watch", "--once", "--db", db).returncode == 0
    create(db, "Checkout is down")
    kill_watcher_mid_request(config, db, slack)
    for _ in range(2):
        again = triage("--config", config, "watch", "--once", "--db", db)
        assert again.returncode == 0, again.stderr
    assert len(slack.messages) == 1
    listed = json.loads(triage("outbox", "--db", db, "--json").stdout)["entries"]
    [entry] = [e for e in listed if e["kind"] == "hook"]
    assert entry["state"] == "failed" and "not posted again" in entry["last_error"]
    [failed] = hook_events(db, "hook.failed")
    assert failed["payload"]["hook"] == "page" and failed["payload"]["final"] is True
