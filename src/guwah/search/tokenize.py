"""Tokens for the search index, made in Python and handed to FTS5 as space-separated words.

SQLite's own ``unicode61`` tokenizer keeps a run of Han characters as one token, so a
two-character name inside a sentence cannot be found; ``trigram`` cannot match a query of
two characters. So every text is tokenised here, for the index and for queries alike:

- **Han (and kana, hangul)**: a run of characters gives its overlapping bigrams and then
  its last character alone (阿不都 → 阿不 不都 都). A query of two or more characters is
  the phrase of its bigrams, which matches anywhere inside a run; a one-character query is
  a prefix query (``都*``) that matches the bigrams starting with it and the trailing
  unigram, so every occurrence is found.
- **Arabic-script Uyghur**: presentation forms folded to letters (NFKC), zero-width
  (non-)joiners, tatweel and harakat removed, letter variants folded
  (``reference/search/arabic_fold.csv``).
- **Latin (and Cyrillic)**: case-folded, diacritics removed (Abduréhim → abdurehim).
- **ID numbers**: an 18-digit resident ID is one token (``…x`` lower-cased), followed by its
  6-digit region prefix, so ``653121`` finds every ID issued in 疏附县.

Every token keeps the span of the original text it came from, for highlighted snippets.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from guwah.han import CJK_CLASS, simplified

# Characters that are written without spaces between words: bigrammed.
_CJK = CJK_CLASS  # Han (guwah.han), kana and Hangul
_CJK_RUN = re.compile(f"[{_CJK}]+")
# A word: letters and digits (not the underscore), with the combining marks and zero-width
# joiners that live inside words in Arabic script and decomposed Latin.
_MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u200c\u200d\u0640"
_WORD = re.compile(f"(?:[^\\W_]|[{_MARKS}])+")
_ID = re.compile(r"\d{17}[\dx]|\d{15}")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int  # span in the original text
    end: int


def is_cjk(ch: str) -> bool:
    return bool(_CJK_RUN.fullmatch(ch))


@cache
def _arabic_fold() -> dict[str, str]:
    text = (resources.files("guwah") / "reference" / "search" / "arabic_fold.csv").read_text(
        "utf-8"
    )
    out: dict[str, str] = {}
    for row in csv.DictReader(text.splitlines()):
        src = chr(int(row["from"][2:], 16))
        dst = row["to"]
        out[src] = chr(int(dst[2:], 16)) if dst.startswith("U+") else dst
    return out


@cache
def _fold_char(ch: str) -> str:
    """One character as the index stores it (after NFKC)."""
    table = _arabic_fold()
    if ch in table:
        return table[ch]
    if "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f":
        return ch  # Arabic letters: NFKD would split ئ into ي + hamza; keep them whole
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(word: str) -> str:
    """Normalise one non-CJK word: NFKC, Arabic letter folding, lower case, no diacritics."""
    return "".join(_fold_char(c) for c in unicodedata.normalize("NFKC", word))


def _han_tokens(run: str, offset: int) -> Iterator[Token]:
    run = simplified(run)  # 陳全國 is indexed and found as 陈全国 (OpenCC, offsets kept)
    for i in range(len(run) - 1):
        yield Token(run[i : i + 2], offset + i, offset + i + 2)
    yield Token(run[-1], offset + len(run) - 1, offset + len(run))


def _word_tokens(word: str, offset: int) -> Iterator[Token]:
    """A non-CJK word, possibly glued to CJK runs (身份证号6531…)."""
    pos = 0
    for m in _CJK_RUN.finditer(word):
        if m.start() > pos:
            yield from _plain(word[pos : m.start()], offset + pos)
        yield from _han_tokens(m.group(), offset + m.start())
        pos = m.end()
    if pos < len(word):
        yield from _plain(word[pos:], offset + pos)


def _plain(word: str, offset: int) -> Iterator[Token]:
    folded = fold(word)
    if not folded:
        return
    # folding may leave separators (NFKC of a ligature or a fullwidth symbol): split again
    for part in re.split(r"[^\w]|_", folded):
        if not part:
            continue
        yield Token(part, offset, offset + len(word))
        if _ID.fullmatch(part):
            yield Token(part[:6], offset, offset + 6)


def tokens(text: str) -> list[Token]:
    """All index tokens of a text, in order, with their spans in ``text``."""
    out: list[Token] = []
    for m in _WORD.finditer(text):
        out.extend(_word_tokens(m.group(), m.start()))
    return out


def index_text(text: str) -> str:
    """The token string stored in the FTS5 table for ``text`` (the texts of ``tokens``)."""
    return " ".join(filter(None, map(_word_index_text, _WORD.findall(text))))


@lru_cache(maxsize=1 << 16)
def _word_index_text(word: str) -> str:
    # records and EXIF repeat the same words endlessly: tokenise each distinct word once
    return " ".join(t.text for t in _word_tokens(word, 0))


@dataclass(frozen=True, slots=True)
class Unit:
    """A query unit: tokens that must be adjacent (a phrase); ``prefix``: the last is a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False


def query_units(term: str, phrase: bool = False) -> list[Unit]:
    """Query tokens of a term. Unquoted: each CJK run and each word is its own unit (all must
    match). Quoted (``phrase``): one unit, the tokens in order as the index holds them."""
    toks = tokens(term)
    if not toks:
        return []
    if phrase:
        # as indexed, except a CJK run at the end drops its trailing unigram so that
        # "吐尔" also matches inside 吐尔地; a lone final CJK character becomes a prefix
        out = [t.text for t in toks]
        last = toks[-1]
        if len(last.text) == 1 and is_cjk(last.text):
            if len(out) >= 2 and out[-2][-1:] == last.text and is_cjk(out[-2]):
                out.pop()  # trailing unigram of a longer run
                return [Unit(tuple(out))]
            return [Unit(tuple(out), prefix=True)]
        return [Unit(tuple(out))]
    units: list[Unit] = []
    run: list[str] = []
    for t in toks:
        if is_cjk(t.text[0]):
            if len(t.text) == 1:  # end of a run
                if run:
                    units.append(Unit(tuple(run)))
                else:
                    units.append(Unit((t.text,), prefix=True))
                run = []
            else:
                run.append(t.text)
        else:
            units.append(Unit((t.text,)))
    return units
