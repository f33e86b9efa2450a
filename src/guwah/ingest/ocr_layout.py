"""Tesseract's words into printed lines, in reading order.

Tesseract's page layout (``--psm 3``) splits a page into blocks and reads block after block.
Chinese is set on a grid, so when the lines of a page start with phrases of one length,
their full-width commas line up into a narrow white river and Tesseract takes the page for
two columns: it reads the first phrase of every line, then the rest of every line (two of
the ten synthetic Chinese batch pages of ``benchmarks/ocr.py``: character error 33 % each,
every character right). :func:`rows_of` joins a segment to the segment of another block that
it continues (to its right, or to its left in Arabic script): the same line on the page
(centres within :data:`SAME_ROW` line heights), type of one size (:data:`SAME_SIZE`),
starting less than :data:`ROW_GAP` line heights after the other ends, and — left to right —
only Han characters or full-width punctuation on either side of the river, since only text
set on a grid makes one. Measured: the rivers of the synthetic pages are 0.45–0.54 line
heights wide; the gutters of real two-column magazine scans (the UNLV pages of Tesseract's
test suite) 1.02–2.2, and a drop cap is three lines tall; so real columns stay apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from guwah.han import HAN_CLASS

SAME_ROW = 0.35  # line heights between the centres of two segments of one printed line
ROW_GAP = 0.8  # line heights of white between two segments of one printed line, at most
SAME_SIZE = 1.3  # the taller of two segments of one printed line over the shorter, at most

_HAN = HAN_CLASS + "\u2e80-\u2fff\u3040-\u30ff"  # Han (guwah.han), radicals and kana
_CJK_PUNCT = r"\u3000-\u303f\uff00-\uffef"
# Tesseract separates every CJK character by a space; Chinese is written without them.
# Drop a space between two Han characters, between Han and a digit ("2018 年"), and next
# to full-width punctuation; keep it between Han and a Latin word.
_CJK_GAP = re.compile(
    rf"(?<=[{_HAN}{_CJK_PUNCT}])[ \t]+(?=[{_HAN}{_CJK_PUNCT}0-9])"
    rf"|(?<=[0-9])[ \t]+(?=[{_HAN}{_CJK_PUNCT}])"
    rf"|(?<=[{_CJK_PUNCT}])[ \t]+|[ \t]+(?=[{_CJK_PUNCT}])"
)
# ASCII punctuation read in place of full-width between Han characters: "镇 : 现" → "镇:现"
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")  # Hebrew and Arabic scripts
_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c"))  # LRM, RLM, Arabic letter mark
_GRID = re.compile(rf"[{_HAN}{_CJK_PUNCT}]")  # characters set on a grid
_HAN_ASCII_PUNCT = re.compile(rf"(?<=[{_HAN}])[ \t]*([,.:;!?])[ \t]*(?=[{_HAN}])")


def clean_ocr_text(text: str) -> str:
    """Remove the spaces Tesseract puts between CJK characters and the invisible direction
    marks it puts around Latin runs in Arabic script; trim line ends."""
    text = _HAN_ASCII_PUNCT.sub(r"\1", _CJK_GAP.sub("", text)).translate(_MARKS)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip()


class _Span(Protocol):
    @property
    def top(self) -> int: ...

    @property
    def bottom(self) -> int: ...


class _Tall:
    """Height and vertical centre of anything with a ``top`` and a ``bottom``."""

    @property
    def height(self: _Span) -> int:
        return max(1, self.bottom - self.top)

    @property
    def centre(self: _Span) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Segment(_Tall):
    """One line of one Tesseract block: its words, their confidences and its box."""

    block: int
    par: int
    left: int
    top: int
    right: int
    bottom: int
    words: list[str] = field(default_factory=list)
    confs: list[float] = field(default_factory=list)

    @property
    def rtl(self) -> bool:
        """Written right to left (mostly Arabic-script letters): it goes on to its left."""
        letters = [c for w in self.words for c in w if c.isalpha()]
        return sum(1 for c in letters if _RTL.match(c)) * 2 > len(letters)


@dataclass
class Row(_Tall):
    """A printed line: one or more segments, left to right."""

    segments: list[Segment]
    para: tuple[int, int] | None = None  # set for the lines of blocks joined by rows_of

    @property
    def text(self) -> str:
        return " ".join(" ".join(s.words) for s in self.segments)

    @property
    def confs(self) -> list[float]:
        return [c for s in self.segments for c in s.confs]

    @property
    def confidence(self) -> float:
        confs = self.confs
        return sum(confs) / len(confs) if confs else 0.0

    @property
    def top(self) -> int:
        return min(s.top for s in self.segments)

    @property
    def bottom(self) -> int:
        return max(s.bottom for s in self.segments)

    @property
    def paragraph(self) -> tuple[int, int]:
        return self.para or (self.segments[0].block, self.segments[0].par)


def segments_of(data: dict[str, list[Any]]) -> list[Segment]:
    """The lines of Tesseract's ``image_to_data`` output, in its order; words read at
    negative confidence (layout entries, not words) and empty words left out."""
    segments: dict[tuple[int, int, int], Segment] = {}
    for i, word in enumerate(data["text"]):
        word = (word or "").strip()
        conf = float(data["conf"][i])
        if not word or conf < 0:
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        left, top = int(data["left"][i]), int(data["top"][i])
        right, bottom = left + int(data["width"][i]), top + int(data["height"][i])
        seg = segments.get(key)
        if seg is None:
            seg = segments[key] = Segment(key[0], key[1], left, top, right, bottom)
        else:
            seg.left, seg.top = min(seg.left, left), min(seg.top, top)
            seg.right, seg.bottom = max(seg.right, right), max(seg.bottom, bottom)
        seg.words.append(word)
        seg.confs.append(conf)
    return list(segments.values())


def rows_of(segments: list[Segment]) -> list[Row]:
    """Segments joined into printed lines, in reading order (see the module's docstring)."""
    following: dict[int, int] = {}  # segment → the segment that continues it
    continued: set[int] = set()
    for i, seg in enumerate(segments):
        best: tuple[int, int] | None = None
        rtl = seg.rtl
        for j, other in enumerate(segments):
            if j == i or other.block == seg.block or j in continued or other.rtl != rtl:
                continue
            h, low = max(seg.height, other.height), min(seg.height, other.height)
            if h > SAME_SIZE * low or not (rtl or _on_grid(seg.words[-1][-1], other.words[0][0])):
                continue
            gap = seg.left - other.right if rtl else other.left - seg.right
            same_row = abs(other.centre - seg.centre) <= SAME_ROW * h
            if same_row and -0.2 * h <= gap <= ROW_GAP * h and (best is None or gap < best[0]):
                best = (gap, j)
        if best is not None:
            following[i] = best[1]
            continued.add(best[1])
    group = {seg.block: seg.block for seg in segments}  # blocks that share printed lines

    def root(block: int) -> int:
        while group[block] != block:
            block = group[block]
        return block

    for i, j in following.items():
        group[root(segments[j].block)] = root(segments[i].block)
    by_group: dict[int, list[Row]] = {}  # in the order each group first comes
    for i in range(len(segments)):
        if i in continued:
            continue
        chain, at = [segments[i]], i
        while at in following and len(chain) <= len(segments):
            at = following[at]
            chain.append(segments[at])
        by_group.setdefault(root(chain[0].block), []).append(Row(chain))
    rows: list[Row] = []
    for g, members in by_group.items():
        if any(len(r.segments) > 1 for r in members):  # blocks Tesseract split one text into
            members.sort(key=lambda r: r.centre)  # their lines top to bottom, one paragraph
            for r in members:
                r.para = (g, 0)
        rows.extend(members)
    return rows


def _on_grid(before: str, after: str) -> bool:
    """Han or full-width punctuation on both sides of a river (a digit may follow)."""
    return bool(_GRID.match(before)) and (after.isdigit() or bool(_GRID.match(after)))


def rows_text(rows: list[Row]) -> str:
    """The rows as text: one per line, a blank line between Tesseract's paragraphs."""
    lines: list[str] = []
    last: tuple[int, int] | None = None
    for row in rows:
        if last is not None and row.paragraph != last:
            lines.append("")
        lines.append(row.text)
        last = row.paragraph
    return clean_ocr_text("\n".join(lines))


def rows_confidence(rows: list[Row]) -> tuple[float | None, int]:
    """The mean confidence of the words kept, and how many words were kept."""
    confs = [c for row in rows for c in row.confs]
    return (round(sum(confs) / len(confs), 2) if confs else None), len(confs)
