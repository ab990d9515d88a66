"""RT's articles as the knowledge base: listed for local ranking, or searched by RT.

A mixin of ``RtHelpdesk`` (it needs the adapter's ``_pages``): kept apart
because the KB is its own corner of REST2 (classes, a custom field for the
text, JSON searches), and so the adapter module stays readable.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from triage_tui.domain.models import Article

if TYPE_CHECKING:
    from triage_tui.adapters.rt.options import RtOptions
    from triage_tui.adapters.rt.translate import Translator

_WORD = re.compile(r"[^\W_]{3,}")


class RtArticles:
    """``iter_articles`` and ``search_kb`` over REST2's ``/articles``."""

    rt: RtOptions
    tr: Translator
    _classes: dict[str, str] | None

    def _pages(
        self, path: str, params: Mapping[str, Any], body: Any = None
    ) -> AsyncIterator[dict[str, Any]]:
        raise NotImplementedError  # provided by RtHelpdesk

    async def _class_names(self) -> dict[str, str]:
        if self._classes is None:
            self._classes = {
                str(c.get("id")): str(c.get("Name") or "")
                async for c in self._pages("classes/all", {"fields": "Name"})
            }
        return self._classes

    async def _articles(self, limits: list[dict[str, Any]]) -> AsyncIterator[Article]:
        classes = await self._class_names()
        wanted = {c.lower() for c in self.rt.article_classes}
        params = {"fields": "Name,Summary,Class,CustomFields"}
        async for item in self._pages("articles", params, limits):
            article = self.tr.article(item, classes)
            if not wanted or article.section.lower() in wanted:
                yield article

    async def iter_articles(self) -> AsyncIterator[Article]:
        # A search without limits finds nothing in RT; "id > 0" is every article.
        async for article in self._articles([{"field": "id", "operator": ">", "value": 0}]):
            yield article

    async def search_kb(self, query: str, limit: int = 10) -> list[Article]:
        """RT's article search (names and summaries containing a query word), re-ranked locally."""
        from triage_tui.domain.kb.ranking import rerank  # rapidfuzz: only searches pay for it

        words = list(dict.fromkeys(w.lower() for w in _WORD.findall(query)))[:12]
        if not words:
            return []
        found: dict[str, Article] = {}
        for field in ("Name", "Summary"):
            limits = [
                {"field": field, "operator": "LIKE", "value": w, "entry_aggregator": "OR"}
                for w in words
            ]
            async for article in self._articles(limits):
                found.setdefault(article.id, article)
        ranked = rerank(list(found.values()), query, k=limit)
        return [m.article for m in ranked if m.score > 0]
