"""Hostile input costs bounded work: every text path stays within a memory budget.

One 1 MB word used to take the console to 21 GB (the word splitter tried every
split point and the stem cache kept every slice). Each path of
``benchmarks.bounded_work.PATHS`` is fed each hostile text and its traced peak
memory is checked; the cache limits are checked structurally. Timings are in
the benchmark, not asserted here.
"""

from __future__ import annotations

import asyncio
import subprocess
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.bounded_work import PATHS, console_intel, hostile_texts, plan_command, seed_helpdesk
from triage_tui.domain import lexicon
from triage_tui.domain.handling_plan.plan import HandlingPlan
from triage_tui.domain.kb import thesaurus
from triage_tui.domain.kb import vocab as kb_vocab

MEMORY_BUDGET = 64 * 2**20
"""Peak traced memory one path may use on a 1 MB input (besides the input): a
few dozen bytes per character at most. Before the limits, a 1 MB word used
gigabytes and 40 000 letters 850 MB."""
PLAN_ADDRESS_SPACE = 1536 * 2**20
"""``triage plan`` must succeed under this address-space limit (1.5 GB)."""

TEXTS = hostile_texts()


def traced_peak(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("kind", sorted(TEXTS))
@pytest.mark.parametrize("path", sorted(PATHS))
def test_each_path_stays_within_the_memory_budget(path: str, kind: str) -> None:
    peak = traced_peak(lambda: PATHS[path](TEXTS[kind]))
    assert peak < MEMORY_BUDGET, f"{path} on {kind}: {peak / 2**20:.0f} MB"


def test_a_long_word_is_neither_split_nor_stemmed(monkeypatch: pytest.MonkeyPatch) -> None:
    vocabulary = kb_vocab.Vocabulary(["refund"], {})
    calls: list[int] = []
    real = lexicon.stem

    def counting(word: str) -> str:
        calls.append(len(word))
        return real(word)

    monkeypatch.setattr(lexicon, "stem", counting)
    word = "refund" * 200_000
    assert vocabulary.split(word) is None
    assert vocabulary.candidates(word) == ()
    assert calls == []  # nothing per split point, nothing per letter
    # Two known words run together are still split.
    assert kb_vocab.Vocabulary(["custom", "support"], {}).split("customsupport") == (
        "custom",
        "support",
    )


def test_long_words_never_enter_the_caches() -> None:
    before = lexicon._stem.cache_info().currsize
    for n in range(lexicon.MAX_WORD + 1, lexicon.MAX_WORD + 200):
        assert lexicon.stem("s" * n) == "s" * n
    assert lexicon._stem.cache_info().currsize == before
    vocabulary = kb_vocab.Vocabulary(["refund"], {})
    vocabulary.candidates("x" * 100_000)
    assert all(len(word) <= lexicon.MAX_WORD for word in vocabulary._cache)
    words = thesaurus.load()
    assert words.related("a" * 100_000) == {}
    assert all(len(word) <= thesaurus.MAX_LEMMA for word in words._cache)


def test_the_thesaurus_cache_is_bounded_in_bytes() -> None:
    words = thesaurus.load()
    for word in words.words()[:30_000]:
        words.related(word)
        assert words._cache_bytes <= thesaurus.CACHE_BYTES
    counted = sum(thesaurus.ENTRY_BYTES * (len(v) + 1) for v in words._cache.values())
    assert counted == words._cache_bytes


def test_console_intel_on_a_ticket_with_a_long_word(tmp_path: Path) -> None:
    """What the console computes when the cursor lands on such a ticket."""
    db = tmp_path / "helpdesk.db"
    ticket_id = asyncio.run(seed_helpdesk(db, "a" * 1_000_000))
    result: dict[str, object] = {}

    def run() -> None:
        result.update(asyncio.run(console_intel(db, ticket_id)))

    peak = traced_peak(run)
    assert peak < MEMORY_BUDGET, f"{peak / 2**20:.0f} MB"
    plan = result["plan"]
    assert isinstance(plan, HandlingPlan) and plan.ticket_id == ticket_id
    assert plan.route == "billing queue"  # "refund" is still read next to the long word
    assert len(plan.goal) < 300  # the subject is quoted cut
    assert isinstance(result["draft"], str) and isinstance(result["findings"], list)


def test_triage_plan_on_a_ticket_with_a_1mb_word_under_a_memory_limit(tmp_path: Path) -> None:
    db = tmp_path / "helpdesk.db"
    ticket_id = asyncio.run(seed_helpdesk(db, "a" * 1_000_000))
    done = subprocess.run(
        plan_command(db, ticket_id, address_space=PLAN_ADDRESS_SPACE),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={"TRIAGE_CONFIG_DIR": str(tmp_path / "config"), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"Handling plan: ticket {ticket_id}" in done.stdout
    assert "billing queue" in done.stdout  # the refund is still read past the long word
    assert len(done.stdout) < 20_000  # the subject is quoted cut, not a megabyte per line
