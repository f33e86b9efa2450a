"""Officials in running text (documents, slides, OCR of scans): person names found by the
title and role patterns of ``reference/officials/patterns.json`` and by jieba's tagger
(which ships its model), with the title and unit written beside them; and each document's
number, date, issuer (落款) and recipients (主送, 抄送).

Every :class:`Mention` carries its character span in the text as stored and the sentence
around it. A name is only taken with a cue (a title before it, 同志 after it, a label such
as 联系人： or 出席：, a post in brackets, a verb such as 主持 or 负责, or a list of names one
of which has such a cue): a word that merely looks like a name is never an official.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from guwah.han import HAN_CLASS, simplified
from guwah.names import data as names_data
from guwah.names.uyghur import coverage

from .data import patterns

HAN = f"[{HAN_CLASS}]"
_HAN1 = re.compile(HAN)
DOTS = "·•・‧･﹒∙⋅.．"
DELIMS = set("，,。；;：:、\n（）()“”\"'《》【】[]！？!?—-　 \t|/")
SENTENCE_END = re.compile(r"[。；！？\n]")
NUMBER_RE = re.compile(
    f"({HAN}{{1,8}})\\s*[〔［\\[【(（]\\s*(\\d{{4}})\\s*[〕］\\]】)）]\\s*(\\d{{1,4}})\\s*号"
)
DATE_RE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
COPY_RE = re.compile(r"^(抄送|分送|主送|报送|抄报)\s*[：:]\s*(.+)$")
LEADS = set("由和与及对请让经被向给将把")  # one-character words that may stand before a name
BAD_GIVEN = set("的了是在和与及等为对将把被从向于也都就又而各该本其之")
FUNCTION_TAGS = ("p", "c", "u", "d", "r", "v", "ad", "m", "q", "f", "t")


@dataclass
class Mention:
    """One official named once: the name, where (span in the stored text), how found."""

    name: str
    start: int
    end: int
    sentence: str
    role: str  # title | comrade | post | actor | list | contact | attendee | chair | …
    title: str = ""
    unit: str = ""
    method: str = "pattern"  # pattern | jieba


@dataclass
class DocHeader:
    """What a document says about itself: number, date, issuer, recipients."""

    number: str = ""
    number_span: tuple[int, int] | None = None
    date: str = ""  # YYYY-MM-DD, the last date written (the one under the signature)
    issuer: str = ""
    issuer_span: tuple[int, int] | None = None
    recipients: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)


class Norm:
    """The text with OCR's spaces and wrapped lines taken out between Han characters and name
    dots made one (·); ``pos[i]`` is where character ``i`` stood in the original."""

    def __init__(self, text: str) -> None:
        chars: list[str] = []
        pos: list[int] = []
        lines = text.split("\n")
        lengths = sorted(len(x.strip()) for x in lines if x.strip())
        self.width = lengths[int(len(lengths) * 0.9)] if lengths else 0
        offset = 0
        for li, line in enumerate(lines):
            skip = 0
            for j, ch in enumerate(line):
                if j < skip:
                    continue
                if ch in " \t\u3000\u00a0" and chars and _joinable(chars[-1], line, j):
                    continue
                if ch in DOTS and chars and _HAN1.match(chars[-1]) and _next_han(line, j):
                    ch = "·"
                elif ch in QUOTES and _HAN1.match(_last_seen(chars)):
                    run = _quote_dot(line, j)
                    if run:  # OCR reads a name's dot as a spaced quotation mark ('  “'  “，)
                        while chars and chars[-1] == " ":
                            chars.pop()
                            pos.pop()
                        chars.append("·")
                        pos.append(offset + j)
                        skip = j + run
                        continue
                if j < skip:
                    continue
                chars.append(ch)
                pos.append(offset + j)
            offset += len(line) + 1
            if li < len(lines) - 1:
                nxt = lines[li + 1].lstrip(" \t\u3000")
                full = len(line.strip()) >= 0.8 * self.width
                if not (chars and nxt and _wrapped(line, nxt, full)) or _starts_block(nxt):
                    chars.append("\n")
                    pos.append(offset - 1)
        self.text = simplified("".join(chars))
        if len(self.text) != len(chars):  # OpenCC keeps lengths for names; be safe otherwise
            self.text = "".join(chars)
        self.pos = pos + [offset]
        self.original = text

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.pos[start], self.pos[end - 1] + 1


QUOTES = "'\"“”‘’`"


def _last_seen(chars: list[str]) -> str:
    """The last character written but for spaces ('' if none)."""
    k = len(chars) - 1
    while k >= 0 and chars[k] == " ":
        k -= 1
    return chars[k] if k >= 0 else ""


def _quote_dot(line: str, j: int) -> int:
    """How many characters from ``j`` (a quotation mark after a Han character) OCR made of a
    name's dot: a run of quotation marks, commas and spaces up to the next Han character that
    holds a space or two marks (赛买提 ' 帕尔哈提, 艾买提 “' 塔依尔, 依沙克 “，吐尔孙江) — never a
    quotation mark set tight against the words it quotes (学习“三个代表”); 0 if none."""
    k = j
    while k < len(line) and line[k] in QUOTES + "，, ":
        k += 1
    run = line[j:k]
    before_space = j > 0 and line[j - 1] == " "
    marks = sum(1 for c in run if c != " ")
    if k >= len(line) or not _HAN1.match(line[k]) or k - j > 4:
        return 0
    if not (before_space or " " in run or marks >= 2):
        return 0
    return k - j


def _starts_block(line: str) -> bool:
    """A line that starts something of its own: a document number, a date, a label."""
    return bool(NUMBER_RE.match(line) or DATE_RE.match(line) or COPY_RE.match(line)) or bool(
        patterns().label_re.match(line)
    )


def _next_han(line: str, j: int) -> bool:
    rest = line[j + 1 :].lstrip(" \u3000")
    return bool(rest) and bool(_HAN1.match(rest[0]))


def _joinable(prev: str, line: str, j: int) -> bool:
    """A space between two Han characters (or a name dot) is OCR's, not the writer's."""
    rest = line[j:].lstrip(" \t\u3000\u00a0")
    if not rest:
        return False
    dot = rest[0] in DOTS or rest[:2] in ("“ ", "” ")
    return bool((_HAN1.match(prev) or prev == "·") and (_HAN1.match(rest[0]) or dot))


def _wrapped(line: str, nxt: str, full: bool = True) -> bool:
    """Whether a line break only wraps a paragraph: the line runs on into the next."""
    line = line.rstrip(" \t\u3000")
    if not line:
        return False
    last = line[-1]
    if last in DOTS or re.match(f"{HAN}{{1,6}}[{DOTS}]{HAN}", nxt) and _HAN1.match(last):
        return True
    if last in "。；：:！？!?」”）)" or len(line) < 16 or not full:
        return False
    return bool(_HAN1.match(last)) and bool(_HAN1.match(nxt[0]) or nxt[0] in DOTS)


@cache
def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    names = names_data.surnames()
    return (
        frozenset(n for n in names if len(n) == 1),
        frozenset(n for n in names if len(n) == 2),
    )


def _boundary(text: str, end: int) -> bool:
    """Whether a name may end at ``end``: a delimiter, the end, a follower word, a title."""
    if end >= len(text):
        return True
    ch = text[end]
    if ch in DELIMS or not _HAN1.match(ch) and ch != "·":
        return True
    p = patterns()
    rest = text[end : end + 4]
    if any(rest.startswith(f) for f in p.followers) or p.title_re.match(text, end):
        return True
    return any(text[end : end + n] in _place_starts() for n in (3, 4, 5))


@cache
def _place_starts() -> frozenset[str]:
    """County and prefecture names (3–5 characters): a unit's name starts there."""
    from guwah.gb11643 import county_names

    return frozenset(n for n in county_names() if 3 <= len(n) <= 5)


