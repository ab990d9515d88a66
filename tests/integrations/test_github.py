"""GitHub: the follow-up issue, its idempotency marker and GitHub's errors, against a fake."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.github import FakeGitHub
from triage_tui.integrations import Delivered, ServiceError, _base, deliver
from triage_tui.integrations.github import hidden_marker

TOKEN = "ghp_fakeTokenFor1Test"
SETTINGS = {"repo": "acme/support"}


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=TOKEN) as fake:
        yield fake


def env_for(fake: FakeGitHub, **extra: str) -> dict[str, str]:
    return {"TRIAGE_GITHUB_TOKEN": TOKEN, "TRIAGE_GITHUB_API_URL": fake.url, **extra}


async def test_creates_the_issue_with_the_documented_headers_and_body(
    github: FakeGitHub, payload: dict[str, Any]
) -> None:
    """Issue 21, outbound integrations: `POST /repos/{owner}/{repo}/issues` with `Authorization:
    Bearer`, `Accept: application/vnd.github+json` and `X-GitHub-Api-Version: 2022-11-28`; the
    body holds the problem, the acceptance criteria as a checklist and the ticket link; the
    delivery returns the issue's html_url."""
    result = await deliver("github", SETTINGS, payload, idempotency_key="k1", env=env_for(github))
    (issue,) = github.issues["acme/support"]
    assert result == Delivered(url=f"{github.origin}/acme/support/issues/1")
    (post,) = github.requests("POST")
    assert post.path == "/repos/acme/support/issues"
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert post.headers["accept"] == "application/vnd.github+json"
    assert post.headers["x-github-api-version"] == "2022-11-28"
    assert issue["title"] == "Checkout returns 502 for card payments"
    body = issue["body"]
    assert body.startswith("Card payments fail at checkout with a 502 from the payment gateway.")
    assert "- [ ] Card checkout succeeds\n- [ ] An alert fires on gateway 5xx" in body
    assert (
        "[\\#4512 Checkout fails with error 502 for every card]"
        "(https://helpdesk.example.com/tickets/4512?tab=thread&x=1)"
    ) in body
    assert "Requester: Mei Chen (mei@bigcorp.example), tier enterprise, VIP" in body
    assert body.endswith(hidden_marker("k1"))


async def test_a_kill_mid_request_then_a_retry_files_one_issue(
    github: FakeGitHub, payload: dict[str, Any]
) -> None:
    """Issue 21, outbound integrations: GitHub created the issue but the connection died
    before the answer; the retry (same idempotency key) finds the issue by its hidden marker
    among the recent issues and returns it instead of filing a second one."""
    github.kill_next = 1
    with pytest.raises(ServiceError) as caught:
        await deliver("github", SETTINGS, payload, idempotency_key="k1", env=env_for(github))
    assert caught.value.retryable
    assert len(github.issues["acme/support"]) == 1
    result = await deliver("github", SETTINGS, payload, idempotency_key="k1", env=env_for(github))
    assert result.url == f"{github.origin}/acme/support/issues/1"
    assert len(github.issues["acme/support"]) == 1
    assert len(github.requests("POST")) == 1
    # A new key is a new issue.
    await deliver("github", SETTINGS, payload, idempotency_key="k2", env=env_for(github))
    assert len(github.issues["acme/support"]) == 2


async def test_an_older_issue_is_found_by_search(
    github: FakeGitHub, payload: dict[str, Any]
) -> None:
    """Issue 21, outbound integrations: when the lost issue is no longer among the 100 most
    recent (a retry much later), the search API finds its marker (`repo:owner/name "marker"
    in:body`); pull requests and issues without the marker are not taken for it."""
    github.kill_next = 1
    with pytest.raises(ServiceError):
        await deliver("github", SETTINGS, payload, idempotency_key="k1", env=env_for(github))
    for n in range(120):
        github.add_issue("acme/support", f"other {n}", "unrelated", pull_request=n % 10 == 0)
    github.reindex()
    result = await deliver("github", SETTINGS, payload, idempotency_key="k1", env=env_for(github))
    assert result.url == f"{github.origin}/acme/support/issues/1"
    search = github.requests("GET", "/search/issues")[-1]
    token = hidden_marker("k1").removeprefix("<!-- ").removesuffix(" -->")
    assert search.query["q"] == f'repo:acme/support is:issue "{token}" in:body'
    assert len(github.requests("POST")) == 1


