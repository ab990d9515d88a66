"""Issue 23 item 1: the optional embedding similarity (the kb-embed extra) for KB suggestions."""

from __future__ import annotations

import importlib
import socket
from collections.abc import Sequence
from types import ModuleType

import pytest

from tests.domain.test_benchmarks_smoke import ARTICLES
from triage_tui.domain.kb import embedding
from triage_tui.domain.kb.ranking import KbIndex
from triage_tui.domain.models import Article

KB = [Article(id=i, title=t, body=b, url=f"https://kb/{i}") for i, (t, b) in ARTICLES.items()]


@pytest.fixture
def fresh_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test loads the model itself instead of reusing the process's copy."""
    monkeypatch.setattr(embedding, "_LOADED", [])


@pytest.mark.usefixtures("fresh_load")
def test_the_model_loads_from_the_wheel_with_the_network_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 23 item 1: the model ships inside the wheel and loads with every connection
    refused (no download at run time); related texts come out closer than unrelated ones."""
    pytest.importorskip("wordllama")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OSError("network is cut in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    embedder = embedding.load()
    assert embedder is not None
    near, far = embedder.similarities(
        "I want my money back for the order",
        embedder.vectors(["How to get a refund for a purchase", "Change the colour theme"]),
    )
    assert near > far


@pytest.mark.usefixtures("fresh_load")
def test_without_the_extra_the_ranker_works_on_words_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 23 item 1: without wordllama installed ``load`` gives None and the ranker gives
    the same results as with embeddings turned off."""
    real = importlib.import_module

    def without_wordllama(name: str, package: str | None = None) -> ModuleType:
        if name == "wordllama":
            raise ImportError(name)
        return real(name, package)

    monkeypatch.setattr(embedding.importlib, "import_module", without_wordllama)
    assert embedding.load() is None and not embedding.available()
    plain = KbIndex(KB, embeddings=False)
    for query in ("how do I reset my password", "cancel my order or get a refund"):
        got = [(m.article.id, m.score) for m in KbIndex(KB).rank(query, 3)]
        assert got == [(m.article.id, m.score) for m in plain.rank(query, 3)]


def test_articles_are_embedded_when_they_first_reach_a_query(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 23 item 1: building the index embeds nothing (its build time is unchanged); a
    query embeds only the articles it re-ranks, once, and still finds the answer."""
    pytest.importorskip("wordllama")
    calls: list[int] = []
    index = KbIndex(KB)
    vectors = index._vectors
    assert vectors is not None and len(vectors) == 0
    real = vectors._embedder.vectors

    def counted(texts: Sequence[str]) -> list[object]:
        calls.append(len(texts))
        return real(texts)

    monkeypatch.setattr(vectors._embedder, "vectors", counted)
    found = index.rank("I forgot my password and cannot sign in", 3)
    assert found[0].article.id == "reset_password"
    assert 0 < len(vectors) == sum(calls) <= len(KB)
    index.rank("I forgot my password and cannot sign in", 3)
    assert sum(calls) == len(vectors)  # nothing embedded twice
