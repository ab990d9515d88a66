"""Import a folder of Markdown help-centre articles into the local helpdesk's KB.

Each file carries a small front matter block::

    ---
    id: 16853355736732
    title: "About Manager for Linux"
    url: https://support.example/articles/16853355736732
    section: Manager for Linux      # or `category:`
    ---
    Body in Markdown…

The front matter is parsed here (``key: value`` lines, values optionally
quoted) rather than with PyYAML: exports from Zendesk Guide, Docusaurus or
Hugo only use that subset, and it keeps the dependency list short. A file
that cannot be used is reported with the reason, never fatal: one bad file
must not cost the other 400.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from triage_tui.adapters.local.store import connect, transaction, translate
from triage_tui.domain.errors import InvalidInput

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdx"})


@dataclass
class ImportResult:
    """What an import did. ``imported`` counts new articles, ``updated`` changed ones."""

    imported: int = 0
    updated: int = 0
    #: (file relative to the folder, why it was not imported)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: Articles already present with identical content (neither imported nor updated).
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.imported + self.updated + self.unchanged


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        if value[0] == '"':
            return inner.replace('\\"', '"').replace("\\\\", "\\")
        return inner.replace("''", "'")  # YAML's single-quote escape
    # An unquoted value may carry a trailing comment: `section: API  # moved`.
    if " #" in value:
        value = value.split(" #", 1)[0].rstrip()
    return value


def parse_front_matter(text: str) -> tuple[dict[str, str], str] | None:
    """``(fields, body)`` for a document starting with a ``---`` block, else None.

    Keys are lower-cased; nested YAML (indented lines, list items) is ignored
    because no field we read needs it.
    """
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    fields: dict[str, str] = {}
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            body = "\n".join(lines[index + 1 :]).strip()
            return fields, body
        if not line.strip() or line.lstrip().startswith("#") or line[:1].isspace():
            continue
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.strip().startswith("-"):
            fields[key.strip().lower()] = _unquote(value)
    return None  # never closed: not front matter after all


def _article(path: Path, base_url: str) -> tuple[tuple[str, str, str, str, str] | None, str]:
    """The article row for ``path``, or None and the reason it was skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    parsed = parse_front_matter(text)
    if parsed is None:
        return None, "no front matter (a --- block with id and title)"
    fields, body = parsed
    article_id, title = fields.get("id", "").strip(), fields.get("title", "").strip()
    if not article_id:
        return None, "front matter has no id"
    if not title:
        return None, "front matter has no title"
    section = fields.get("section") or fields.get("category") or ""
    url = fields.get("url", "").strip()
    if not url and base_url:
        url = f"{base_url.rstrip('/')}/{article_id}"
    return (article_id, title, body, url, section.strip()), ""


def _markdown_files(directory: Path) -> list[Path]:
    found = []
    for path in directory.rglob("*"):
        relative = path.relative_to(directory)
        if any(part.startswith(".") for part in relative.parts):
            continue  # .git, .obsidian and other tool folders
        if path.suffix.lower() in MARKDOWN_SUFFIXES and path.is_file():
            found.append(path)
    return sorted(found)


def import_dir(db_path: Path, directory: Path, base_url: str = "") -> ImportResult:
    """Upsert every Markdown article under ``directory`` (recursively) by id, in one transaction.

    ``base_url`` gives articles without a ``url`` one (``<base_url>/<id>``), for
    exports such as Zendesk Guide's that omit it.
    """
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise InvalidInput(f"{directory} is not a directory of Markdown articles")
    result = ImportResult()
    rows: dict[str, tuple[str, str, str, str, str]] = {}
    origin: dict[str, str] = {}
    for path in _markdown_files(directory):
        name = path.relative_to(directory).as_posix()
        row, reason = _article(path, base_url)
        if row is None:
            result.skipped.append((name, reason))
        elif row[0] in rows:
            result.skipped.append((name, f"duplicate id {row[0]} (already in {origin[row[0]]})"))
        else:
            rows[row[0]] = row
            origin[row[0]] = name
    db_path = Path(db_path).expanduser()
    conn = connect(db_path)
    try:
        with transaction(conn):
            existing = {
                r[0]: tuple(r)
                for r in conn.execute("SELECT id, title, body, url, section FROM articles")
            }
            changed = []
            for article_id, row in rows.items():
                before = existing.get(article_id)
                if before is None:
                    result.imported += 1
                elif before != row:
                    result.updated += 1
                else:
                    result.unchanged += 1
                    continue
                changed.append(row)
            # Upsert keeps the rowid, so the FTS triggers update rather than duplicate.
            conn.executemany(
                "INSERT INTO articles(id, title, body, url, section) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET title = excluded.title, body = excluded.body, "
                "url = excluded.url, section = excluded.section",
                changed,
            )
    except sqlite3.Error as exc:
        raise translate(exc, db_path) from None
    finally:
        conn.close()
    return result
