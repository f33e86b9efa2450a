"""Real, public yearbook figures written as the tables are printed (xlsx, one CSV).

Every figure comes from ``files/yearbook/values.csv``, each with the source it was found in
(``files/yearbook/sources.csv``: yearbook or release, edition, table, where the copy is).
The layouts imitate how the yearbooks print such tables: a numbered title, a unit line,
multi-row headers with merged parents, regions or years down the side, notes (注). Run as a
script to write the files into a directory: ``python tests/yearbook_tables.py OUT``.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent / "files" / "yearbook"


def values() -> dict[str, dict[tuple[str, str, int], str]]:
    out: dict[str, dict[tuple[str, str, int], str]] = defaultdict(dict)
    with (HERE / "values.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[row["table"]][(row["region"], row["indicator"], int(row["year"]))] = row["printed"]
    return out


def sources() -> dict[str, dict[str, str]]:
    with (HERE / "sources.csv").open(encoding="utf-8") as fh:
        return {row["source_id"]: row for row in csv.DictReader(fh)}


def _num(text: str) -> float | int:
    f = float(text)
    return int(f) if f.is_integer() and "." not in text else f


def _book(rows: list[list[object]], merges: list[str], path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "表"
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    wb.save(path)
    return path


def csy2020(out: Path) -> Path:
    """CSY 2020 figures as quoted: birth and natural growth rates, 2017–2019 (regions down,
    a merged parent header over the years, unit line)."""
    v = values()
    years = [2017, 2018, 2019]
    rows: list[list[object]] = [
        ["人口出生率和自然增长率（摘录）"],
        ["单位：‰"],
        ["地区", "出生率", None, None, "自然增长率", None, None],
        [None, *years, *years],
    ]
    for region, label in (("全国", "全国"), ("新疆维吾尔自治区", "新疆")):
        row: list[object] = [label]
        for ind, table in (("出生率", "rates_by_year"), ("自然增长率", "growth_by_year")):
            for y in years:
                key = (region if table == "rates_by_year" else label, ind, y)
                printed = v[table].get(key)
                src = _source_of(table, key)
                row.append(_num(printed) if printed and src == "CSY2020" else None)
        rows.append(row)
    rows.append(["注：数值摘自《中国统计年鉴2020》（据公开引用，见 sources.csv）；空格为未摘录。"])
    return _book(rows, ["A3:A4", "B3:D3", "E3:G3"], out / "csy2020_birth_growth.xlsx")


def _source_of(table: str, key: tuple[str, str, int]) -> str | None:
    with (HERE / "values.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["table"] == table and (row["region"], row["indicator"], int(row["year"])) == key:
                return row["source_id"]
    return None


def csy2016_2_8(out: Path) -> Path:
    """CSY 2016 table 2-8 (2015): regions down (short names), indicators across, the unit
    under each header, the year in the title."""
    v = values()["csy2016_2_8"]
    regions = list(dict.fromkeys(r for r, _i, _y in v))
    rows: list[list[object]] = [
        ["2-8  分地区人口的城乡构成和出生率、死亡率、自然增长率（2015年）"],
        ["地  区", "出生率", "死亡率", "自然增长率"],
        [None, "(‰)", "(‰)", "(‰)"],
    ]
    for r in regions:
        rows.append([r, *(_num(v[(r, ind, 2015)]) for ind in ("出生率", "死亡率", "自然增长率"))])
    rows.append(["注：本表数据根据2015年全国1%人口抽样调查数据推算（摘录）。"])
    return _book(rows, ["A2:A3"], out / "csy2016_table_2-8.xlsx")


def csy2012_3_5(out: Path) -> Path:
    v = values()["csy2012_3_5"]
    rows: list[list[object]] = [
        ["3-5 各地区人口的城乡构成和出生率、死亡率、自然增长率(2011年)"],
        ["地 区", "出生率(‰)", "死亡率(‰)", "自然增长率(‰)"],
        ["全 国", *(_num(v[("全国", i, 2011)]) for i in ("出生率", "死亡率", "自然增长率"))],
        ["新 疆", *(_num(v[("新疆", i, 2011)]) for i in ("出生率", "死亡率", "自然增长率"))],
        ["注：1.本表数据根据2011年人口变动情况抽样调查数据推算。"],
    ]
    return _book(rows, [], out / "csy2012_table_3-5.xlsx")


def nbs_releases(out: Path) -> Path:
    """The NBS's annual releases: years down the side, indicators across, national."""
    births = values()["births_nbs"]
    rates = values()["rates_by_year"]
    growth = values()["growth_by_year"]
    rows: list[list[object]] = [
        ["全国人口出生和自然增长（国家统计局年度发布）"],
        ["年份", "出生人口(万人)", "出生率(‰)", "自然增长率(‰)"],
    ]
    for y in range(2011, 2022):
        b = births.get(("全国", "出生人口", y))
        r = rates.get(("全国", "出生率", y))
        g = growth.get(("全国", "自然增长率", y))
        if b or r or g:
            rows.append(
                [f"{y}年", _num(b) if b else "…", _num(r) if r else "…", _num(g) if g else "…"]
            )
    return _book(rows, [], out / "nbs_national_releases.xlsx")


