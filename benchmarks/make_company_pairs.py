"""Build ``data/company_pairs.csv`` from ``data/company_positives.tsv`` (Chinese legal name,
official English name, category, public source): every positive pair, and for each Chinese
name a hard negative — the English name of another company sharing the most words with its
own English name (same place, same industry word: Xinjiang Tianshan Cement / Xinjiang Tianshan
Wool Textile). The choice uses plain word overlap, never guwah's matcher.

    python benchmarks/make_company_pairs.py
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent / "data"
IGNORE = {"co", "ltd", "limited", "company", "corporation", "group", "inc", "of", "the", "and"}


def words(name: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", name.lower()) if w not in IGNORE}


def main() -> None:
    with (HERE / "company_positives.tsv").open(encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh if line.strip()]
    out = [(zh, en, "true", cat, src) for zh, en, cat, src in rows]
    for i, (zh, en, _cat, src) in enumerate(rows):
        mine = words(en)
        best = max(
            (j for j in range(len(rows)) if j != i and rows[j][1] != en),
            key=lambda j: (len(mine & words(rows[j][1])), -abs(i - j)),
        )
        out.append((zh, rows[best][1], "false", "hard_negative", f"{src} / {rows[best][3]}"))
    with (HERE / "company_pairs.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name_zh", "name_en", "is_match", "category", "source"])
        w.writerows(out)
    print(f"{len(out)} pairs written")


if __name__ == "__main__":
    main()
