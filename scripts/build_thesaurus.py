"""Compile WordNet 3.0 into the ranker's compact related-words file.

    apt-get install -y wordnet-base        # Debian/Ubuntu: /usr/share/wordnet
    python scripts/build_thesaurus.py [--wordnet /usr/share/wordnet] \
        [--out triage_tui/domain/kb/wordnet_related.txt.gz]

Only what ``triage_tui.domain.kb.thesaurus`` reads is kept: single-word lemmas
and their most frequent senses (WordNet lists a lemma's senses by corpus
frequency), the synsets those senses are, and from each synset its
hypernyms, similar-to / verb-group / see-also links and derivational links
(word to word: "reimbursement" ~ "reimburse"), with the hypernyms of a
derivational target. Glosses, examples and multi-word lemmas are dropped.
Irregular forms ("paid" -> "pay") come from the exception lists. The output
is plain text, gzip-compressed, deterministic for a given WordNet.

Format (after ``#`` licence lines), three sections headed ``@synsets``,
``@lemmas``, ``@exceptions``:

    @synsets      one per line, the line number (from 0) is its id:
                  members|related ids, comma-separated|derivations
                  where a derivation is ``i>id.j``: member i (1-based; 0 =
                  every member) derives member j of synset id
    @lemmas       lemma id:rank id:rank ...   (rank = sense number - 1, per part of speech)
    @exceptions   form base [base ...]
"""

from __future__ import annotations

import argparse
import gzip
import re
from pathlib import Path

SENSES = 3
"""Senses kept per lemma and part of speech (the runtime may use fewer)."""

POS = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
RELATED = {"@", "@i", "&", "$", "^"}  # hypernym, instance hypernym, similar, verb group, see also
_WORD = re.compile(r"^[a-z]+$")

NOTICE = """\
# Derived from WordNet 3.0 (Princeton University) by scripts/build_thesaurus.py.
# WordNet 3.0 Copyright 2006 by Princeton University.  All rights reserved.
# Permission to use, copy, modify and distribute this software and database and
# its documentation for any purpose and without fee or royalty is hereby granted,
# provided that you agree to comply with the following copyright notice and
# statements, including the disclaimer, and that the same appear on ALL copies of
# the software, database and documentation, including modifications that you make
# for internal use or for distribution.
# THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO
# REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED.  BY WAY OF EXAMPLE, BUT NOT
# LIMITATION, PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES OF
# MERCHANTABILITY OR FITNESS FOR ANY PARTICULAR PURPOSE OR THAT THE USE OF THE
# LICENSED SOFTWARE, DATABASE OR DOCUMENTATION WILL NOT INFRINGE ANY THIRD PARTY
# PATENTS, COPYRIGHTS, TRADEMARKS OR OTHER RIGHTS.
# The name of Princeton University or Princeton may not be used in advertising or
# publicity pertaining to distribution of the software and/or database.  Title to
# copyright in this software, database and any associated documentation shall at
# all times remain with Princeton University and LICENSEE agrees to preserve same.
"""

Key = tuple[str, str]  # (pos, byte offset)


def read_synsets(root: Path) -> dict[Key, tuple[list[str], list[tuple[str, Key, int, int]]]]:
    """(pos, offset) -> (lower-cased members, pointers (symbol, target, source, target word))."""
    out = {}
    for name, pos in POS.items():
        with (root / f"data.{name}").open(encoding="latin-1") as handle:
            for line in handle:
                if line.startswith("  "):
                    continue
                fields = line.partition(" | ")[0].split()
                n_words = int(fields[3], 16)
                words = [fields[4 + 2 * i].lower().split("(")[0] for i in range(n_words)]
                i = 4 + 2 * n_words
                pointers = []
                for _ in range(int(fields[i])):
                    symbol, offset, tpos, st = fields[i + 1 : i + 5]
                    i += 4
                    tpos = "a" if tpos == "s" else tpos
                    pointers.append((symbol, (tpos, offset), int(st[:2], 16), int(st[2:], 16)))
                out[(pos, fields[0])] = (words, pointers)
    return out


