"""Query parsing, the FTS5 expression, filters and highlighted snippets.

Syntax (see ``docs/search.md``)::

    吐尔地                       words; Chinese is matched anywhere inside a sentence
    "阿不都热依木·吐尔地"        a phrase: the tokens in this order
    Abdurehim OR Abdurahim       either
    -Kashgar                     not
    653121198909220492           an ID number, exactly; 653121 finds every ID of the region
    type:image county:疏附县 facility:… kind:row from:2018-01 to:2018-06-30 findings:yes
    findings:是  findings:否       has findings or not (yes/no, 是/否, 有/无)
    sha256:3f2a…  path:照片      item by hash prefix; words in file paths only
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from guwah.search.tokenize import Unit, is_cjk, query_units, tokens

FILTER_FIELDS = ("type", "kind", "county", "facility", "from", "to", "findings", "sha256")
COLUMN_FIELDS = ("path",)
_TERM = re.compile(r'(-?)(?:(\w+):)?(?:"([^"]*)"?|(\S+))')
#: the values of ``findings:`` (English, Chinese and numbers), matched in lower case
FINDINGS_YES = frozenset({"yes", "y", "true", "1", "有", "是"})
FINDINGS_NO = frozenset({"no", "n", "false", "0", "无", "否", "無"})


# Bounds on the work one query may cause (hostile or pasted queries): the length of the query,
# the words it may highlight, and how much of a long text is scanned for a snippet.
MAX_QUERY_CHARS = 1_000
MAX_UNITS = 64
SNIPPET_SCAN_CHARS = 100_000


class QueryError(ValueError):
    """A query the index cannot run; the message says why."""


@dataclass(frozen=True)
class Term:
    """Words that must all match (each unit a phrase), in one column (None: any)."""

    units: tuple[Unit, ...]
    column: str | None = None


@dataclass
class ParsedQuery:
    """A parsed query: the FTS5 expression (None: filters only), filters, and the units to
    highlight.

    The same query as a structure that every index backend compiles its own way
    (``guwah.search.backend``): ``groups`` must all match, each group when any of its terms
    does; a document matching any ``negated`` term is left out. ``match`` and ``exclude``
    are that structure written as FTS5 expressions (shown to the user as what ran).
    """

    text: str
    match: str | None = None
    filters: dict[str, str] = field(default_factory=dict)
    highlight: list[Unit] = field(default_factory=list)
    exclude: str | None = None  # an FTS5 expression of excluded words when nothing is required
    groups: list[list[Term]] = field(default_factory=list)
    negated: list[Term] = field(default_factory=list)


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def unit_expr(unit: Unit, column: str | None = None) -> str:
    phrase = _quote(" ".join(unit.tokens))
    if unit.prefix:
        phrase += " *"
    return f"{column} : {phrase}" if column else phrase


def _term_expr(units: list[Unit], column: str | None) -> str:
    parts = [unit_expr(u, column) for u in units]
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def parse_query(text: str) -> ParsedQuery:
    """Parse a query string into an FTS5 expression, filters and highlight units."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is {len(text):,} characters long; at most {MAX_QUERY_CHARS:,} are "
            "allowed: search for fewer words"
        )
    q = ParsedQuery(text=text)
    required: list[str] = []
    excluded: list[str] = []
    pending_or = False
    for m in _TERM.finditer(text):
        neg, fname, quoted, bare = m.group(1), m.group(2), m.group(3), m.group(4)
        value = quoted if quoted is not None else (bare or "")
        fkey = fname.lower() if fname else None
        if fkey in FILTER_FIELDS:
            q.filters[fkey] = value.strip()
            continue
        column = fkey if fkey in COLUMN_FIELDS else None
        if fname and column is None:  # not a field we know (12:30, http://…): plain text
            value = f"{fname}:{value}"
            quoted = None
        if not neg and not fname and quoted is None and value == "OR":
            pending_or = bool(required)
            continue
        units = query_units(value, phrase=quoted is not None)
        if not units:
            continue
        expr = _term_expr(units, column)
        term = Term(tuple(units), column)
        if neg:
            excluded.append(expr)
            q.negated.append(term)
            continue
        q.highlight.extend(units)
        if len(q.highlight) > MAX_UNITS:
            raise QueryError(
                f"the query holds more than {MAX_UNITS} words; search for fewer at a time"
            )
        if pending_or and required:
            required[-1] = f"({required[-1]} OR {expr})"
            q.groups[-1].append(term)
        else:
            required.append(expr)
            q.groups.append([term])
        pending_or = False
    if required:
        q.match = " AND ".join(required)
        if excluded:
            q.match = f"({q.match}) NOT ({' OR '.join(excluded)})"
    elif excluded:
        q.exclude = " OR ".join(excluded)
    return q


@dataclass
class Snippet:
    """A window of the original text; ``marks``: the spans (start, end) that matched."""

    text: str
    marks: list[tuple[int, int]]

    def marked(self, open_: str = "[", close: str = "]") -> str:
        out, pos = [], 0
        for start, end in self.marks:
            out += [self.text[pos:start], open_, self.text[start:end], close]
            pos = end
        out.append(self.text[pos:])
        return "".join(out)


def match_spans(text: str, units: list[Unit]) -> list[tuple[int, int]]:
    """Spans of ``text`` where a unit matches, merged, in order.

    Only the first :data:`SNIPPET_SCAN_CHARS` characters are scanned, and tokens are looked
    up by their text, so the cost is one pass over the text plus the matches — not the number
    of words in the query times the length of the text.
    """
    toks = tokens(text[:SNIPPET_SCAN_CHARS])
    at: dict[str, list[int]] = {}
    for i, tok in enumerate(toks):
        at.setdefault(tok.text, []).append(i)
    spans: list[tuple[int, int]] = []
    for unit in units:
        n = len(unit.tokens)
        if n == 0:
            continue
        if n > 1 or not unit.prefix:
            starts: Iterable[int] = at.get(unit.tokens[0], ())
        else:
            starts = (i for tok, idx in at.items() if tok.startswith(unit.tokens[0]) for i in idx)
        for i in starts:
            if i + n > len(toks) or any(toks[i + j].text != unit.tokens[j] for j in range(n - 1)):
                continue
            last, want = toks[i + n - 1], unit.tokens[-1]
            if unit.prefix:
                if not last.text.startswith(want):
                    continue
                end = last.start + len(want) if is_cjk(want[0]) else last.end
            elif last.text != want:
                continue
            else:
                end = last.end
            spans.append((toks[i].start, end))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def make_snippet(text: str, units: list[Unit], width: int = 160) -> Snippet:
    """The part of the original text around the first match, with the matches marked."""
    spans = match_spans(text, units)
    if len(text) <= width:
        start, end = 0, len(text)
    else:
        first = spans[0][0] if spans else 0
        start = max(0, min(first - width // 4, len(text) - width))
        end = min(len(text), start + width)
    lead = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    window = re.sub(r"\s", " ", text[start:end])
    marks = [
        (max(s, start) - start + len(lead), min(e, end) - start + len(lead))
        for s, e in spans
        if s < end and e > start
    ]
    return Snippet(lead + window + tail, marks)
