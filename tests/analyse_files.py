"""A test leak for the analysis, written with openpyxl: one person in three sheets with
conflicting values, an implausible date, a hostile reason, a Uyghur reason, a family; and
census workbooks, good and bad."""

from __future__ import annotations

from pathlib import Path

import openpyxl

# Written by hand, not computed with the code under test: check characters worked out with
# the ISO 7064 MOD 11-2 weights of GB 11643-1999 (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2).
A = "653121198001010014"  # man, head of household
D = "653121198202020024"  # his wife
E = "653121200805050038"  # their son
B = "653121199003030048"
C = "653121198504040055"
ADDR = "新疆维吾尔自治区喀什地区疏附县阿克乡托万村1组1号"
OTHER = "偷羊"  # a second, unclassified reason of a person whose first reason is classified
HOSTILE = "=1+1<script>alert(1)</script>"


def write_leak(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "在押人员"
    ws.append(["疏附县阿克乡在押人员花名册"])
    ws.append(["序号", "姓名", "公民身份号码", "性别", "民族", "出生日期", "户籍地址",
               "收押原因", "关押地点", "收押时间", "释放时间"])  # fmt: skip
    ws.append([1, "艾力·买买提", A, "男", "维吾尔族", "1980-01-01", ADDR, "与境外人员有联系",
               "疏附县看守所", "2018-03-05", "2018-09-01"])  # fmt: skip
    ws.append([2, "阿依古丽·吐尔逊", D, "女", "维吾尔族", "1982-02-02", ADDR, "不放心人员",
               "疏附县第一职业技能教育培训中心", "2018-04-01", ""])  # fmt: skip
    ws.append([3, "买买提·艾力", B, "男", "维吾尔族", "1990-03-03", ADDR, "ئۇ چەتئەلگە بارغان",
               "疏附县第一职业技能教育培训中心", "2030-01-01", ""])  # fmt: skip
    ws.append([4, "吐尔逊·阿不都", C, "男", "维吾尔族", "1985-04-04", ADDR, HOSTILE,
               "疏附县看守所", "2017-06-01", ""])  # fmt: skip
    ws2 = wb.create_sheet("转送名单")
    ws2.append(["序号", "姓名", "身份证号", "性别", "民族", "户籍地址", "收押时间", "关押地点",
                "收押原因"])  # fmt: skip
    ws2.append([1, "艾力·买买提", A, "男", "维吾尔族", ADDR, "2018-02-01",
                "疏附县第一职业技能教育培训中心", OTHER])  # fmt: skip
    ws3 = wb.create_sheet("户籍人口")
    ws3.append(["托万村户籍人口登记表"])
    ws3.append(["户号", "与户主关系", "姓名", "身份证号", "性别", "民族", "出生日期", "户籍地址"])
    for rel, name, idn, sex, born in (
        ("户主", "艾力·买买提", A, "男", "1980-01-01"),
        ("妻子", "阿依古丽·吐尔逊", D, "女", "1982-02-02"),
        ("儿子", "买买提江·艾力", E, "男", "2008-05-05"),
    ):
        ws3.append(["0001", rel, name, idn, sex, "维吾尔族", born, ADDR])
    ws3.append(["0002", "户主", "买买提·艾力", B, "男", "维吾尔族", "1990-03-03", ADDR])
    ws3.append(["0003", "户主", "吐尔逊·阿不都", C, "男", "维吾尔族", "1985-04-04", ADDR])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def write_census(path: Path, rename_male: bool = False, drop_total: bool = False) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    header = ["区划代码", "省", "市", "区县", "人口数_合计", "人口数_男", "人口数_女",
              "少数民族人口比重（%）", "男_65到69岁", "女_65到69岁"]  # fmt: skip
    if rename_male:
        header[5] = "男性人口"
    if drop_total:
        header[4] = "总人口"
    ws.append(header)
    ws.append(["NA", "全国", "全国", "全国", 1, 1, 0, 1, 0, 0])
    ws.append([654027, "新疆维吾尔自治区", "伊犁哈萨克自治州", "特克斯县", 148945, 76239, 72706,
               83.69, 2071, 2149])  # fmt: skip
    ws.append([659999, "新疆维吾尔自治区", "?", "无此县", 10, 5, 5, 1, 0, 0])
    wb.save(path)