def _transcribed(run: str) -> bool:
    """Every character of ``run`` a segment of the transcription table, at least half of it in
    segments of two characters or more (努尔兰 = 努尔 + 兰 Nurlan; 由赛买提 is not: 由 is none)."""
    from guwah.names.uyghur import segment

    pieces = segment(run)
    table = names_data.segments()
    return all(s in table for s, _ in pieces) and coverage(run) >= 0.5


def _uyghur(text: str, i: int) -> int | None:
    """The end of a name in Uyghur transcription (parts joined by ·) starting at ``i``."""
    m = re.compile(f"{HAN}{{2,8}}(?:·{HAN}{{1,8}}){{1,3}}").match(text, i)
    if not m:
        return None
    parts = m.group().split("·")
    if coverage(parts[0]) < 0.99 and not _transcribed(parts[0]):  # 由赛买提: starts later
        return None
    # the last part runs on into the next word: the longest name-like piece before a boundary
    last = parts[-1]
    start_last = m.end() - len(last)
    for f in patterns().followers:
        k = last.find(f, 1)
        if k > 0 and f not in ("和", "及", "与", "在", "对", "的", "为", "任", "兼", "说"):
            last = last[:k]
    for share in (0.99, 0.6):
        for n in range(len(last), 1, -1):
            if coverage(last[:n]) >= share and _boundary(text, start_last + n):
                return start_last + n
    for n in range(len(last), 1, -1):
        if coverage(last[:n]) >= 0.99:
            return start_last + n
    if len(parts) > 2:
        return m.end() - len(last) - 1
    return None


