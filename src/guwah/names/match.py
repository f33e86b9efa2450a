"""Score two names in any scripts: 0–1, a decision at a threshold, and an explanation.

Both names are reduced to forms (``forms.py``) whose parts carry normalised Latin keys, then
compared part by part with rapidfuzz's Levenshtein similarity. A part's similarity is made
strict (``1 - 2 × (1 - similarity)``), because spellings of one name collapse to the same key
while different names that look alike (Abdurehim / Abdukerim) differ by whole letters.
Han names are compared surname to surname and given name to given name, in either order;
other names token by token in the best assignment, with a penalty for parts missing on one
side, and a joined reading for names written as one word (Quanguo / Quan Guo).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from .forms import HANZI, LATIN, SOUND, Form, Token, forms, joined_keys
from .han import first_split, looks_like_pinyin
from .keys import consonant_classes
from .parse import SURNAME

DEFAULT_THRESHOLD = 0.8
STRICTNESS = 2.5
STRICTNESS_PINYIN = 3.0  # a pinyin letter apart is another syllable: Chen 陈 / Cheng 程
HOMOPHONE = 0.9  # characters compared: the share of equal characters, times this
MISSING_SINGLE = 0.78  # one part alone against a fuller name: found, never decisive
MISSING_EACH = 0.93  # each further part present on one side only
SWAPPED = 0.98  # parts matched out of order (family part first)
JOINED = 0.95  # matched only when written together
INITIAL = 0.85  # an initial against a full name part
MISMATCH = 0.85  # each part that does not match however many others do
MAX_TOKENS = 6
#: a Han name in characters read given name first (静 林 as 林静) against another name in
#: characters written surname first: Chinese puts the surname first, and the inversion is the
#: only bridge, so it is found, never decisive (against Latin, whose order is free and whose
#: comma marks the family name, the reading stands: 军 徐 = XU, Jun)
GIVEN_FIRST = 0.78
SKELETON = 0.85  # a transcription with the consonants of the Latin word, vowels aside
SKELETON_FLOOR = 0.7  # ... and already this close letter by letter
SKELETON_MIN = 4  # consonant classes at least (Abdurehim ptrkm; Tohti tkt is too short)
SKELETON_SHORT = 0.7  # three consonant classes (Gheyret / 海莱特 krt): a part that needs the
# rest of the name to match exactly, never decisive alone nor with a part missing

#: what a Uyghur word loses in a Chinese transcription, as further readings of the Latin or
#: Arabic side (only against a transcription): Mandarin closes no syllable with r (Artush /
#: 阿图什 Atush, Kuchar / 库车 Kucha; 尔 spells r only where the transcriber wrote it), a
#: transcription drops an h between vowels (Tahir / 塔伊尔 Tair) and the Uyghur final -i of a
#: nisba or possessive (Qasimi / 哈斯木 Qasim, Ezizi / 艾则孜 Eziz)
_MANDARIN = (
    (re.compile(r"(?<=[aeiou])r(?=[^aeiou]|$)"), ""),
    (re.compile(r"(?<=[aeiou])h(?=[aeiou])"), ""),
    (re.compile(r"(?<=[^aeiou])i$"), ""),
)

ROLE_LABEL = {
    "given": "given name",
    "father": "father's name",
    "surname": "surname",
    "last": "last name",
    "other": "name part",
    "place": "place",
}


@dataclass(frozen=True)
class Match:
    """The result of comparing two names."""

    score: float
    match: bool
    explanation: str


@dataclass(frozen=True)
class _Result:
    score: float
    notes: tuple[str, ...]


_NONE = _Result(0.0, ("no comparable reading",))


_similarity = Levenshtein.normalized_similarity


def strict(similarity: float, strictness: float = STRICTNESS) -> float:
    return max(0.0, 1.0 - strictness * (1.0 - similarity))


def _sim(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[float, str]:
    """Best similarity over the alternative keys, and the key of ``a`` that gave it."""
    best, key, _ = _best(a, b)
    return best, key


def _best(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[float, str, int]:
    """Best similarity, the key of ``a`` that gave it, and the longer key's length."""
    if len(a) == 1 and len(b) == 1:  # the common case: the loop below, once
        x, y = a[0], b[0]
        return _similarity(x, y), x, max(len(x), len(y))
    best, key, length = 0.0, a[0] if a else "", 0
    for x in a:
        for y in b:
            s = _similarity(x, y)
            if s > best or not length:
                best, key, length = s, x, max(len(x), len(y))
                if s == 1.0:
                    return best, key, length
    return best, key, length


