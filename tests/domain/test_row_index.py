"""``row_index``: the same rows as term-by-term evaluation, fresh or narrowed keystroke by
keystroke.

The reference is the evaluation ``Filter.apply`` did before the index: each
term's ``Condition.select`` on the survivors of the previous one, row by row.
Rows and filters are random (seeded): mixed case, punctuation, digits,
underscores, typos, rows without an SLA, more than 256 distinct values.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.conftest import FROZEN_NOW
from tests.domain.row_factories import row
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.filters import row_index, word_match
from triage_tui.domain.filters.language import Filter, FilterError, parse
from triage_tui.domain.filters.terms import Context
from triage_tui.domain.queue import QueueRow, haystacks, sort_rows

NOW = FROZEN_NOW
# The vocabulary reads as the prose it stands for: one string, split.
WORDS = (  # noqa: SIM905
    "password reset link expired invoice refund charged twice vat export csv single "
    "sign-on sso login token rotation api 401 dark mode request passwords resetting "
    "billing mobile crash launch iphone oneplus signin sign_in re-set e-mail naïve "
    "İstanbul straße café 2fa x86 o'brien refunds invoices exported"
).split()
TYPOS = ["passwrod", "refnd", "invoce", "sigle", "exprot", "logn", "crahs", "billng", "pasword"]
ORGS = ["Acme Corp", "Kestrel Health", "", "acme labs", "Copperleaf Finance"]
PEOPLE = ["Sam Martinez", "Mei Chen", "", "Priya Nair", "sam"]
TAGS = ["api", "sso", "billing", "refund", "VIP-Escalation", "vip-escalation", "login"]


def _text(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    if rng.random() < 0.3:
        words.append(rng.choice(TYPOS))
    text = " ".join(w.capitalize() if rng.random() < 0.2 else w for w in words)
    return text + rng.choice(["", ".", ",", "!", "\n", "  "])


def corpus(seed: int, n: int, orgs: list[str] = ORGS) -> list[QueueRow]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        due = rng.choice([None, *(timedelta(minutes=m) for m in (-90, -1, 0, 30, 89, 90, 91, 600))])
        rows.append(
            row(
                str(1000 + i),
                subject=_text(rng, rng.randint(1, 6)),
                excerpt=_text(rng, rng.randint(0, 20)),
                status=rng.choice(list(Status)),
                priority=rng.choice(list(Priority)),
                requester=rng.choice(["Dana Reyes", "Yara Ibrahim", "Nadia Lindqvist"]),
                organization=rng.choice(orgs),
                vip=rng.random() < 0.2,
                due_in=due,
                paused=due is None and rng.random() < 0.5,
                age=timedelta(minutes=rng.choice([1, 59, 60, 61, 239, 240, 241, 3000])),
                tags=tuple(rng.sample(TAGS, rng.randint(0, 3))),
                assignee=rng.choice(PEOPLE),
                channel=rng.choice(["email", "Email", "web", "api", "chat"]),
            )
        )
    return rows


FIELD_TERMS = [
    "priority:high",
    "priority:high,urgent",
    "priority:>=high",
    "priority:<normal",
    "status:open,pending",
    "status:hold",
    "tag:api",
    "tag:VIP-Escalation",
    "tag:refund,sso",
    "sla:<90m",
    "sla:<=90m",
    "sla:>90m",
    "sla:>=0m",
    "sla:<0m",
    "age:<4h",
    "age:<=4h",
    "age:>1h",
    "age:>=1h",
    "org:acme",
    "org:HEALTH,acme",
    "assignee:me",
    "assignee:none",
    "assignee:sam",
    'assignee:"mei chen"',
    "channel:email",
    "channel:api,chat",
    "breached",
    "vip",
]


def random_expression(rng: random.Random) -> str:
    terms = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        if kind < 0.45:
            term = rng.choice(FIELD_TERMS)
        elif kind < 0.85:
            word = rng.choice(WORDS + TYPOS).lower()
            start = rng.randint(0, max(0, len(word) - 2))
            term = word[start:] if rng.random() < 0.3 else word
            term = term.strip("-\"'") or "a"
        else:
            a, b = rng.sample(WORDS, 2)
            term = f'"{a} {b}"' if rng.random() < 0.5 else f'"{a[1:]}"'
        terms.append(("-" if rng.random() < 0.25 else "") + term)
    return " ".join(terms)


def reference(flt: Filter, rows: list[QueueRow]) -> list[QueueRow]:
    """Term by term, row by row: ``Filter.apply`` before the index."""
    kept = list(rows)
    ctx = Context(NOW.timestamp(), flt.me.strip().lower())
    for term in sorted(flt.terms, key=lambda t: t.cond.cost):
        kept = term.select(kept, ctx)
    return kept


@pytest.fixture(autouse=True)
def _keep_every_index(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep the index of small lists too, so the remembered word matches are exercised."""
    monkeypatch.setattr(row_index, "KEEP_FROM_ROWS", 0)
    row_index.forget()
    yield
    row_index.forget()


