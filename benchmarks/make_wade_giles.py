"""Rebuild ``src/guwah/reference/names/wade_giles.csv``: every toneless pinyin syllable and its
Wade-Giles form, by the standard conversion rules (Wade-Giles as used in English-language
publications, with apostrophes for aspiration and ü).

Run: ``.venv/bin/python benchmarks/make_wade_giles.py`` (needs pypinyin for the syllable list).
"""

from __future__ import annotations

import csv
from pathlib import Path

from pypinyin import Style, pinyin

OUT = Path(__file__).resolve().parents[1] / "src/guwah/reference/names/wade_giles.csv"

INITIALS = [  # longest first
    ("zh", "ch"),
    ("ch", "ch'"),
    ("sh", "sh"),
    ("b", "p"),
    ("p", "p'"),
    ("m", "m"),
    ("f", "f"),
    ("d", "t"),
    ("t", "t'"),
    ("n", "n"),
    ("l", "l"),
    ("g", "k"),
    ("k", "k'"),
    ("h", "h"),
    ("j", "ch"),
    ("q", "ch'"),
    ("x", "hs"),
    ("r", "j"),
    ("z", "ts"),
    ("c", "ts'"),
    ("s", "s"),
    ("y", "y"),
    ("w", "w"),
]
WHOLE = {
    "zi": "tzu",
    "ci": "tz'u",
    "si": "ssu",
    "zhi": "chih",
    "chi": "ch'ih",
    "shi": "shih",
    "ri": "jih",
    "er": "erh",
    "ye": "yeh",
    "you": "yu",
    "yi": "i",
    "yan": "yen",
    "yu": "yü",
    "yue": "yüeh",
    "yuan": "yüan",
    "yun": "yün",
    "yong": "yung",
    "lve": "lüeh",
    "nve": "nüeh",
    "lv": "lü",
    "nv": "nü",
    "ge": "ko",
    "ke": "k'o",
    "he": "ho",
    "e": "o",
    "guo": "kuo",
    "kuo": "k'uo",
    "huo": "huo",
    "gui": "kuei",
    "kui": "k'uei",
    "zhuo": "cho",
    "chuo": "ch'o",
    "shuo": "shuo",
    "ruo": "jo",
    "luo": "lo",
    "duo": "to",
    "tuo": "t'o",
    "nuo": "no",
    "zuo": "tso",
    "cuo": "ts'o",
    "suo": "so",
    "zei": "tsei",
    "ze": "tse",
    "ce": "ts'e",
    "se": "se",
    "re": "je",
    "zhe": "che",
    "che": "ch'e",
    "she": "she",
    "de": "te",
    "te": "t'e",
    "ne": "ne",
    "le": "le",
    "me": "me",
    "lo": "lo",
    "o": "o",
    "weng": "weng",
    "wo": "wo",
}


def convert(syl: str) -> str:
    if syl in WHOLE:
        return WHOLE[syl]
    initial, wg, final = "", "", syl
    for pin, wade in INITIALS:
        if syl.startswith(pin):
            initial, wg, final = pin, wade, syl[len(pin) :]
            break
    if initial in ("j", "q", "x"):
        final = final.replace("u", "ü", 1) if final.startswith("u") else final
    final = {
        "ong": "ung",
        "iong": "iung",
        "ian": "ien",
        "ie": "ieh",
        "üe": "üeh",
        "ue": "üeh",
        "uan": "uan",
        "ve": "üeh",
        "v": "ü",
        "van": "üan",
        "vn": "ün",
        "uo": "o" if initial in ("d", "t", "n", "l", "z", "c", "s", "r") else "uo",
        "e": "e",
    }.get(final, final)
    return wg + final


def main() -> None:
    syllables: set[str] = set()
    for cp in range(0x4E00, 0xA000):
        for reading in pinyin(chr(cp), style=Style.NORMAL, heteronym=True)[0]:
            if reading.isascii() and reading.isalpha():
                syllables.add(reading)
    syllables |= {"lv", "nv", "lve", "nve"}
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["pinyin", "wade_giles"])
        for s in sorted(syllables):
            w.writerow([s, convert(s)])
    print(f"{len(syllables)} syllables -> {OUT}")


if __name__ == "__main__":
    main()
