"""Real spreadsheets and photos for the records tests: titles, merges, two-row headers, GBK."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import xlwt
from PIL import Image

# Written by hand, not computed with the code under test: the check characters were worked
# out with the ISO 7064 MOD 11-2 weights of GB 11643-1999 (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2)
ID1 = "653121199001011230"  # a woman (17th digit even)
ID2 = "653121198805031355"  # a man
ID3 = "653121199507071118"  # only in a photo name


def _jpeg(seed: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (seed * 40 % 256, 90, 120)).save(buf, "JPEG")
    return buf.getvalue()


def write_roster_xlsx(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "村A"
    ws["A1"] = "某县某乡在押人员花名册"
    ws.merge_cells("A1:I1")
    ws["A2"] = "填报单位：某乡派出所        填报日期：2018年8月1日"
    # row 3 blank
    header = [
        "序号",
        "姓名",
        "公民身份号码",
        "性别",
        "民族",
        "出生日期",
        "收押原因",
        "家庭成员",
        "宗教信仰程度",
    ]
    for c, h in enumerate(header, 1):
        ws.cell(row=4, column=c, value=h)
    rows = [
        [
            1,
            "阿依夏•塔依尔",
            ID1,
            "女",
            "维族",
            date(1990, 1, 1),
            "非法宗教活动",
            "丈夫：艾力·买买提",
            "虔诚",
        ],
        [
            2,
            "艾力·买买提",
            ID2,
            "男",
            "维吾尔族",
            "1988年5月3日",
            "与境外人员有联系",
            "妻子：阿依夏·塔依尔",
            None,
        ],
        None,  # row 7 blank
        [3, "阿依夏·塔依尔", float(ID1), "女", "维吾尔族", "1990.1.1", "非法宗教活动", None, None],
    ]
    for r, row in enumerate(rows, 5):
        for c, v in enumerate(row or [], 1):
            if v is not None:
                ws.cell(row=r, column=c, value=v)
    ws["A9"] = "制表人：张三    审核人：李四"
    ws.merge_cells("A9:I9")
    summary = wb.create_sheet("汇总")
    summary.append(["村", "人数"])
    summary.append(["村A", 3])
    wb.create_sheet("Sheet3")
    wb.save(path)


def write_transfer_xls(path: Path) -> None:
    """A two-row header: 序号/姓名/身份证号 merged down, 关押情况 merged across."""
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("名单")
    ws.write_merge(0, 0, 0, 5, "送某培训中心人员名单")
    ws.write_merge(1, 2, 0, 0, "序号")
    ws.write_merge(1, 2, 1, 1, "姓名")
    ws.write_merge(1, 2, 2, 2, "身份证号")
    ws.write_merge(1, 1, 3, 5, "关押情况")
    ws.write(2, 3, "收押时间")
    ws.write(2, 4, "所在监所")
    ws.write(2, 5, "收押原因")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    ws.write(3, 0, 1)
    ws.write(3, 1, "吐尔洪·阿不都")  # another name under ID1: an id_conflict
    ws.write(3, 2, ID1)
    ws.write(3, 3, "2018.3.5")
    ws.write(3, 4, "某县第一职业技能教育培训中心")
    ws.write(3, 5, "非法宗教活动")
    ws.write(4, 0, 2)
    ws.write(4, 1, "艾力·买买提")
    ws.write(4, 2, "\t" + ID2.lower())
    ws.write(4, 3, datetime(2018, 4, 6), date_style)
    ws.write(4, 4, "某县第一职业技能教育培训中心")
    ws.write(4, 5, "与境外人员有联系")
    wb.save(str(path))


def write_list_csv(path: Path) -> None:
    """GBK, no title: people without ID numbers."""
    addr = "新疆维吾尔自治区喀什地区疏附县某乡某村"
    lines = [
        "姓名,出生日期,现住址",
        f"买买提·艾力,1970-01-01,{addr}1组1号",
        f"买买提·艾力,1975-06-06,{addr}2组5号",
        "古丽·阿布都,,",
        "古丽·阿布都,,",
        f"艾力·买买提,1988/5/3,{addr}3组9号",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))


def write_records_leak(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    write_roster_xlsx(root / "在押人员花名册.xlsx")
    write_transfer_xls(root / "送培训中心人员名单.xls")
    write_list_csv(root / "名单.csv")
    notes = "会议,地点,人数\r\n一月会议,县政府,30\r\n二月会议,乡政府,25\r\n"
    (root / "说明.csv").write_bytes(notes.encode("gbk"))  # a table, but not of people
    photos = root / "人员照片"
    photos.mkdir()
    (photos / f"{ID1}_20180305093000.jpg").write_bytes(_jpeg(1))
    (photos / f"{ID2}.jpg").write_bytes(_jpeg(2))
    (photos / f"20180306100000_{ID3}.jpg").write_bytes(_jpeg(3))
    (photos / "无编号.jpg").write_bytes(_jpeg(4))
    return root
