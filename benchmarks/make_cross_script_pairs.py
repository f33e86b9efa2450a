"""Build ``benchmarks/data/cross_script_pairs.csv``: labelled cross-script name pairs.

Every name is fictional, composed from the synthetic generator's tables
(``src/guwah/reference/synth/``: given names with their Chinese transcription, ULY and a common
variant; Han surnames and given names with pinyin), except a handful of public officials
named on sanctions lists. Matches: Uyghur/Kazakh/Kyrgyz names in Chinese transcription against
ULY, the common spelling, spellings people type, passport pinyin, Arabic script and Cyrillic;
Han names in characters against pinyin (either order, syllables split) and Wade-Giles.
Hard negatives: same father's name with another given name, same given name with another
father, near-identical given names, same surname with another given name, swapped syllables.

Run: ``.venv/bin/python benchmarks/make_cross_script_pairs.py`` (the same seed gives the same file).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from guwah.names.han import wade_giles_word
from guwah.names.keys import sound_key
from guwah.names.uyghur import latin_to_arabic
from guwah.synth.data import ChineseName, GivenName, reference

OUT = Path(__file__).resolve().parent / "data" / "cross_script_pairs.csv"
SEED = 20240503
SEPARATORS = ["·", "·", "·", "•", ".", "・", "﹒", "．", " "]
OFFICIALS = [  # public officials on the Global Magnitsky Xinjiang designations
    ("陈全国", ["Chen Quanguo", "CHEN, Quanguo", "Ch'en Ch'üan-kuo", "Quanguo Chen"]),
    ("朱海仑", ["Zhu Hailun", "ZHU, Hailun", "Chu Hai-lun"]),
    ("王明山", ["Wang Mingshan", "WANG, Mingshan", "Wang Ming-shan"]),
    ("霍留军", ["Huo Liujun", "HUO, Liujun", "Huo Liu-chün"]),
    ("王君正", ["Wang Junzheng", "WANG, Junzheng", "Wang Chün-cheng"]),
    ("陈明国", ["Chen Mingguo", "CHEN, Mingguo", "Ch'en Ming-kuo"]),
    ("雪克来提·扎克尔", ["Shohrat Zakir", "ZAKIR, Shohrat", "Shöhret Zakir"]),
    ("艾尔肯·吐尼亚孜", ["Erkin Tuniyaz", "TUNIYAZ, Erken", "Erkin Tuniyaz"]),
]
OFFICIAL_NEGATIVES = [
    ("陈全国", "Chen Guoquan"),
    ("陈全国", "Chen Quanjun"),
    ("陈全国", "Cheng Quanguo"),
    ("陈明国", "Chen Quanguo"),
    ("王明山", "Wang Mingshen"),
    ("王君正", "Wang Junzhen"),
    ("朱海仑", "Zhu Hailong"),
    ("雪克来提·扎克尔", "Shohrat Kadir"),
    ("艾尔肯·吐尼亚孜", "Erkin Turdi"),
]
# how people type Uyghur names in Latin: each rule applied with some probability
TYPING = [("x", "kh"), ("q", "k"), ("gh", "g"), ("ü", "u"), ("ö", "o"), ("é", "e"), ("e", "a")]
CYRILLIC = {
    "sh": "ш",
    "ch": "ч",
    "zh": "ж",
    "gh": "ғ",
    "ng": "ң",
    "kh": "х",
    "a": "а",
    "b": "б",
    "d": "д",
    "e": "е",
    "f": "ф",
    "g": "г",
    "h": "һ",
    "i": "и",
    "j": "җ",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "q": "қ",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "v": "в",
    "w": "в",
    "x": "х",
    "y": "й",
    "z": "з",
    "ö": "ө",
    "ü": "ү",
    "é": "е",
}


def typed(rng: random.Random, latin: str) -> str:
    out = latin
    for a, b in TYPING:
        if a in out.lower() and rng.random() < 0.5:
            out = out.replace(a, b).replace(a.upper(), b.capitalize())
    return out


def cyrillic(latin: str) -> str:
    out, i, low = [], 0, latin.lower()
    while i < len(low):
        for n in (2, 1):
            piece = low[i : i + n]
            if piece in CYRILLIC:
                out.append(CYRILLIC[piece])
                i += n
                break
        else:
            out.append(low[i])
            i += 1
    return " ".join(w.capitalize() for w in "".join(out).split())


def pinyin_of(chinese: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(chinese)).capitalize()


def distinct(a: GivenName, b: GivenName) -> bool:
    """Two different names: other characters and other sounds in every spelling."""
    ka = {sound_key(a.latin), sound_key(a.variant)}
    kb = {sound_key(b.latin), sound_key(b.variant)}
    return a.chinese != b.chinese and not ka & kb


def main() -> None:
    rng = random.Random(SEED)
    ref = reference()
    rows: list[tuple[str, str, bool, str]] = []
    given = [g for (eth, _), gs in ref.given.items() for g in gs]
    males = [g for (eth, sex), gs in ref.given.items() if sex == "M" for g in gs]

    def patronymic_pair() -> tuple[GivenName, GivenName]:
        g = rng.choice(given)
        f = rng.choice([m for m in males if m.ethnicity == g.ethnicity and m != g])
        return g, f

    for _ in range(260):  # Chinese transcription ↔ Latin, many spellings
        g, f = patronymic_pair()
        zh = f"{g.chinese}{rng.choice(SEPARATORS)}{f.chinese}"
        kind = rng.choice(["uly", "variant", "typed", "pinyin", "family_first"])
        if kind == "uly":
            lat = f"{g.latin} {f.latin}"
        elif kind == "variant":
            lat = f"{g.variant} {f.variant}"
        elif kind == "typed":
            lat = typed(rng, f"{g.latin} {f.latin}")
        elif kind == "pinyin":
            lat = f"{pinyin_of(g.chinese)} {pinyin_of(f.chinese)}"
        else:
            lat = f"{f.latin.upper()}, {g.latin}"
        rows.append((zh, lat, True, f"uyghur_zh_latin_{kind}"))
    uyghur = [g for g in given if g.ethnicity == "uyghur"]
    for _ in range(60):  # Arabic script ↔ Latin / Chinese
        g = rng.choice(uyghur)
        f = rng.choice([m for m in males if m.ethnicity == "uyghur" and m != g])
        ar = latin_to_arabic(f"{g.latin} {f.latin}")
        if rng.random() < 0.5:
            rows.append((ar, typed(rng, f"{g.variant} {f.variant}"), True, "uyghur_arabic_latin"))
        else:
            rows.append((ar, f"{g.chinese}·{f.chinese}", True, "uyghur_arabic_zh"))
    for _ in range(30):  # Cyrillic ↔ Chinese
        g, f = patronymic_pair()
        rows.append(
            (cyrillic(f"{g.variant} {f.variant}"), f"{g.chinese}·{f.chinese}", True, "cyrillic_zh")
        )

    han_given = [g for gs in ref.chinese_given.values() for g in gs]
    surnames = [s for ss in ref.surnames.values() for s in ss]

    def han_pair() -> tuple[ChineseName, ChineseName]:
        return rng.choice(surnames), rng.choice(han_given)

    from pypinyin import Style, lazy_pinyin

    for _ in range(120):  # Han: characters ↔ pinyin / Wade-Giles
        s, g = han_pair()
        zh = s.chinese + g.chinese
        kind = rng.choice(["pinyin", "given_first", "upper", "split", "wade_giles"])
        if kind == "pinyin":
            lat = f"{s.pinyin} {g.pinyin}"
        elif kind == "given_first":
            lat = f"{g.pinyin} {s.pinyin}"
        elif kind == "upper":
            lat = f"{s.pinyin.upper()}, {g.pinyin}"
        elif kind == "split":
            lat = f"{s.pinyin} " + " ".join(
                x.capitalize() for x in lazy_pinyin(g.chinese, style=Style.NORMAL)
            )
        else:
            sy = tuple(lazy_pinyin(g.chinese, style=Style.NORMAL))
            lat = f"{wade_giles_word((s.pinyin.lower(),))} {wade_giles_word(sy)}"
        rows.append((zh, lat, True, f"han_zh_{kind}"))
    for zh, forms in OFFICIALS:
        for lat in forms:
            rows.append((zh, lat, True, "official"))

    # hard negatives
    n_pos = len(rows)
    near = [
        (a, b)
        for i, a in enumerate(given)
        for b in given[i + 1 :]
        if distinct(a, b) and Levenshtein.normalized_similarity(a.latin, b.latin) >= 0.55
    ]
    while len(rows) < n_pos + 110:  # near-identical given names, same father
        a, b = rng.choice(near)
        f = rng.choice(males)
        if rng.random() < 0.5:
            rows.append(
                (
                    f"{a.chinese}·{f.chinese}",
                    f"{b.latin} {f.latin}",
                    False,
                    "neg_near_given_same_father",
                )
            )
        else:
            rows.append(
                (
                    f"{a.chinese}·{f.chinese}",
                    f"{b.chinese}·{f.chinese}",
                    False,
                    "neg_near_given_same_father_zh",
                )
            )
    for _ in range(110):  # same father, another given name
        g, f = patronymic_pair()
        other = rng.choice([x for x in given if distinct(x, g)])
        rows.append(
            (f"{g.chinese}·{f.chinese}", f"{other.variant} {f.variant}", False, "neg_same_father")
        )
    for _ in range(80):  # same given name, another father
        g, f = patronymic_pair()
        other = rng.choice([m for m in males if distinct(m, f)])
        rows.append(
            (f"{g.chinese}·{f.chinese}", f"{g.latin} {other.latin}", False, "neg_same_given")
        )
    for _ in range(90):  # Han: same surname, another given name (one character, or all)
        s, g = han_pair()
        others = [x for x in han_given if x.pinyin.lower() != g.pinyin.lower()]
        near_g = [
            x
            for x in others
            if len(x.chinese) == len(g.chinese) == 2
            and (x.chinese[0] == g.chinese[0] or x.chinese[1] == g.chinese[1])
        ]
        other = rng.choice(near_g or others)
        rows.append(
            (s.chinese + g.chinese, f"{s.pinyin} {other.pinyin}", False, "neg_han_same_surname")
        )
    for _ in range(30):  # Han: same given name, another surname
        s, g = han_pair()
        other = rng.choice([x for x in surnames if x.pinyin != s.pinyin])
        rows.append(
            (s.chinese + g.chinese, f"{other.pinyin} {g.pinyin}", False, "neg_han_other_surname")
        )
    for zh, lat in OFFICIAL_NEGATIVES:
        rows.append((zh, lat, False, "neg_official"))

    seen: set[tuple[str, str]] = set()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["name1", "name2", "is_match", "category"])
        for a, b, m, cat in rows:
            if (a, b) in seen:
                continue
            seen.add((a, b))
            w.writerow([a, b, "true" if m else "false", cat])
    print(f"{len(seen)} pairs -> {OUT}")


if __name__ == "__main__":
    main()