def nhfpc_2016(out: Path) -> Path:
    v = values()["births_nhfpc"]
    rows: list[list[object]] = [
        ["全国住院分娩活产数（国家卫生计生委统计公报）"],
        ["指标", "2016"],
        ["住院分娩活产数（万人）", _num(v[("全国", "住院分娩活产数", 2016)])],
    ]
    return _book(rows, [], out / "nhfpc_2016_live_births.xlsx")


def xj_bulletin_2019(out: Path) -> Path:
    """The Xinjiang 2019 communiqué: indicators down, years across, the region in the title."""
    v = values()["xj_2019"]
    rows: list[list[object]] = [
        ["新疆维吾尔自治区人口主要指标（2019年统计公报）"],
        ["指标", "2018年", "2019年"],
    ]
    for label, ind in (
        ("出生人口（万人）", "出生人口"),
        ("死亡人口（万人）", "死亡人口"),
        ("年末常住人口（万人）", "年末常住人口"),
        ("出生率（‰）", "出生率"),
        ("死亡率（‰）", "死亡率"),
        ("自然增长率（‰）", "自然增长率"),
    ):
        rows.append(
            [
                label,
                *(
                    _num(v[("新疆", ind, y)]) if ("新疆", ind, y) in v else None
                    for y in (2018, 2019)
                ),
            ]
        )
    return _book(rows, [], out / "xinjiang_communique_2019.xlsx")


def xj_ethnic(out: Path) -> Path:
    v = values()["xj_ethnic"]
    rows: list[list[object]] = [
        ["新疆分民族人口（据《新疆统计年鉴2019》表3-8）"],
        ["单位：万人"],
        ["指标", "2010", "2018"],
    ]
    for label in ("常住人口", "少数民族人口", "维吾尔族人口", "汉族人口"):
        rows.append([label, *(_num(v[("新疆", label, y)]) for y in (2010, 2018))])
    return _book(rows, [], out / "xinjiang_population_by_ethnicity.xlsx")


def xpcc_1_4(out: Path) -> Path:
    """The XPCC yearbook 2019 table 1-4 as printed: no region in the title (the yearbook's own)."""
    v = values()["xpcc_1_4"]
    years = [2005, 2010, 2015, 2017, 2018]
    rows: list[list[object]] = [
        ["1-4  主要年份国民经济和社会发展主要比例和效益指标"],
        ["指标", *years],
        ["人 口"],
    ]
    for ind in ("出生率", "死亡率", "自然增长率"):
        rows.append([f"{ind}  (‰)", *(_num(v[("新疆生产建设兵团", ind, y)]) for y in years)])
    return _book(rows, [], out / "xpcc_yearbook_2019_table_1-4.xlsx")


