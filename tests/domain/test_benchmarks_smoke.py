"""The benchmark scripts run end to end on a tiny generated fixture (and, when
../shared is present, hold their quality bars on the bitext set)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from benchmarks import escalation_quality, kb_quality
from benchmarks.data import load_articles, misspell, misspell_all, parse_article, synthetic_kb
from tests.conftest import shared_path

ARTICLES = {
    "cancel_order": ("Cancel order", "Open My Orders and click Cancel next to the order."),
    "get_refund": ("Get refund", "Ask for a refund from the Billing page; refunds take 5 days."),
    "reset_password": ("Reset password", "Use the Forgot password link to reset your password."),
}
QUERIES = [
    ("how do I cancel my order", "cancel_order", []),
    ("cancle purchase 123", "cancel_order", []),
    ("I want my money back", "get_refund", ["billing_refund"]),
    ("where is my refund", "get_refund", ["billing_refund"]),
    ("forgot my pasword", "reset_password", []),
    ("let me talk to a human about my password", "reset_password", ["requested_human"]),
]


@pytest.fixture
def fixture(tmp_path: Path) -> tuple[Path, Path]:
    kb = tmp_path / "articles"
    kb.mkdir()
    for article_id, (title, body) in ARTICLES.items():
        text = f'---\nid: "{article_id}"\ntitle: "{title}"\ncategory: "X"\n---\n\n{body}\n'
        (kb / f"{article_id}.md").write_text(text, encoding="utf-8")
    queries = tmp_path / "queries.jsonl"
    lines = [json.dumps({"query": q, "article_id": a, "escalation": e}) for q, a, e in QUERIES]
    queries.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return kb, queries


def run_json(main, argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_kb_quality_prints_one_json_object_with_the_baseline(
    fixture: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    kb, queries = fixture
    argv = [
        "--kb",
        str(kb),
        "--queries",
        str(queries),
        "--typos",
        "0.2",
        "--seed",
        "3",
        "--scale",
        "60",
    ]
    report = run_json(kb_quality.main, argv, capsys)
    keys = {"articles", "queries", "hit_at_1", "hit_at_3", "mrr", "ms_per_query"}
    assert keys <= set(report) and keys <= set(report["baseline"])
    assert report["articles"] == 3 and report["queries"] == 6
    assert report["scale"]["articles"] == 60 and keys - {"articles"} <= set(report["scale"])
    assert 0.0 <= report["baseline"]["mrr"] <= 1.0
    assert report["hit_at_3"] >= 0.8  # "money back" shares no word with "Get refund"


def test_kb_quality_k_and_no_scale(
    fixture: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    kb, queries = fixture
    report = run_json(
        kb_quality.main,
        ["--kb", str(kb), "--queries", str(queries), "--k", "1", "--scale", "0"],
        capsys,
    )
    assert "scale" not in report and "hit_at_1" in report
    assert report["hit_at_1"] >= 0.8


def test_escalation_quality_reports_precision_and_recall(
    fixture: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, queries = fixture
    report = run_json(escalation_quality.main, ["--queries", str(queries)], capsys)
    assert report["queries"] == 6
    for rule in ("requested_human", "billing_refund"):
        assert report[rule]["precision"] == 1.0 and report[rule]["recall"] == 1.0
    assert "fired" in report["data_integrity"]


def test_misspell_is_deterministic_and_respects_the_rate() -> None:
    text = "please cancel my order before it ships tomorrow morning"
    assert misspell(text, 0.0, random.Random(1)) == text
    assert misspell_all([text], 0.5, 7) == misspell_all([text], 0.5, 7)
    assert misspell_all([text], 0.5, 7) != misspell_all([text], 0.5, 8)
    changed = misspell(text, 1.0, random.Random(2)).split()
    assert all(a != b for a, b in zip(text.split(), changed, strict=True))


def test_article_parsing_and_synthetic_kb(tmp_path: Path) -> None:
    article = parse_article(
        '---\nid: "x1"\ntitle: "Hello"\nurl: https://k/x1\n---\nBody text.', "file"
    )
    assert (article.id, article.title, article.url, article.body) == (
        "x1",
        "Hello",
        "https://k/x1",
        "Body text.",
    )
    bare = parse_article("# A heading\n\ntext", "stem")
    assert (bare.id, bare.title) == ("stem", "A heading")
    assert load_articles(tmp_path) == []
    big = synthetic_kb(40, 1, [article])
    assert len(big) == 40 and big[0] is article and len({a.id for a in big}) == 40


@pytest.mark.shared
def test_bitext_quality_bars_hold() -> None:
    folder = shared_path("data", "kb-eval", "bitext")
    argv = [
        "--kb",
        str(folder / "articles"),
        "--queries",
        str(folder / "queries.jsonl"),
        "--scale",
        "0",
    ]
    clean = kb_quality.run(kb_quality.parse_args(argv))
    typos = kb_quality.run(kb_quality.parse_args([*argv, "--typos", "0.35"]))
    assert clean["hit_at_3"] >= clean["baseline"]["hit_at_3"] + 0.08
    assert clean["hit_at_3"] - typos["hit_at_3"] <= 0.03
    escalation = escalation_quality.run(folder / "queries.jsonl")
    for rule in ("requested_human", "billing_refund"):
        assert escalation[rule]["precision"] >= 0.9 and escalation[rule]["recall"] >= 0.8


def test_kb_labels_finds_labels_shifted_in_a_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A set whose questions about articles 3-5 are labelled two articles earlier."""
    from benchmarks import kb_labels

    topics = ["billing invoice", "password reset", "export data", "delete account",
              "mobile app crash", "calendar sync"]  # fmt: skip
    folder = tmp_path / "sets" / "shifted"
    (folder / "articles").mkdir(parents=True)
    for n, topic in enumerate(topics):
        text = f'---\nid: "kb-{n:03d}"\ntitle: "{topic}"\n---\nAll about {topic}.\n'
        (folder / "articles" / f"kb-{n:03d}.md").write_text(text, encoding="utf-8")
    rows = [{"query": f"help with {topics[n]}", "article_id": f"kb-{n:03d}"} for n in range(6)]
    rows += [
        {"query": f"{words} {topics[n]}", "article_id": f"kb-{n - 2:03d}"}
        for n in (3, 4, 5)
        for words in (
            "how to",
            "question about",
            "problem with",
            "trouble with",
            "my",
            "please fix",
            "need",
            "broken",
        )  # fmt: skip
    ]
    lines = "".join(json.dumps(row) + "\n" for row in rows)
    (folder / "queries.jsonl").write_text(lines, encoding="utf-8")
    assert kb_labels.main(["--sets", str(tmp_path / "sets")]) == 0
    report = json.loads(capsys.readouterr().out)["shifted"]
    assert report["first_result_offset_from_label"]["0"] == 6
    assert report["shifted"] == {"2": {"questions": 24, "mirror": 0, "labels": ["1-3"]}}