def read_index(root: Path) -> dict[str, list[tuple[Key, int]]]:
    """lemma -> [(synset, rank)] for its first SENSES senses per part of speech."""
    out: dict[str, list[tuple[Key, int]]] = {}
    for name, pos in POS.items():
        with (root / f"index.{name}").open(encoding="latin-1") as handle:
            for line in handle:
                if line.startswith("  "):
                    continue
                fields = line.split()
                lemma = fields[0]
                if not _WORD.match(lemma):
                    continue
                offsets = fields[6 + int(fields[3]) :]
                out.setdefault(lemma, []).extend(
                    ((pos, off), rank) for rank, off in enumerate(offsets[:SENSES])
                )
    return out


def read_exceptions(root: Path, lemmas: set[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name in POS:
        with (root / f"{name}.exc").open(encoding="latin-1") as handle:
            for line in handle:
                form, *bases = line.split()
                for base in bases:
                    if _WORD.match(form) and base in lemmas and base not in out.get(form, []):
                        out.setdefault(form, []).append(base)
    return out


def build(root: Path) -> str:
    synsets = read_synsets(root)
    index = read_index(root)
    # Which synsets are needed: every kept sense, what it points to, and the
    # hypernyms of its derivational targets.
    needed: set[Key] = set()
    for senses in index.values():
        for key, _ in senses:
            needed.add(key)
            for symbol, target, _, _ in synsets[key][1]:
                needed.add(target)
                if symbol == "+":
                    needed.update(t for s, t, _, _ in synsets[target][1] if s in RELATED)
    ids: dict[Key, int] = {}
    kept: list[Key] = []
    for key in sorted(needed):
        if any(_WORD.match(w) for w in synsets[key][0]):
            ids[key] = len(kept)
            kept.append(key)
    lines = [NOTICE.rstrip("\n"), "@synsets"]
    for key in kept:
        words, pointers = synsets[key]
        # Member numbers in derivations count only the kept (single-word) members.
        position = {}
        members = []
        for i, w in enumerate(words, start=1):
            if _WORD.match(w) and w not in members:
                members.append(w)
                position[i] = len(members)
        related = sorted(
            {ids[t] for s, t, _, _ in pointers if s in RELATED and t in ids and t != key}
        )
        derivs = []
        for symbol, target, src, tgt in pointers:
            if symbol != "+" or target not in ids:
                continue
            if (src and src not in position) or not tgt:
                continue
            t_words = synsets[target][0]
            t_word = t_words[tgt - 1]
            if not _WORD.match(t_word):
                continue
            t_members = list(dict.fromkeys(w for w in t_words if _WORD.match(w)))
            item = f"{position.get(src, 0)}>{ids[target]}.{t_members.index(t_word) + 1}"
            if item not in derivs:
                derivs.append(item)
        lines.append(f"{' '.join(members)}|{','.join(map(str, related))}|{' '.join(derivs)}")
    lines.append("@lemmas")
    for lemma in sorted(index):
        senses = [f"{ids[key]}:{rank}" for key, rank in index[lemma] if key in ids]
        if senses:
            lines.append(f"{lemma} {' '.join(senses)}")
    lines.append("@exceptions")
    for form, bases in sorted(read_exceptions(root, set(index)).items()):
        if form not in bases:
            lines.append(f"{form} {' '.join(bases)}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wordnet", default="/usr/share/wordnet", type=Path)
    default_out = (
        Path(__file__).resolve().parents[1] / "triage_tui/domain/kb/wordnet_related.txt.gz"
    )
    parser.add_argument("--out", default=default_out, type=Path)
    args = parser.parse_args()
    text = build(args.wordnet)
    # mtime=0 keeps the file byte-identical across runs.
    with args.out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    print(f"{args.out}: {len(text)} chars, {args.out.stat().st_size} bytes compressed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