def xj_government(out: Path) -> Path:
    """The Xinjiang government's 2010–2013 birth rates as reported (a GB18030 CSV)."""
    v = values()["rates_by_year"]
    lines = ["新疆常住人口出生率（自治区公布）", "年份,出生率(‰)"]
    for y in range(2010, 2014):
        lines.append(f"{y},{v[('新疆维吾尔自治区', '出生率', y)]}")
    path = out / "xinjiang_government_birth_rates.csv"
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    return path


def xass_2018(out: Path) -> Path:
    v = values()["rates_by_year"]
    rows: list[list[object]] = [
        ["新疆人口出生率（新疆社会科学院研究，据中国日报）"],
        ["年份", "出生率（‰）"],
        [2018, _num(v[("新疆维吾尔自治区", "出生率", 2018)])],
    ]
    return _book(rows, [], out / "xass_2018_birth_rate.xlsx")


def iud_2012(out: Path, table: str, title: str, name: str) -> Path:
    """National IUD placements in 2012 as one yearbook prints them (years down, 例)."""
    v = values()[table]
    rows: list[list[object]] = [
        [title],
        ["年份", "放置节育器（例）"],
        [2012, _num(v[("全国", "放置节育器", 2012)])],
    ]
    return _book(rows, [], out / name)


def iud_hfpy(out: Path) -> Path:
    return iud_2012(out, "iud_hfpy", "8-8-1 全国节育手术例数", "hfpy2013_table_8-8-1.xlsx")


def iud_pey(out: Path) -> Path:
    return iud_2012(out, "iud_pey", "全国计划生育手术情况", "pey2013_family_planning.xlsx")


def csy1998_4_3(out: Path) -> Path:
    """CSY 1998 table 4-3 (1997) as the NBS's own web copy prints it: total population in
    万人, the three rates with no unit printed anywhere (so none may be assumed)."""
    v = values()["csy1998_4_3"]
    regions = list(dict.fromkeys(r for r, _i, _y in v))
    inds = ("年底总人口", "出生率", "死亡率", "自然增长率")
    rows: list[list[object]] = [
        ["4-3 各地区总人口和出生率、死亡率、自然增长率(1997年)"],
        ["地区", "年底总人口(万人)", "出生率", "死亡率", "自然增长率"],
    ]
    rows += [[r, *(_num(v[(r, ind, 1997)]) for ind in inds)] for r in regions]
    rows += [
        ["注:"],
        ["1. 全国总人口包括现役军人数,分地区数字中则未包括。"],
        ["2. 全国数据未包括香港特别行政区、台湾省和澳门地区的人口数据。"],
        ["3. 全国数据根据抽样误差和调查误差进行了修正。"],
    ]
    return _book(rows, [], out / "csy1998_table_4-3.xlsx")


BUILDERS = {
    "CSY2020": (csy2020, "China Statistical Yearbook", 2020),
    "CSY2016": (csy2016_2_8, "China Statistical Yearbook", 2016),
    "CSY2012": (csy2012_3_5, "China Statistical Yearbook", 2012),
    "NBS": (nbs_releases, "National Bureau of Statistics annual releases", None),
    "NHFPC2016": (nhfpc_2016, "NHFPC Statistical Bulletin 2016", 2017),
    "XJ2019": (xj_bulletin_2019, "Xinjiang Statistical Communiqué 2019", 2020),
    "LXX2021": (xj_ethnic, "Xinjiang Statistical Yearbook 2019 (via Li Xiaoxia 2021)", 2019),
    "XPCC2019": (xpcc_1_4, "XPCC Statistical Yearbook", 2019),
    "GT2020": (xj_government, "Xinjiang government figures (Global Times 2020)", 2020),
    "XASS2021": (xass_2018, "Xinjiang Academy of Social Sciences (China Daily 2021)", 2021),
    "HFPY2013": (iud_hfpy, "China Health and Family Planning Statistical Yearbook", 2013),
    "PEY2013": (iud_pey, "China Population and Employment Statistics Yearbook", 2013),
    "CSY1998": (csy1998_4_3, "China Statistical Yearbook", 1998),
}