def _uyghur_starts(text: str) -> set[int]:
    """Where a dotted name's first part starts: the covered run before each ·."""
    out = set()
    for m in re.finditer(f"({HAN}{{2,9}})·{HAN}", text):
        run = m.group(1)
        for k in range(len(run) - 1):
            if coverage(run[k:]) >= 0.99 or _transcribed(run[k:]):
                out.add(m.start(1) + k)
                break
    return out


def _han(text: str, i: int, cued_after: bool) -> int | None:
    """The end of a Han name (surname + one or two characters) starting at ``i``."""
    single, double = _surnames()
    starts = []
    if text[i : i + 2] in double:
        starts.append(i + 2)
    if text[i] in single:
        starts.append(i + 1)
    for g in starts:
        for n in (2, 1):
            end = g + n
            given = text[g:end]
            if len(given) < n or not all(_HAN1.match(c) for c in given):
                continue
            if any(c in BAD_GIVEN for c in given):
                continue
            if text[i:end] in patterns().not_names:
                continue
            if _boundary(text, end):
                return end
    return None


def read_name(text: str, i: int) -> int | None:
    """Where a name starting at ``i`` ends, or None."""
    if i >= len(text) or not _HAN1.match(text[i]):
        return None
    end = _uyghur(text, i)
    if end is not None:
        return end
    end = _han(text, i, False)
    if end is not None:
        return end
    # a Uyghur name without its dot (阿不都热依木) is taken only whole and only with a cue
    m = re.compile(f"{HAN}{{3,8}}").match(text, i)
    if m:
        for n in range(len(m.group()), 2, -1):
            if coverage(text[i : i + n]) >= 0.99 and _boundary(text, i + n):
                return i + n
    return None


def _jieba_ok(text: str, start: int, end: int) -> bool:
    """jieba's tagger agrees this is a name: no function word starts it, it is not one word
    jieba knows as something else (全县, 会议)."""
    from .segment import tokens

    lo = max(0, start - 6)
    toks = tokens(text[lo : end + 6])
    pos = lo
    inside = []
    for word, flag in toks:
        s, e = pos, pos + len(word)
        pos = e
        if e <= start or s >= end:
            continue
        if s < start or e > end:  # a word runs across the name's edge
            if flag.startswith("nr"):  # 由穆明: jieba glues a preposition to the name
                inside.append((word, "nr"))
                continue
            return False
        inside.append((word, flag))
    if not inside:
        return False
    first_word, first_flag = inside[0]
    if first_flag in FUNCTION_TAGS and not first_flag.startswith("nr") and len(inside) > 1:
        return False
    return len(inside) > 1 or first_flag.startswith("nr") or first_flag in ("nz", "ns", "n")


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    lo = start
    while lo > 0 and not SENTENCE_END.match(text[lo - 1]):
        lo -= 1
    hi = end
    while hi < len(text) and not SENTENCE_END.match(text[hi]):
        hi += 1
    return lo, min(len(text), hi + 1)