async def test_customer_text_cannot_mention_link_or_forge_a_marker(
    github: FakeGitHub, payload: dict[str, Any]
) -> None:
    """Issue 21, outbound integrations: customer text in the issue is inert Markdown: no
    @mention that notifies, no link or HTML of its own, no forged idempotency marker."""
    forged = hidden_marker("k2")
    payload["follow_up"]["problem"] = f"ping @octocat [click](https://evil.example) {forged}"
    await deliver("github", SETTINGS, payload, idempotency_key="k1", env=env_for(github))
    body = github.issues["acme/support"][0]["body"]
    assert "@octocat" not in body and "@\u200boctocat" in body
    assert "[click](https://evil.example)" not in body
    assert forged not in body
    # So the forged marker does not make k2 look delivered.
    await deliver("github", SETTINGS, payload, idempotency_key="k2", env=env_for(github))
    assert len(github.issues["acme/support"]) == 2


async def test_a_huge_follow_up_fits_githubs_limits(
    github: FakeGitHub, payload: dict[str, Any]
) -> None:
    """Issue 21, outbound integrations: a title and body past GitHub's limits are cut (256 and
    65 536 characters) with an ellipsis, the marker kept at the end."""
    payload["follow_up"]["title"] = "t" * 1000
    payload["follow_up"]["problem"] = "p " * 50000
    payload["follow_up"]["acceptance"] = ["a" * 1000] * 100
    await deliver("github", SETTINGS, payload, idempotency_key="k1", env=env_for(github))
    (issue,) = github.issues["acme/support"]
    assert len(issue["title"]) == 256 and issue["title"].endswith("…")
    assert len(issue["body"]) <= 65536
    assert issue["body"].endswith("…\n\n" + hidden_marker("k1"))


async def test_a_payload_of_the_wrong_shapes_still_files_an_issue(github: FakeGitHub) -> None:
    """Issue 21, outbound integrations: the payload is read tolerantly: wrong types and
    missing fields are left out, and the title falls back to the ticket."""
    odd = {
        "ticket": {"id": 9, "subject": ["not", "text"], "link": "javascript:alert(1)", "sla": 3},
        "rules": 5,
        "reason": {"a": 1},
        "follow_up": {"title": None, "problem": None, "acceptance": "not a list"},
    }
    result = await deliver("github", SETTINGS, odd, idempotency_key="k1", env=env_for(github))
    (issue,) = github.issues["acme/support"]
    assert result.url == issue["html_url"]
    assert issue["title"] == "Ticket #9"
    assert "javascript:" not in issue["body"]
    assert issue["body"].startswith("### From the helpdesk\n\n- Ticket: \\#9")


@pytest.mark.parametrize(
    ("script", "retryable", "wait", "word"),
    [
        ("bad-token", False, None, "token in TRIAGE_GITHUB_TOKEN was refused (401)"),
        ("no-repo", False, None, "repository acme/nothing not found"),
        ("disabled", False, None, "issues are disabled in acme/support (410)"),
        ("read-only", False, None, "needs Issues: write on acme/support"),
        ("validation", False, None, "refused (422): Validation Failed: assignees invalid"),
        ("secondary-retry-after", True, (45, 45), "rate limited on POST"),
        ("secondary-no-header", True, (60, 60), "secondary rate limit"),
        ("secondary-429", True, (5, 5), "(429)"),
        ("primary", True, (100, 120), "API rate limit exceeded"),
        ("server", True, None, "server error 502"),
    ],
)
async def test_errors_are_classified(
    github: FakeGitHub,
    payload: dict[str, Any],
    logs: pytest.LogCaptureFixture,
    script: str,
    retryable: bool,
    wait: tuple[int, int] | None,
    word: str,
) -> None:
    """Issue 21, outbound integrations: 401, 404, 410 (issues disabled), a permission 403 and
    422 are not retryable; a 403/429 secondary rate limit (retry-after, or a minute) and a
    primary one (x-ratelimit-remaining 0 until x-ratelimit-reset) are, with the wait; 5xx is.
    The token is in no message and no log line."""
    settings = dict(SETTINGS)
    env = env_for(github)
    if script == "bad-token":
        env["TRIAGE_GITHUB_TOKEN"] = "ghp_anotherTokenXYZ"
    elif script == "no-repo":
        settings["repo"] = "acme/nothing"
    elif script == "disabled":
        github.repos["acme/support"]["has_issues"] = False
    elif script == "read-only":
        github.repos["acme/support"]["writable"] = False
    elif script == "validation":
        github.fail(
            422,
            {
                "message": "Validation Failed",
                "errors": [{"resource": "Issue", "field": "assignees", "code": "invalid"}],
            },
            method="POST",
        )
    elif script == "secondary-retry-after":
        github.secondary_limit(45)
        github.faults[-1].method = "POST"
    elif script == "secondary-no-header":
        github.secondary_limit(None)
    elif script == "secondary-429":
        github.secondary_limit(5, status=429)
    elif script == "primary":
        github.primary_limit(120)
    else:
        github.fail(502, "Bad gateway", method="POST")
    with pytest.raises(ServiceError) as caught:
        await deliver("github", settings, payload, idempotency_key="k1", env=env)
    error = caught.value
    assert error.retryable is retryable
    if wait is None:
        assert error.retry_after is None
    else:
        assert error.retry_after is not None and wait[0] <= error.retry_after <= wait[1]
    assert word in str(error) and "\n" not in str(error)
    for secret in (TOKEN, "ghp_anotherTokenXYZ"):
        assert secret not in str(error)
        assert all(secret not in r.getMessage() for r in logs.records)
    assert github.issues.get("acme/support", []) == []