def ids(rows: list[QueueRow]) -> list[str]:
    return [r.id for r in rows]


@pytest.mark.parametrize("few", [0, 8, 10**9], ids=["row by row", "mixed", "by column"])
@pytest.mark.parametrize("order", ["shuffled", "queue order"])
def test_random_filters_agree_with_term_by_term_evaluation(
    order: str, few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether terms read columns or test the rows left one by one (``_FEW``)."""
    monkeypatch.setattr(row_index, "_FEW", few)
    rows = corpus(7, 600)
    if order == "queue order":
        sort_rows(rows)  # due times ascending: sla terms take the bisection path
    word_match.warm(rows)  # the same vocabulary (typo corrections) for both
    rng = random.Random(11)
    for _ in range(300):
        text = random_expression(rng)
        flt = parse(text, me="Sam Martinez")
        assert ids(flt.apply(rows, NOW)) == ids(reference(flt, rows)), text


def test_typing_narrows_to_exactly_what_a_fresh_evaluation_finds() -> None:
    """Every prefix typed, as the ``/`` box applies it, on the kept index."""
    rows = corpus(3, 800)
    word_match.warm(rows)
    rng = random.Random(5)
    for _ in range(60):
        text = random_expression(rng)
        for end in range(1, len(text) + 1):
            try:
                flt = parse(text[:end], me="Sam Martinez")
            except FilterError:
                continue
            assert ids(flt.apply(rows, NOW)) == ids(reference(flt, rows)), text[:end]
    # ... and backwards, as backspace does, then again on a fresh index.
    for end in range(len(text), 0, -1):
        try:
            flt = parse(text[:end], me="Sam Martinez")
        except FilterError:
            continue
        assert ids(flt.apply(rows, NOW)) == ids(reference(flt, rows)), text[:end]
    row_index.forget()
    assert ids(parse(text, me="x").apply(rows, NOW)) == ids(reference(parse(text, me="x"), rows))


def test_words_narrowed_within_other_terms_then_searched_wider() -> None:
    """A word first searched among few rows must not be reused for more rows."""
    rows = corpus(9, 500)
    word_match.warm(rows)
    for text in ("priority:urgent pass", "pass", "passw", "vip -passw", "-passwo", "passwor"):
        flt = parse(text, me="x")
        assert ids(flt.apply(rows, NOW)) == ids(reference(flt, rows)), text


def test_more_than_256_distinct_values_in_a_column() -> None:
    orgs = [f"Org {i}" for i in range(300)] + ["Acme Corp"]
    rows = corpus(4, 900, orgs=orgs)
    for text in ("org:acme", "org:12", "-org:org", 'org:"org 29",acme'):
        flt = parse(text, me="x")
        assert ids(flt.apply(rows, NOW)) == ids(reference(flt, rows)), text


def test_time_columns_sorted_or_not() -> None:
    rows = corpus(8, 400)
    ordered = sorted(rows, key=QueueRow.sort_key)
    reverse = ordered[::-1]
    for text in ("sla:<90m", "sla:<=90m", "sla:>90m", "sla:>=90m", "breached", "-sla:<0m"):
        flt = parse(text, me="x")
        for rows_ in (rows, ordered, reverse):
            assert ids(flt.apply(rows_, NOW)) == ids(reference(flt, rows_)), text
    inf_rows = [r for r in ordered if r.due == math.inf]
    assert inf_rows and not parse("sla:>1m", me="x").apply(inf_rows, NOW)


def test_a_list_is_indexed_once_and_a_new_or_changed_list_anew() -> None:
    rows = corpus(1, 50)
    index = row_index.index_for(rows)
    assert row_index.index_for(rows) is index
    assert row_index.index_for(rows[:]) is not index  # another list...
    assert row_index.index_for(rows) is not index  # ...dropped the first one's index
    index = row_index.index_for(rows)
    assert row_index.index_for(rows) is index
    rows.append(row("new", subject="password"))  # changed in place: seen by its length
    fresh = row_index.index_for(rows)
    assert fresh is not index and fresh.describes(rows)
    assert "new" in ids(parse("password", me="x").apply(rows, NOW))
    rows[0] = row("swap", subject="zebra")  # a sampled row replaced in place
    assert not fresh.describes(rows)
    assert ids(parse("zebra", me="x").apply(rows, NOW)) == ["swap"]


def test_small_lists_are_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(row_index, "KEEP_FROM_ROWS", 10)
    small, big = corpus(2, 9), corpus(2, 20)
    assert row_index.index_for(small) is not row_index.index_for(small)
    kept = row_index.index_for(big)
    assert row_index.index_for(big) is kept
    row_index.index_for(small)  # a reload's first page: the big list is let go
    assert row_index.index_for(big) is not kept
    row_index.forget()
    assert parse("vip", me="x").matches(small[0], NOW) == small[0].vip
    kept = row_index.index_for(big)
    assert parse("vip", me="x").matches(small[0], NOW) == small[0].vip
    assert row_index.index_for(big) is kept  # matches() does not let the queue's index go


def test_learning_from_fields_knows_the_words_of_every_haystack() -> None:
    """``row_texts`` (distinct fields, excerpts by sentence) holds the haystacks' words."""
    rows = corpus(6, 700) + [
        row(
            "ZD-7",
            subject="ΟΔΟΣ. Σ café",
            excerpt="Straße. . x. İstanbul_x e-mail. ",
            tags=("A B",),
        ),
        row("8", subject="", excerpt=". . ", requester=""),
    ]
    by_haystack, by_field = word_match.Vocabulary(), word_match.Vocabulary()
    by_haystack.ingest(haystacks(rows))
    by_field.learn_rows(rows, haystacks(rows))
    assert by_field._words == by_haystack._words and len(by_field) > 50
    by_field.learn_rows(rows, haystacks(rows))  # nothing new: cheap, same words
    assert by_field._words == by_haystack._words


def test_rows_share_equal_texts_and_keep_their_values() -> None:
    built = " ".join(["Login", "fails"])  # made at run time: another object than the literal
    a, b = row("1", subject=built), row("2", subject="Login fails")
    assert (
        a.subject is b.subject and a.channel is b.channel and a == row("1", subject="Login fails")
    )
    odd = QueueRow(
        **{
            **{
                f: getattr(a, f)
                for f in (
                    "id",
                    "subject",
                    "status",
                    "priority",
                    "requester",
                    "requester_id",
                    "organization",
                    "vip",
                    "due",
                    "paused",
                    "created",
                    "tags",
                    "assignee",
                    "channel",
                    "excerpt",
                )
            },
            "assignee": None,
        }
    )
    assert odd.assignee is None and odd.subject == "Login fails"  # not a str: kept as given


def test_prepare_learns_the_rows_words_before_the_first_filter() -> None:
    """After ``prepare`` (run in a worker after a load) a typo filter finds nothing left to
    learn."""
    rows = [row(str(i), subject=f"Refund for invoice {i}") for i in range(40)]
    index = row_index.RowIndex(rows).prepare()
    assert index._learned and index._hays is not None
    assert "invoice" in word_match.VOCABULARY.corrections("invoce", 1)