def _clause_start(text: str, i: int) -> int:
    lo = i
    while lo > 0 and text[lo - 1] not in "，,。；;：:\n（(）)“”":
        lo -= 1
    return lo


def _split_title(prefix: str) -> tuple[str, str]:
    """``疏附县公安局党委书记、局长`` → (``疏附县公安局``, ``党委书记、局长``)."""
    p = patterns()
    segs = prefix.split("、")
    head = segs[0]
    title_parts: list[str] = []
    while True:
        m = None
        for t in sorted(p.titles, key=len, reverse=True):
            if head.endswith(t) and len(head) >= len(t):
                m = t
                break
        if m is None:
            break
        title_parts.insert(0, m)
        head = head[: -len(m)]
    title = "".join(title_parts)
    rest = "、".join(segs[1:])
    return _trim_unit(head.strip("的")), "、".join(x for x in (title, rest) if x)


def _trim_unit(head: str) -> str:
    """Drop the words before a unit's name (要认真学习贯彻自治区 → 自治区)."""
    from .segment import tokens

    toks = list(tokens(head)) if head else []
    cut = 0
    for i, (_w, flag) in enumerate(toks):
        if flag in ("v", "p", "ul", "uj", "d", "c", "ad", "x", "r"):
            cut = i + 1
    while cut < len(toks) - 1 and toks[cut][1] in ("a", "vn", "ad"):
        cut += 1
    return "".join(w for w, _f in toks[cut:])


def find_mentions(text: str) -> tuple[list[Mention], DocHeader]:
    """Every official named in ``text`` (spans in ``text`` as given) and the document header."""
    norm = Norm(text)
    t = norm.text
    p = patterns()
    found: dict[int, Mention] = {}
    ends: set[int] = set()  # where taken names end (in the normalised text)
    candidates: dict[int, int] = {}  # start → end: names without a cue of their own

    def add(start: int, end: int, role: str, title: str = "", unit: str = "") -> None:
        start = _dot_lost(t, start, end)
        if start in found:
            return
        ends.add(end)
        s0, s1 = _sentence(t, start, end)
        o0, o1 = norm.span(start, end)
        q0, q1 = norm.span(s0, s1) if s1 > s0 else (o0, o1)
        name = re.sub("[，,]", "·", t[start:end])
        found[start] = Mention(name, o0, o1, text[q0:q1].strip(), role, title, unit.strip())

    # 1. a title (with its unit) right before a name
    for m in p.title_re.finditer(t):
        e = m.end()
        end = read_name(t, e)
        if end is None:
            continue
        if _HAN1.match(t[e]) and not _uyghur(t, e) and not _jieba_ok(t, e, end):
            continue
        unit, title = _split_title(t[_clause_start(t, m.start()) : e])
        add(e, end, "title", title, unit)
    # 2. labels: 联系人：A  出席：A、B、C  填报人：A
    for m in p.label_re.finditer(t):
        role = p.labels[re.sub(r"\s*[：:]$", "", m.group())]
        i = m.end()
        while i < len(t) and t[i] in " \u3000":
            i += 1
        while True:
            end = read_name(t, i)
            if end is None:
                break
            add(i, end, role)
            j = end
            while j < len(t) and t[j] in " \u3000":
                j += 1
            if j < len(t) and t[j] in "、，,":
                i = j + 1
                continue
            break
    # 3. any other name at a clause edge or where jieba sees a person, kept if cued
    starts = {0} | {i + 1 for i, ch in enumerate(t) if ch in DELIMS}
    from .segment import person_starts

    starts |= person_starts(t) | _uyghur_starts(t)
    starts |= {i + 1 for i, ch in enumerate(t) if ch in LEADS and i + 1 < len(t)}
    # 甲同志和乙同志: the 和 joins two names, it does not begin the second (和 is a surname too)
    joined = {m.start() + 2 for m in re.finditer("同志[和与及]", t)}
    starts -= joined
    for i in sorted(starts):
        if i in found or i >= len(t):
            continue
        end = read_name(t, i)
        if end is None:
            continue
        after = t[end : end + 6]
        uy = "·" in t[i:end]
        if not uy and not _jieba_ok(t, i, end):
            continue
        if after.startswith("同志"):
            add(i, end, "comrade")
        elif after.startswith(("（", "(")):
            close = re.match(r"[（(]([^）)]{2,40})[）)]", t[end:])
            if close and p.title_re.search(close.group(1)):
                unit, title = _split_title(close.group(1))
                add(i, end, "post", title, unit)
        elif any(after.startswith(f) for f in ("主持", "负责", "签发", "批示", "讲话", "牵头")):
            add(i, end, "actor")
        else:
            candidates[i] = end
    # 4. a list of names (A、B及…) is taken when one of them was taken
    changed = True
    while changed:
        changed = False
        for i, end in list(candidates.items()):
            if i in found:
                continue
            prev_ok = i >= 1 and t[i - 1] == "、" and (i - 1) in ends
            nxt = end < len(t) and t[end] in "、及和与等"
            next_ok = nxt and (end + 1) in found
            clause = re.match(r"[^，。；\n]*", t[end:])
            joins = nxt and clause is not None and re.search("参加|出席|列席", clause.group())
            if prev_ok or next_ok or joins:
                add(i, end, "attendee" if joins else "list")
                changed = True
    header = _header(norm, text)
    out: list[Mention] = []
    for mention in sorted(found.values(), key=lambda x: (x.start, -x.end)):
        if out and mention.start < out[-1].end:  # 艾尔肯 inside 阿迪力·艾尔肯
            continue
        out.append(mention)
    return out, header