def write_all(out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    return {key: build(out) for key, (build, _source, _edition) in BUILDERS.items()}


# -- issue 20 item 5: national 2012–2013, Xinjiang 2021, prefectures, a ranked table -------
# Kept apart from BUILDERS so the tests on the provincial set read the same case as before;
# tests/test_stats_real.py imports these (with the NBS releases for the national series).


def nbs_2012_2013(out: Path) -> Path:
    """National rates for 2012 and 2013 as the NBS published them: years down the side, the
    three rates across with the unit on a second header row (merged 年份), "…" where the
    release quoted gives no figure."""
    v = values()["nbs_2012_2013"]
    inds = ("出生率", "死亡率", "自然增长率")
    rows: list[list[object]] = [
        ["全国人口出生率、死亡率和自然增长率（国家统计局年度公报）"],
        ["年  份", *inds],
        [None, "(‰)", "(‰)", "(‰)"],
    ]
    for y in (2012, 2013):
        rows.append([f"{y}年", *(_num(v[k]) if (k := ("全国", i, y)) in v else "…" for i in inds)])
    rows += [
        ["注：2012年据《2012年国民经济和社会发展统计公报》，2013年据国家统计局2014年1月20日发布；"],
        ["    均据公开引用（见 sources.csv），“…”为所引未载。"],
    ]
    return _book(rows, ["A2:A3"], out / "nbs_national_2012_2013.xlsx")


def xj_communique_2021(out: Path) -> Path:
    """The Xinjiang 2021 communiqué's population figures: indicators down (unit in the
    label), the year across, the region in the title."""
    v = values()["xj_2021"]
    rows: list[list[object]] = [
        ["新疆维吾尔自治区人口主要指标（2021年统计公报）"],
        ["指标", "2021年"],
    ]
    for label, ind in (
        ("年末常住人口（万人）", "年末常住人口"),
        ("出生人口（万人）", "出生人口"),
        ("死亡人口（万人）", "死亡人口"),
        ("出生率（‰）", "出生率"),
        ("死亡率（‰）", "死亡率"),
        ("自然增长率（‰）", "自然增长率"),
    ):
        rows.append([label, _num(v[("新疆", ind, 2021)])])
    return _book(rows, [], out / "xinjiang_communique_2021.xlsx")


PREFECTURE_YEARS = (2018, 2019, 2022)


def xj_prefectures(out: Path) -> Path:
    """Prefecture rates as a Xinjiang yearbook table prints them: prefectures down the side,
    a merged parent header per rate over the years, the unit on its own line, notes (注)
    naming each figure's publication. The figures are stored as text cells ("6.90", not the
    number 6.9), so the printed text is the cell; the other tables store numbers. No table
    number: this is an excerpt, not a yearbook's numbered table."""
    v = values()["xj_prefectures"]
    inds = ("出生率", "死亡率", "自然增长率")
    n = len(PREFECTURE_YEARS)
    rows: list[list[object]] = [
        ["新疆各地、州、市人口出生率、死亡率和自然增长率（摘录）"],
        ["单位：‰"],
        ["地  区"],
        [None, *(PREFECTURE_YEARS * len(inds))],
    ]
    for i, ind in enumerate(inds):
        rows[2] += [ind, *([None] * (n - 1))]
        assert len(rows[2]) == 1 + (i + 1) * n
    for region in dict.fromkeys(r for r, _i, _y in v):
        rows.append([region, *(v.get((region, ind, y)) for ind in inds for y in PREFECTURE_YEARS)])
    rows += [
        ["注：1. 阿克苏地区2018年据《阿克苏地区2018年国民经济和社会发展统计公报》（地方总人口），"],
        ["       2019年据《阿克苏统计年鉴2020》，"],
        ["       2022年据《阿克苏地区2022年国民经济和社会发展统计公报》（常住人口）。"],
        ["    2. 乌鲁木齐市2022年据《乌鲁木齐市2022年国民经济和社会发展统计公报》（常住人口）。"],
        ["    3. 均据公开引用，见 sources.csv；空格为未摘录。"],
    ]
    merges = ["A3:A4"] + [
        f"{_letter(2 + i * n)}3:{_letter(1 + (i + 1) * n)}3" for i in range(len(inds))
    ]
    return _book(rows, merges, out / "xinjiang_prefectures_rates.xlsx")


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def urumqi_2018(out: Path) -> Path:
    """Urumqi's 2018 rates as its communiqué gives them: for the registered (户籍)
    population, not the resident one, so the labels say so; the city only in the title."""
    v = values()["urumqi_2018"]
    rows: list[list[object]] = [
        ["乌鲁木齐市户籍人口自然变动（2018年统计公报）"],
        ["指标", "2018年"],
    ]
    for ind in ("出生率", "死亡率", "自然增长率"):
        rows.append([f"户籍人口{ind}（‰）", _num(v[("乌鲁木齐市", ind, 2018)])])
    rows.append(["注：据公安年报资料，户籍人口口径（据公开引用，见 sources.csv）。"])
    return _book(rows, [], out / "urumqi_communique_2018.xlsx")


def ranked_2021(out: Path) -> Path:
    """Provincial birth rates for 2021 as a web page ranks them, in traditional characters
    (貴州, 寧夏, 陜西): a rank column before the region, the unit in the header. The page
    gives the year in its text; the title line here says it."""
    v = values()["ranked_2021"]
    order = sorted(v, key=lambda k: -float(v[k]))  # the page's order: highest first
    rows: list[list[object]] = [["2021年各省份人口出生率排名"], ["排名", "地區", "出生率(‰)"]]
    rows += [[n, region, _num(v[(region, ind, y)])] for n, (region, ind, y) in enumerate(order, 1)]
    return _book(rows, [], out / "birth_rates_2021_ranked.xlsx")


def _kashgar(out: Path, table: str, note: str, name: str) -> Path:
    """Kashgar's 2018 natural growth rate as one publication gives it: the prefecture down
    the side, the rate across, the publication in the note."""
    v = values()[table]
    rows: list[list[object]] = [
        ["喀什地区人口自然增长率（2018年）"],
        ["地  区", "自然增长率(‰)"],
        ["喀什地区", _num(v[("喀什地区", "自然增长率", 2018)])],
        [note],
    ]
    return _book(rows, [], out / name)


def kashgar_sedr(out: Path) -> Path:
    return _kashgar(
        out,
        "kashgar_sedr",
        "注：据国民经济和社会发展统计公报（Zenz 2020 所用，据公开引用）。",
        "kashgar_2018_communique.xlsx",
    )


def kashgar_xsy(out: Path) -> Path:
    return _kashgar(
        out,
        "kashgar_xsy",
        "注：据《新疆统计年鉴2019》（据公开引用）。",
        "kashgar_2018_yearbook.xlsx",
    )


EXTRA_BUILDERS = {
    "NBS2012_2013": (nbs_2012_2013, "National Bureau of Statistics annual releases", None),
    "XJ2021": (xj_communique_2021, "Xinjiang Statistical Communiqué 2021", 2022),
    "XJPREF": (
        xj_prefectures,
        "Prefecture statistical communiqués and the Aksu Statistical Yearbook 2020 (as quoted)",
        None,
    ),
    "URC2018": (urumqi_2018, "Urumqi Statistical Communiqué 2018 (as quoted)", 2019),
    "RANKED2021": (ranked_2021, "Provincial birth rates 2021, ranked (web page)", None),
    "KASHGAR_SEDR": (
        kashgar_sedr,
        "Xinjiang Social and Economic Development Reports (as used by Zenz 2020)",
        None,
    ),
    "KASHGAR_XSY": (kashgar_xsy, "Xinjiang Statistical Yearbook (as quoted)", 2019),
}
EXTRA_TABLES = {
    "NBS2012_2013": "nbs_2012_2013",
    "XJ2021": "xj_2021",
    "XJPREF": "xj_prefectures",
    "URC2018": "urumqi_2018",
    "RANKED2021": "ranked_2021",
    "KASHGAR_SEDR": "kashgar_sedr",
    "KASHGAR_XSY": "kashgar_xsy",
}  # the values.csv table each file lays out


def write_extra(out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    return {key: build(out) for key, (build, _source, _edition) in EXTRA_BUILDERS.items()}


if __name__ == "__main__":
    for key, path in {**write_all(Path(sys.argv[1])), **write_extra(Path(sys.argv[1]))}.items():
        print(key, path)


# -- PDF pages with a text layer, as a yearbook chapter prints them -------------------------

Page = tuple[str, list[str], list[list[str]], str]  # title, header, rows, note


def write_pdf(path: Path, pages: list[Page]) -> Path:
    """A PDF (fpdf2, Noto CJK) with one table per page: title, header, rows, note."""
    from fpdf import FPDF

    from guwah.synth.fonts import cjk_font

    font = cjk_font()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font("cjk", fname=str(font.path), collection_font_number=font.index)
    pdf.set_auto_page_break(False)
    for title, header, rows, note in pages:
        pdf.add_page()
        pdf.set_font("cjk", size=12)
        pdf.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=8.5)
        widths = [48] + [(190 - 48) / max(1, len(header) - 1)] * (len(header) - 1)
        for row in [header, *rows]:
            for w, text in zip(widths, row, strict=False):
                pdf.cell(w, 6.2, text, border=1, align="L" if w == 48 else "R")
            pdf.ln(6.2)
        if note:
            pdf.ln(2)
            pdf.cell(0, 6, note, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def csy2016_pdf(out: Path) -> Path:
    """CSY 2016 table 2-8's figures on one PDF page (regions down, indicators across)."""
    v = values()["csy2016_2_8"]
    regions = list(dict.fromkeys(r for r, _i, _y in v))
    rows = [
        [r, *(v[(r, ind, 2015)] for ind in ("出生率", "死亡率", "自然增长率"))] for r in regions
    ]
    page: Page = (
        "2-8 分地区人口的出生率、死亡率、自然增长率（2015年）",
        ["地区", "出生率(‰)", "死亡率(‰)", "自然增长率(‰)"],
        rows,
        "注：本表数据根据2015年全国1%人口抽样调查数据推算（摘录）。",
    )
    return write_pdf(out / "csy2016_table_2-8.pdf", [page])


def write_scan(
    path: Path,
    title: str,
    header: list[str],
    rows: list[list[str]],
    blur: set[tuple[int, int]] | None = None,
) -> Path:
    """A table drawn as a 300-dpi greyscale scan (Pillow, Noto CJK); cells in ``blur``
    (row, column) are smudged, as a bad photocopy smudges digits."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    from guwah.synth.fonts import cjk_font

    font = cjk_font()
    face = ImageFont.truetype(str(font.path), 34, index=font.index)
    widths = [340] + [260] * (len(header) - 1)
    img = Image.new("L", (sum(widths) + 120, 110 + 62 * (len(rows) + 2)), 255)
    draw = ImageDraw.Draw(img)
    draw.text((60, 30), title, font=face, fill=0)
    for r, row in enumerate([header, *rows]):
        x = 60
        for c, (w, text) in enumerate(zip(widths, row, strict=False)):
            y = 110 + 62 * r
            if blur and (r, c) in blur:
                tile = Image.new("L", (w - 10, 50), 255)
                ImageDraw.Draw(tile).text((6, 4), text, font=face, fill=0)
                tile = tile.filter(ImageFilter.GaussianBlur(2.6))
                img.paste(tile, (x + 5, y))
            else:
                draw.text((x + 12, y + 6), text, font=face, fill=0)
            x += w
    img.save(path, dpi=(300, 300))
    return path