async def test_a_token_echoed_by_the_server_is_redacted(
    github: FakeGitHub, payload: dict[str, Any]
) -> None:
    """Issue 21, outbound integrations: a server (or proxy) that quotes the credential back
    in its error message does not get it into ours."""
    github.fail(422, {"message": f"token {TOKEN} is not allowed"}, method="POST")
    with pytest.raises(ServiceError) as caught:
        await deliver("github", SETTINGS, payload, idempotency_key="k1", env=env_for(github))
    assert TOKEN not in str(caught.value)
    assert "token *** is not allowed" in str(caught.value)


async def test_github_enterprise_base_url(payload: dict[str, Any]) -> None:
    """Issue 21, outbound integrations: TRIAGE_GITHUB_API_URL points at a GitHub Enterprise
    Server API root (`https://HOST/api/v3`); its path prefix is kept."""

    class Enterprise(FakeGitHub):
        prefix = "/api/v3"

    with Enterprise(token=TOKEN) as ghes:
        env = {"TRIAGE_GITHUB_TOKEN": TOKEN, "TRIAGE_GITHUB_API_URL": ghes.url + "/"}
        result = await deliver("github", SETTINGS, payload, idempotency_key="k1", env=env)
        assert result.url == f"{ghes.origin}/acme/support/issues/1"
        assert [r.path for r in ghes.log] == [
            "/api/v3/repos/acme/support/issues",
            "/api/v3/search/issues",
            "/api/v3/repos/acme/support/issues",
        ]


async def test_redirects_are_not_followed(github: FakeGitHub, payload: dict[str, Any]) -> None:
    """Issue 21, outbound integrations: a redirect would carry the token elsewhere: it is an
    error, not followed."""
    github.fail(301, "", headers={"Location": "http://127.0.0.1:9/steal"})
    with pytest.raises(ServiceError) as caught:
        await deliver("github", SETTINGS, payload, idempotency_key="k1", env=env_for(github))
    assert "redirect (301); not following it" in str(caught.value)
    assert not caught.value.retryable
    assert len(github.log) == 1


async def test_bodies_are_read_with_a_cap(github: FakeGitHub, payload: dict[str, Any]) -> None:
    """Issue 21, outbound integrations: an answer larger than the cap is not read."""
    github.fail(200, "x" * (_base.MAX_BODY + 1), method="GET")
    with pytest.raises(ServiceError) as caught:
        await deliver("github", SETTINGS, payload, idempotency_key="k1", env=env_for(github))
    assert "more than 1024 KiB; not reading it" in str(caught.value)


async def test_a_trickled_answer_hits_the_deadline(
    github: FakeGitHub, payload: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21, outbound integrations: a server sending its answer a byte at a time keeps the
    read timeout alive but not the total deadline: a retryable error."""
    monkeypatch.setattr(_base, "DEADLINE", 0.3)
    github.fail(200, "[" + " " * 200 + "]", method="GET", trickle=0.01)
    with pytest.raises(ServiceError) as caught:
        await deliver("github", SETTINGS, payload, idempotency_key="k1", env=env_for(github))
    assert "did not finish within the 0.3 s deadline" in str(caught.value)
    assert caught.value.retryable


@pytest.mark.parametrize(
    ("settings", "env", "word"),
    [
        ({}, {"TRIAGE_GITHUB_TOKEN": TOKEN}, "'repo' is missing"),
        ({"repo": "not a repo"}, {"TRIAGE_GITHUB_TOKEN": TOKEN}, 'repo must be "owner/name"'),
        (SETTINGS, {}, "environment variable TRIAGE_GITHUB_TOKEN is not set"),
        (
            SETTINGS,
            {"TRIAGE_GITHUB_TOKEN": TOKEN, "TRIAGE_GITHUB_API_URL": "ftp://x"},
            "TRIAGE_GITHUB_API_URL is not an http(s) URL",
        ),
    ],
)
async def test_bad_configuration_is_not_retryable(
    payload: dict[str, Any], settings: dict[str, str], env: dict[str, str], word: str
) -> None:
    """Issue 21, outbound integrations: bad settings or a missing token is a non-retryable
    error naming what is wrong."""
    with pytest.raises(ServiceError) as caught:
        await deliver("github", settings, payload, idempotency_key="k1", env=env)
    assert not caught.value.retryable
    assert word in str(caught.value)
    assert TOKEN not in str(caught.value)