def _dot_lost(t: str, start: int, end: int) -> int:
    """OCR reads a name's dot as a comma (阿迪力，艾尔肯): join a Uyghur given name before it."""
    if start < 3 or t[start - 1] not in "，," or coverage(t[start:end]) < 0.99:
        return start
    lo = start - 1
    while lo > 0 and _HAN1.match(t[lo - 1]) and start - 1 - lo < 8:
        lo -= 1
    before = t[lo : start - 1]
    if len(before) >= 2 and coverage(before) >= 0.99 and (lo == 0 or t[lo - 1] in DELIMS):
        return lo
    return start


def _header(norm: Norm, text: str) -> DocHeader:
    t = norm.text
    h = DocHeader()
    m = NUMBER_RE.search(t)
    if m:
        h.number = f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号"
        h.number_span = norm.span(m.start(), m.end())
    dates = list(DATE_RE.finditer(t))
    lines = t.split("\n")
    if dates:
        d = dates[-1]
        y, mo, da = (int(x) for x in d.groups())
        if 1 <= mo <= 12 and 1 <= da <= 31:
            h.date = f"{y:04d}-{mo:02d}-{da:02d}"
        # the issuer: the short line right above the last date line
        line_start = t.rfind("\n", 0, d.start()) + 1
        if t[line_start : d.start()].strip() == "":
            prev_end = line_start - 1
            while prev_end > 0:
                prev_start = t.rfind("\n", 0, prev_end) + 1
                cand = t[prev_start:prev_end].strip()
                if cand:
                    if len(cand) <= 30 and not re.search("[，。；：:]", cand):
                        h.issuer = cand
                        s = t.index(cand, prev_start)
                        h.issuer_span = norm.span(s, s + len(cand))
                    break
                prev_end = prev_start - 1
    for line in lines:
        stripped = line.strip()
        cm = COPY_RE.match(stripped)
        if cm:
            parts = [x.strip() for x in re.split("[、，,]", cm.group(2)) if x.strip()]
            if cm.group(1) == "主送":
                h.recipients.extend(parts)
            else:
                h.copies.extend(parts)
    if not h.recipients:
        for line in lines[:6]:
            stripped = line.strip()
            if stripped.endswith(("：", ":")) and 2 < len(stripped) <= 40 and not p_label(stripped):
                h.recipients = [x for x in re.split("[、，,]", stripped[:-1]) if x]
                break
    return h


def p_label(line: str) -> bool:
    return bool(patterns().label_re.match(line)) or line.startswith("同志们")


def unit_kind(unit: str) -> str:
    """What kind of body a unit's name says it is (公安局 → public_security_bureau)."""
    for suffix, kind in sorted(patterns().unit_suffixes.items(), key=lambda kv: -len(kv[0])):
        if unit.endswith(suffix):
            return kind
    return "unit" if unit else ""
