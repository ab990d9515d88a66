"""Loading the evaluation data and corrupting it reproducibly.

Articles are Markdown files with a front matter block (``id``, ``title``, and
optionally ``url``); queries are JSON lines ``{"query", "article_id",
"escalation": [...]}``.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import string
from pathlib import Path

from triage_tui.domain.models import Article

_FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?", re.DOTALL)
_FIELD_RE = re.compile(r"^(\w+)\s*:\s*(.*?)\s*$", re.MULTILINE)
_WORD_RE = re.compile(r"[A-Za-z]+")


def parse_article(text: str, fallback_id: str) -> Article:
    """An article from Markdown with optional front matter; the file name is the fallback id."""
    meta: dict[str, str] = {}
    body = text
    m = _FRONT_MATTER_RE.match(text)
    if m:
        for key, value in _FIELD_RE.findall(m.group(1)):
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            meta[key] = value
        body = text[m.end() :]
    title = meta.get("title")
    if not title:
        heading = re.search(r"^#\s+(.+)$", body, re.MULTILINE)
        title = heading.group(1).strip() if heading else fallback_id
    return Article(
        id=meta.get("id", fallback_id),
        title=title,
        body=body.strip(),
        url=meta.get("url", ""),
        section=meta.get("category", ""),
    )


def load_articles(folder: Path) -> list[Article]:
    files = sorted(folder.glob("*.md"))
    if not files and (folder / "articles").is_dir():
        files = sorted((folder / "articles").glob("*.md"))
    return [parse_article(f.read_text(encoding="utf-8"), f.stem) for f in files]


def load_queries(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def misspell(text: str, rate: float, rng: random.Random) -> str:
    """Give each word, with probability ``rate``, one typo: a dropped, doubled-in,
    swapped or substituted letter (the four edits typists make)."""
    if rate <= 0:
        return text

    def typo(m: re.Match[str]) -> str:
        word = m.group()
        if rng.random() >= rate:
            return word
        letters = string.ascii_lowercase
        kinds = ["insert", "substitute"] + (["delete", "swap"] if len(word) > 1 else [])
        kind = rng.choice(kinds)
        i = rng.randrange(len(word))
        if kind == "insert":
            return word[:i] + rng.choice(letters) + word[i:]
        if kind == "delete":
            return word[:i] + word[i + 1 :]
        if kind == "swap":
            i = min(i, len(word) - 2)
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        replacement = rng.choice([c for c in letters if c != word[i].lower()])
        return word[:i] + replacement + word[i + 1 :]

    return _WORD_RE.sub(typo, text)


def misspell_all(queries: list[str], rate: float, seed: int) -> list[str]:
    """Typos per query from its own seeded generator, so they do not depend on order."""
    return [misspell(q, rate, random.Random(f"{seed}:{i}")) for i, q in enumerate(queries)]


_SYLLABLES = [c + v for c in "bcdfghklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


def synthetic_kb(n: int, seed: int, base: list[Article], vocabulary: int = 30_000) -> list[Article]:
    """``n`` generated articles: Zipf-distributed words from a large made-up
    vocabulary mixed with the real articles' own words, so postings lists and
    the fuzzy vocabulary have realistic sizes. The real articles come first."""
    rng = random.Random(seed)
    real_words = sorted({w.lower() for a in base for w in _WORD_RE.findall(f"{a.title} {a.body}")})
    made_up: set[str] = set()
    while len(made_up) < vocabulary:
        made_up.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    words = real_words + sorted(made_up)
    rng.shuffle(words)
    cumulative = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(words))))
    fillers = [
        "the",
        "a",
        "to",
        "of",
        "and",
        "for",
        "your",
        "you",
        "is",
        "in",
        "on",
        "with",
        "it",
        "this",
        "that",
        "can",
        "be",
    ]
    articles = list(base)
    for i in range(n - len(base)):
        title = " ".join(
            rng.choices(words, cum_weights=cumulative, k=rng.randint(2, 5))
        ).capitalize()
        body_words = rng.choices(words, cum_weights=cumulative, k=rng.randint(80, 250))
        for j in range(0, len(body_words), 3):
            body_words[j] = f"{rng.choice(fillers)} {body_words[j]}"
        articles.append(Article(id=f"gen-{i}", title=title, body=" ".join(body_words) + "."))
    return articles