def typo_budget(length: int) -> int:
    """Edits tolerated as a typo in a word typed on both sides (Brady/Brody, Lukashnko)."""
    return 0 if length < 4 else 1 if length < 10 else 2


def part_score(sim: float, length: int, typed: bool, strictness: float = STRICTNESS) -> float:
    """Score of one matched part. Typos are forgiven only between two typed words; a word read
    from Chinese characters is exact, so a letter apart is another name (Janat / Kanat)."""
    if typed and round((1.0 - sim) * length) <= typo_budget(length):
        return sim
    return strict(sim, strictness)


def _initial(a: str, b: str) -> bool:
    """One part is an initial of the other: A. / Ali."""
    return (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def _note(role: str, ta: Token, tb: Token, sim: float, key: str, space: str) -> str:
    label = ROLE_LABEL.get(role, "name part")
    if ta.text == tb.text or (sim == 1.0 and ta.text.lower() == tb.text.lower()):
        return f"{label} {ta.text} = {tb.text}"
    how = "pinyin" if space == "pinyin" else "romanised"
    sign = "=" if sim == 1.0 else "~"
    return f"{label} {ta.text} {sign} {tb.text} ({how} {key}, similarity {sim:.2f})"


def _missing(tokens: list[Token], where: str, factors: list[float]) -> list[str]:
    """One note per part present on one side only, with the factor it cost the score."""
    return [
        f"{ROLE_LABEL.get(t.role, 'name part')} {t.text} missing in {where} (score × {f:.2f})"
        for t, f in zip(tokens, factors, strict=True)
    ]


def _keys(t: Token, space: str, other: Token | None = None) -> tuple[str, ...]:
    """Keys of ``t``. The machine pinyin of a transcription counts only against non-Chinese
    text; the other readings of a Latin word (pinyin read back, SASM) always."""
    if space == "pinyin":
        return t.pinyin
    if t.machine and (not t.chinese or (other is not None and not other.chinese)):
        return t.sound + t.machine
    return t.sound


def _role(ta: Token, tb: Token) -> str:
    """The role of a matched pair: a Chinese, Arabic or Cyrillic part knows its role best."""
    if "place" in (ta.role, tb.role):
        return "place"
    for t in (ta, tb):
        if t.chinese and t.role in (SURNAME, "given") and not (ta.chinese and tb.chinese):
            return t.role  # a Han name's part against a Uyghur spelling of it: 陈 = چېن
    for t in (tb, ta):
        if t.role not in ("other", "last"):
            return t.role
    return tb.role


def _typed(tokens: tuple[Token, ...], space: str) -> bool:
    """Whether a typo may be forgiven: only between words typed in Latin, and not between
    two pinyin words, where a letter apart is another syllable and so another character
    (Hailun 海仑 / Hailin 海林)."""
    if any(t.chinese or t.exact for t in tokens):
        return False
    return not (space == "pinyin" and all(looks_like_pinyin(t.text) for t in tokens))


def _syllable_sim(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Best similarity of two pinyin words counted in whole syllables (Mingshan / Mingshen:
    one syllable of two differs, 0.5), over their alternative keys."""
    best = 0.0
    for x in a:
        sx = first_split(x)
        for y in b:
            sy = first_split(y)
            if sx and sy:
                best = max(best, Levenshtein.normalized_similarity(sx, sy))
    return best


@lru_cache(maxsize=65536)
def mandarin_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """``keys`` and their readings as a Chinese transcription would keep them (``_MANDARIN``)."""
    out = list(keys)
    for key in keys:
        for rules in itertools.chain.from_iterable(
            itertools.combinations(_MANDARIN, n) for n in range(1, len(_MANDARIN) + 1)
        ):
            v = key
            for pattern, repl in rules:
                v = pattern.sub(repl, v)
            if v and v not in out:
                out.append(v)
    return tuple(out)


def _pair(s: Token, t: Token, space: str, k: float) -> tuple[float, float]:
    """(part score, similarity) of two tokens (the hot loop of every comparison: ``_keys``,
    ``_initial`` and ``_typed`` written inline, with the same results)."""
    if space == "pinyin":
        ka, kb = s.pinyin, t.pinyin
    else:
        ka = s.sound + s.machine if s.machine and (not s.chinese or not t.chinese) else s.sound
        kb = t.sound + t.machine if t.machine and (not t.chinese or not s.chinese) else t.sound
    one_chinese = bool(s.chinese) != bool(t.chinese)
    if space == SOUND and one_chinese:
        if s.chinese:
            kb = mandarin_keys(kb)
        else:
            ka = mandarin_keys(ka)
    sim, key, length = _best(ka, kb)
    if sim < 1.0:
        x, y = s.text, t.text
        # an initial is one letter, dots aside: only then is the full test needed
        if (len(x) == 1 or len(y) == 1 or "." in x or "." in y) and _initial(
            x.strip(".").lower(), y.strip(".").lower()
        ):
            return INITIAL, sim
    if s.chinese or s.exact or t.chinese or t.exact:
        typed = False
    else:  # = _typed((s, t), space)
        typed = not (space == "pinyin" and looks_like_pinyin(s.text) and looks_like_pinyin(t.text))
    if sim < 1.0 and space == "pinyin" and not typed and not (s.chinese or t.chinese):
        sim = min(sim, _syllable_sim(ka, kb))  # another syllable is another character
    score = part_score(sim, length, typed, k)
    if score < SKELETON and sim >= SKELETON_FLOOR and space == SOUND and one_chinese:
        # a transcription's readings, not its machine pinyin (Tuerxun's x is no consonant
        # of Tursun)
        n = _same_skeleton(s.sound if s.chinese else ka, t.sound if t.chinese else kb)
        if n >= SKELETON_MIN:
            return SKELETON, sim
        if n == SKELETON_MIN - 1 and score < SKELETON_SHORT:
            return SKELETON_SHORT, sim
    return score, sim


def _same_skeleton(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """Chinese transcription mangles vowels (every syllable needs one: 提 ti for t) and
    confuses some consonants (b/p, l/r, k/q/g/gh), not the rest: the number of consonant
    classes two readings share in the same order (0 when they differ); four at least are one
    name, three a part that needs the rest of the name."""
    sa = {consonant_classes(x) for x in a}
    return max((len(c) for y in b if (c := consonant_classes(y)) in sa), default=0)


def _align(a: tuple[Token, ...], b: tuple[Token, ...], space: str, ordered: bool) -> _Result:
    """Best token-to-token assignment of two token lists (either may be shorter)."""
    a, b = a[:MAX_TOKENS], b[:MAX_TOKENS]
    if not a or not b:
        return _NONE
    swap = len(a) > len(b)
    k = STRICTNESS_PINYIN if space == "pinyin" else STRICTNESS
    short, long_ = (b, a) if swap else (a, b)
    sims = [[_pair(s, t, space, k) for t in long_] for s in short]
    best: _Result = _NONE
    best_perm: tuple[int, ...] | None = None
    best_total, best_in_order = 0.0, True
    extra = len(long_) - len(short)
    missing = (
        (MISSING_SINGLE if len(short) == 1 else MISSING_EACH) * MISSING_EACH ** (extra - 1)
        if extra
        else 1.0
    )
    n = len(short)
    scores = [[cell[0] for cell in row] for row in sims]
    # the best the rows still to assign can add: a bound that prunes the search, which visits
    # the assignments in the order of itertools.permutations and keeps the first best
    rest_max = [0.0] * (n + 1)
    for i in range(n - 1, -1, -1):
        rest_max[i] = rest_max[i + 1] + max(scores[i])
    perm_: list[int] = []
    used = [False] * len(long_)

    def search(i: int, partial: float) -> None:
        nonlocal best_perm, best_total, best_in_order
        if best_perm is not None and (partial + rest_max[i]) / n * missing <= best_total:
            return
        if i == n:
            part_scores = [scores[r][c] for r, c in enumerate(perm_)]
            total = sum(part_scores) / n
            total *= MISMATCH ** sum(1 for p in part_scores if p < 0.5)  # a part that differs
            in_order = all(x < y for x, y in itertools.pairwise(perm_))
            if not in_order:
                if ordered:
                    return
                total *= SWAPPED
            total *= missing
            if best_perm is None or total > best_total:
                best_perm, best_total, best_in_order = tuple(perm_), total, in_order
            return
        for j in range(len(long_)):
            if not used[j]:
                used[j] = True
                perm_.append(j)
                search(i + 1, partial + scores[i][j])
                perm_.pop()
                used[j] = False

    if n == 1:  # one part against several: the first best, always in order
        j = max(range(len(long_)), key=lambda c: (scores[0][c], -c))
        total = scores[0][j] * (MISMATCH if scores[0][j] < 0.5 else 1.0) * missing
        best_perm, best_total, best_in_order = (j,), total, True
    elif n == 2:  # two parts: ``search`` unrolled, the same visits, bounds and arithmetic
        r0, r1 = scores
        bound = rest_max[1]
        for j in range(len(long_)):
            p1 = 0.0 + r0[j]
            if best_perm is not None and (p1 + bound) / n * missing <= best_total:
                continue
            for j2 in range(len(long_)):
                if j2 == j:
                    continue
                p2 = p1 + r1[j2]
                if best_perm is not None and (p2 + 0.0) / n * missing <= best_total:
                    continue
                total = sum((r0[j], r1[j2])) / n
                total *= MISMATCH ** ((r0[j] < 0.5) + (r1[j2] < 0.5))
                in_order = j < j2
                if not in_order:
                    if ordered:
                        continue
                    total *= SWAPPED
                total *= missing
                if best_perm is None or total > best_total:
                    best_perm, best_total, best_in_order = (j, j2), total, in_order
    elif n == 3:  # three parts: the same, one level deeper
        r0, r1, r2 = scores
        b1, b2 = rest_max[1], rest_max[2]
        cols = range(len(long_))
        for j in cols:
            p1 = 0.0 + r0[j]
            if best_perm is not None and (p1 + b1) / n * missing <= best_total:
                continue
            for j2 in cols:
                if j2 == j:
                    continue
                p2 = p1 + r1[j2]
                if best_perm is not None and (p2 + b2) / n * missing <= best_total:
                    continue
                for j3 in cols:
                    if j3 in (j, j2):
                        continue
                    p3 = p2 + r2[j3]
                    if best_perm is not None and (p3 + 0.0) / n * missing <= best_total:
                        continue
                    total = sum((r0[j], r1[j2], r2[j3])) / n
                    total *= MISMATCH ** ((r0[j] < 0.5) + (r1[j2] < 0.5) + (r2[j3] < 0.5))
                    in_order = j < j2 < j3
                    if not in_order:
                        if ordered:
                            continue
                        total *= SWAPPED
                    total *= missing
                    if best_perm is None or total > best_total:
                        best_perm, best_total, best_in_order = (j, j2, j3), total, in_order
    else:
        search(0, 0.0)
    if best_perm is not None:  # the explanation, for the best assignment only
        perm, notes = best_perm, []
        for i, j in enumerate(perm):
            sa, sb = short[i], long_[j]
            ta, tb = (sb, sa) if swap else (sa, sb)
            part, sim = sims[i][j]
            key = _sim(_keys(ta, space, tb), _keys(tb, space, ta))[1]
            note = _note(_role(ta, tb), ta, tb, sim, key, space)
            if part in (SKELETON, SKELETON_SHORT) and sim < 1.0:
                note = note[:-1] + f"; same consonants {consonant_classes(key)})"
            notes.append(note)
        if not best_in_order:
            notes.append("parts in a different order")
        rest = [long_[j] for j in range(len(long_)) if j not in perm]
        first = MISSING_SINGLE if len(short) == 1 else MISSING_EACH
        factors = ([first] + [MISSING_EACH] * len(rest))[: len(rest)]
        where = "the first name" if not swap else "the second name"
        notes += _missing(rest, where, factors)
        best = _Result(best_total, tuple(notes))
    if len(a) != len(b):  # written together: Nurmemet / Nur Memet, SergeiLavrov
        ja, jb = joined_keys(a, space), joined_keys(b, space)
        sim, key, length = _best(ja, jb)
        joined = part_score(sim, length, _typed(a + b, space), k) * JOINED
        if joined > best.score:
            how = f"key {key}, similarity {sim:.2f}"
            text_a, text_b = " ".join(t.text for t in a), " ".join(t.text for t in b)
            sign = "=" if sim == 1.0 else "~"
            best = _Result(
                joined, (f"whole name {text_a} {sign} {text_b} written together ({how})",)
            )
    return best


def _han_parts(form: Form) -> tuple[Token, Token | None]:
    return form.tokens[0], form.tokens[1] if len(form.tokens) > 1 else None


def _char_sim(a: Token, b: Token) -> float:
    """Characters against characters: a different character is a different name, however
    alike they sound (王明山 / 王鸣山 share the pinyin Wang Mingshan and are two people)."""
    if a.chinese == b.chinese:
        return 1.0
    if len(a.chinese) == len(b.chinese):
        same = sum(1.0 if x == y else 0.0 for x, y in zip(a.chinese, b.chinese, strict=True))
        return same / len(a.chinese) * HOMOPHONE
    return Levenshtein.normalized_similarity(a.chinese, b.chinese) * HOMOPHONE


def _chars_vs_chars(a: Form, b: Form) -> _Result:
    """Two names in characters that are not both transcriptions: the same characters (after
    traditional → simplified) are the same name, any other character another name."""
    ca, cb = "".join(t.chinese for t in a.tokens), "".join(t.chinese for t in b.tokens)
    if ca == cb:
        return _Result(1.0, (f"same characters {ca}",))
    sim = Levenshtein.normalized_similarity(ca, cb) * HOMOPHONE
    return _Result(strict(sim), (f"characters {ca} ≠ {cb} (similarity {sim:.2f})",))


def _hanzi_vs_hanzi(a: Form, b: Form) -> _Result:
    (sa, ga), (sb, gb) = _han_parts(a), _han_parts(b)
    notes, parts = [], []
    for role, x, y, weight in (("surname", sa, sb, 0.4), ("given", ga, gb, 0.6)):
        if x is None or y is None:
            parts.append((0.0 if (x or y) else 1.0, weight))
            continue
        sim = _char_sim(x, y)
        parts.append((strict(sim), weight))
        if sim == 1.0:
            notes.append(f"{ROLE_LABEL[role]} {x.text} = {y.text}")
        elif x.pinyin == y.pinyin:
            notes.append(
                f"{ROLE_LABEL[role]} {x.text} ≠ {y.text} (same pinyin {x.pinyin[0]}, "
                "different characters: a different name)"
            )
        else:
            notes.append(f"{ROLE_LABEL[role]} {x.text} ≠ {y.text} (similarity {sim:.2f})")
    return _Result(sum(s * w for s, w in parts), tuple(notes))


def _hanzi_vs_latin(h: Form, lat: Form, hanzi_first: bool) -> _Result:
    """A Han name in characters against Latin: surname first or last, the rest the given name."""
    s, g = _han_parts(h)
    toks = lat.tokens
    options: list[tuple[Token, tuple[Token, ...], float, str]] = []
    if len(toks) >= 2:
        options.append((toks[0], toks[1:], 1.0, ""))
        options.append((toks[-1], toks[:-1], 1.0, "surname written last"))
    best: _Result = _NONE
    for sur, rest, factor, how in options:
        if g is None:
            continue
        s_sim, s_key = _sim(sur.pinyin, s.pinyin)
        g_sim, g_key = _sim(joined_keys(rest, "pinyin"), g.pinyin)
        total = (
            0.4 * strict(s_sim, STRICTNESS_PINYIN) + 0.6 * strict(g_sim, STRICTNESS_PINYIN)
        ) * factor
        if total > best.score:
            rest_text = " ".join(t.text for t in rest)
            pairs = [("surname", sur.text, s, s_sim, s_key), ("given", rest_text, g, g_sim, g_key)]
            notes = []
            for role, text, tok, sim, key in pairs:
                la, lb = (tok.text, text) if hanzi_first else (text, tok.text)
                sign = "=" if sim == 1.0 else "~"
                notes.append(
                    f"{ROLE_LABEL[role]} {la} {sign} {lb} (pinyin {key}, similarity {sim:.2f})"
                )
            if how:
                notes.append(how)
            best = _Result(total, tuple(notes))
    whole = joined_keys(h.tokens, "pinyin")
    sim, key = _sim(joined_keys(toks, "pinyin"), whole)
    if strict(sim, STRICTNESS_PINYIN) * JOINED > best.score:
        text = " ".join(t.text for t in toks)
        best = _Result(
            strict(sim, STRICTNESS_PINYIN) * JOINED,
            (
                f"whole name {text} ~ {''.join(t.text for t in h.tokens)} (pinyin {key}, "
                f"similarity {sim:.2f})",
            ),
        )
    if g is not None and len(toks) == 1:  # given name only
        sim, key = _sim(toks[0].pinyin, g.pinyin)
        score = strict(sim, STRICTNESS_PINYIN) * MISSING_SINGLE
        if score > best.score:
            best = _Result(
                score,
                (
                    f"given name {toks[0].text} ~ {g.text} (pinyin {key}, similarity {sim:.2f})",
                    f"surname {s.text} missing",
                ),
            )
    return best


def _compare(a: Form, b: Form) -> _Result:
    for f, o in ((a, b), (b, a)):  # a Latin word read as a place (Emin: the county 额敏, or
        # a man) meets only places and names in characters (和阗, whose pinyin is Hotan's)
        if f.place and not f.tokens[0].chinese and not (o.place or o.tokens[0].chinese):
            return _NONE
    if a.site and a.site == b.site and a.tokens[0].chinese and b.tokens[0].chinese:
        # two names in characters of one place, today's and an older one (莎车 / 叶尔羌,
        # 和田 / 和阗): characters that differ are the same place by the gazetteer, not by sound
        ta, tb = a.tokens[0].text, b.tokens[0].text
        r = _Result(1.0, (f"place {ta} = {tb} (the same place under another name)",))
    else:
        r = _compare_forms(a, b)
    if (a.place or b.place) and r.score > 0.0:
        same = a.site and a.site == b.site  # one place: its names once
        places = dict.fromkeys(f.place for f in ((a,) if same else (a, b)) if f.place)
        r = _Result(r.score, (*r.notes, *(f"place by the gazetteer: {p}" for p in places)))
    if a.given_first == b.given_first or r.score <= 0.0:
        return r
    h, o = (a, b) if a.given_first else (b, a)
    if not any(t.chinese for t in o.tokens):
        return r
    text = " ".join(t.text for t in h.tokens[1:]) + " " + h.tokens[0].text
    note = (
        f"{text.strip()} read given name first ({''.join(t.text for t in h.tokens)}): names in "
        f"Chinese characters put the surname first, so this reading is not decisive "
        f"(score × {GIVEN_FIRST:.2f})"
    )
    return _Result(r.score * GIVEN_FIRST, (*r.notes, note))


def _compare_forms(a: Form, b: Form) -> _Result:
    if a.kind == HANZI and b.kind == HANZI:
        return _hanzi_vs_hanzi(a, b)
    if a.kind == HANZI or b.kind == HANZI:
        h, o = (a, b) if a.kind == HANZI else (b, a)
        if any(t.chinese for t in o.tokens):
            return _NONE
        if o.kind == LATIN and o.han_like:
            return _hanzi_vs_latin(h, o, hanzi_first=a is h)
        # a Han name spelt in Uyghur (Arabic script or Latin): چېن مىڭگو = 陈明国, with as
        # many words as the Han name has parts
        best = _NONE
        if len(o.tokens) == len(h.tokens):
            best = _align(a.tokens, b.tokens, "sound", ordered=False)
        if o.kind == LATIN:
            pinyin = _hanzi_vs_latin(h, o, hanzi_first=a is h)
            best = pinyin if pinyin.score >= best.score else best
        return best
    if a.kind == LATIN and b.kind == LATIN and a.han_like and b.han_like:
        return _align(a.tokens, b.tokens, "pinyin", ordered=False)
    same_chinese = [t.chinese for t in a.tokens] == [t.chinese for t in b.tokens]
    both_chinese = all(t.chinese for t in a.tokens + b.tokens)
    if both_chinese and not (a.transcribed and b.transcribed):
        return _chars_vs_chars(a, b)  # characters as characters, never by sound
    if a.kind == SOUND and b.kind == SOUND and same_chinese and all(t.chinese for t in a.tokens):
        notes = tuple(
            f"{ROLE_LABEL.get(t.role, 'name part')} {t.text} = {t.text}" for t in a.tokens
        )
        return _Result(1.0, notes)
    return _align(a.tokens, b.tokens, "sound", ordered=False)


@lru_cache(maxsize=65536)
def _score(a: str, b: str) -> _Result:
    return _score_forms(forms(a), forms(b))


def _score_forms(fas: tuple[Form, ...], fbs: tuple[Form, ...]) -> _Result:
    best = _NONE
    for fa in fas:
        for fb in fbs:
            r = _compare(fa, fb)
            if r.score > best.score or best is _NONE:
                best = r
    return best


def score(a: str, b: str, threshold: float = DEFAULT_THRESHOLD) -> Match:
    """Compare two names in any scripts.

    >>> m = score("Abdurehim Turdi", "阿不都热依木·吐尔地")
    >>> m.match, round(m.score, 2)
    (True, 1.0)
    """
    return _decide(_score(a.strip(), b.strip()), threshold)


class Held:
    """The forms of one name, read once and kept by an index (``forms(name.strip())``);
    hashed by identity, so a memo keyed on it costs nothing to look up."""

    __slots__ = ("forms",)

    def __init__(self, name_forms: tuple[Form, ...]) -> None:
        self.forms = name_forms


def score_held(a: str, b: Held, threshold: float = DEFAULT_THRESHOLD) -> Match:
    """:func:`score` of ``a`` and a name whose forms an index holds: the same result, without
    reading that name again."""
    return _decide(_score_held(a.strip(), b), threshold)


@lru_cache(maxsize=65536)
def _score_held(a: str, b: Held) -> _Result:
    return _score_forms(forms(a), b.forms)


def _decide(r: _Result, threshold: float) -> Match:
    value = round(min(1.0, max(0.0, r.score)), 4)
    return Match(value, value >= threshold, "; ".join(r.notes))
