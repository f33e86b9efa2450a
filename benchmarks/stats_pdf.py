"""Benchmark: import and resolve a 50-page yearbook chapter (a PDF with a text layer).

The chapter is made here with fpdf2 and Noto CJK: 50 pages, each a table of Xinjiang
counties and prefectures with the 2020 census's own figures (population, sex ratio,
minority share) from ``../shared/data/census/census_county_2020_v1.xlsx``, names printed as
yearbooks print them (full county names; prefectures in full or short: 喀什地区 / 喀什;
全区 for the region). The census's 区划代码 is the truth for region resolution. Timed:
``guwah init`` + ``guwah stats import`` as a user runs them (a fresh process each), beside
the floor: ``guwah ingest`` of the same PDF (preserve + extract pages, no tables read).

    PYTHONPATH=src python benchmarks/stats_pdf.py [--pages 50]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys

from common import OUT, ROOT, run_guwah

sys.path.insert(0, str(ROOT / "tests"))
from guwah.stats.regions import short_forms  # noqa: E402
from yearbook_tables import write_pdf  # noqa: E402

CENSUS = ROOT.parent / "shared" / "data" / "census" / "census_county_2020_v1.xlsx"
ROWS_PER_PAGE = 30


def census_rows() -> list[tuple[str, str, int, float, float]]:
    from openpyxl import load_workbook

    wb = load_workbook(CENSUS, read_only=True)
    out = []
    for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True):
        code = str(r[0])
        if code.startswith("65") and code != "650000":
            out.append((code, str(r[3]), int(r[4]), float(r[7]), float(r[8])))
    return out


def chapter(
    pages: int,
) -> tuple[list[tuple[str, list[str], list[list[str]], str]], list[list[str]]]:
    rows = census_rows()
    out, truth = [], []
    for p in range(pages):
        title = f"3-{p + 1} 新疆各地、州、市、县（市）人口构成（2020年）"
        header = ["地区", "人口数(人)", "性别比(女=100)", "少数民族人口比重(%)"]
        body, codes = [["全区", "25852345", "106.85", "57.76"]], ["650000"]
        for k in range(ROWS_PER_PAGE - 1):
            code, name, pop, sex, share = rows[(p * 7 + k) % len(rows)]
            printed = name
            if code.endswith("00") and (p + k) % 2 and short_forms(name):
                printed = short_forms(name)[-1]  # 喀什地区 → 喀什, 昌吉回族自治州 → 昌吉
            body.append([printed, str(pop), f"{sex:.2f}", f"{share:.2f}"])
            codes.append(code)
        out.append((title, header, body, "注：人口数为2020年11月1日零时数据。"))
        truth.append(codes)
    return out, truth


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=50)
    args = ap.parse_args()
    work = OUT / "stats"
    work.mkdir(parents=True, exist_ok=True)
    pages, truth = chapter(args.pages)
    pdf = write_pdf(work / f"chapter-{args.pages}.pdf", pages)
    case = work / "case"
    if case.exists():
        import shutil

        shutil.rmtree(case)
    t_init = run_guwah("init", str(case))
    t_import = run_guwah(
        "stats",
        "import",
        str(pdf),
        "--source",
        "benchmark chapter",
        "--edition",
        "2021",
        "--case",
        str(case),
    )
    floor_case = work / "floor"
    if floor_case.exists():
        import shutil

        shutil.rmtree(floor_case)
    run_guwah("init", str(floor_case))
    t_floor = run_guwah("ingest", str(pdf), "--no-ocr", "--case", str(floor_case))
    db = sqlite3.connect(case / "guwah.db")
    got = db.execute(
        "SELECT t.page_no, v.row, v.region_raw, v.region_code FROM stat_values v "
        "JOIN stat_tables t ON t.id = v.table_id GROUP BY t.page_no, v.row"
    ).fetchall()
    pages_read = {p for p, *_ in got}
    right = wrong = 0
    misses = []
    for page, row, raw, code in got:
        expected = truth[page - 1][row - 3]  # line 1 title, line 2 header
        if code == expected:
            right += 1
        else:
            wrong += 1
            misses.append((page, row, raw, code, expected))
    expected_rows = sum(len(t) for t in truth)
    result = {
        "pages": args.pages,
        "pdf_bytes": pdf.stat().st_size,
        "init_s": round(t_init, 2),
        "import_s": round(t_import, 2),
        "ingest_alone_s": round(t_floor, 2),
        "pages_with_a_table": len(pages_read),
        "rows_expected": expected_rows,
        "rows_read": right + wrong,
        "regions_right": right,
        "region_accuracy": round(right / expected_rows, 4),
        "misses": misses[:10],
    }
    (work / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
