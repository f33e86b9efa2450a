"""Lay out people as messy Chinese police rosters: title rows, header variants, merged cells."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from .data import reference
from .people import RELATION_ZH, Person
from .spreadsheets import Cell, Sheet

SYNTHETIC_NOTE = "（合成数据 SYNTHETIC：由 guwah synth 生成，非真实记录）"
DATE_STYLES = ("iso", "cn", "dot", "slash", "compact", "excel")
EXCEL_FORMATS = ("yyyy-mm-dd", 'yyyy"年"m"月"d"日"', "yyyy/m/d")
SEPARATORS = ("·", "·", "·", "•", "．")


@dataclass
class Style:
    """How one file writes its table."""

    headers: dict[str, str]
    dates: str
    excel_format: str
    separator: str
    ethnicity_variant: int
    full_address: bool
    id_numeric: float
    id_tab: bool
    blank_rate: float
    two_level: bool
    family: bool

    @classmethod
    def pick(cls, rng: random.Random, fmt: str, encoding: str = "") -> Style:
        heads = {k: rng.choice(v) for k, v in reference().headers.items()}
        dates = rng.choice(DATE_STYLES if fmt in ("xlsx", "xls") else DATE_STYLES[:-1])
        sep = rng.choice(SEPARATORS)
        if fmt == "csv" and sep == "•":  # not in GBK
            sep = "·"
        return cls(
            headers=heads,
            dates=dates,
            excel_format=rng.choice(EXCEL_FORMATS),
            separator=sep,
            ethnicity_variant=rng.randrange(3),
            full_address=rng.random() < 0.6,
            id_numeric=0.15 if fmt == "xlsx" and rng.random() < 0.25 else 0.0,
            id_tab=fmt == "csv" and rng.random() < 0.2,
            blank_rate=rng.choice([0.0, 0.0, 0.01, 0.03]),
            two_level=rng.random() < 0.3,
            family=rng.random() < 0.6,
        )


def format_date(d: date, style: str) -> Cell:
    if style == "excel":
        return d
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "compact":
        return f"{d:%Y%m%d}"
    return f"{d:%Y-%m-%d}"


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass
class Placement:
    person: Person
    row: int  # 1-based row number in the file
    overrides: dict[str, str]


#: column layouts: field keys in order; groups for the two-level header
DETAINEE_LAYOUTS = (
    (
        "seq",
        "name",
        "sex",
        "ethnicity",
        "id_number",
        "birth_date",
        "address",
        "reason",
        "facility",
        "detention_date",
        "family",
        "note",
    ),
    (
        "seq",
        "name",
        "id_number",
        "sex",
        "ethnicity",
        "birth_date",
        "address",
        "detention_date",
        "facility",
        "reason",
        "note",
    ),
    (
        "seq",
        "id_number",
        "name",
        "sex",
        "ethnicity",
        "address",
        "reason",
        "detention_date",
        "facility",
        "family",
        "note",
    ),
)
VILLAGE_LAYOUTS = (
    (
        "seq",
        "household",
        "relation",
        "name",
        "sex",
        "ethnicity",
        "id_number",
        "birth_date",
        "address",
        "category",
        "note",
    ),
    (
        "seq",
        "name",
        "sex",
        "ethnicity",
        "id_number",
        "birth_date",
        "group",
        "household",
        "relation",
        "category",
        "note",
    ),
)
FACILITY_LAYOUT = (
    "seq",
    "name",
    "id_number",
    "sex",
    "ethnicity",
    "address",
    "detention_date",
    "facility",
    "reason",
)
GROUPS = {
    "reason": "关押情况",
    "facility": "关押情况",
    "detention_date": "关押情况",
    "family": "其他",
    "note": "其他",
    "category": "其他",
}


class RosterBuilder:
    """Builds one sheet; ``add`` places a person, ``finish`` appends the footer."""

    def __init__(
        self,
        rng: random.Random,
        name: str,
        titles: list[str],
        layout: tuple[str, ...],
        style: Style,
    ) -> None:
        self.rng = rng
        self.style = style
        self.layout = tuple(f for f in layout if f != "family" or style.family)
        self.sheet = Sheet(name=name, rows=[], date_format=style.excel_format)
        self.placements: list[Placement] = []
        self.seq = 0
        width = len(self.layout)
        for t in titles:
            self._merged_row(t, width)
        self.sheet.title_rows = len(titles)
        if titles and rng.random() < 0.4:
            self.sheet.rows.append([None] * width)
        if style.two_level:
            top: list[Cell] = []
            r = len(self.sheet.rows)
            c = 0
            while c < width:
                group = GROUPS.get(self.layout[c], "基本信息")
                end = c
                while end + 1 < width and GROUPS.get(self.layout[end + 1], "基本信息") == group:
                    end += 1
                top.extend([group] + [None] * (end - c))
                if end > c:
                    self.sheet.merges.append((r, c, r, end))
                c = end + 1
            self.sheet.rows.append(top)
        self.sheet.rows.append([self.style.headers[f] for f in self.layout])

    def _merged_row(self, text: str, width: int) -> None:
        r = len(self.sheet.rows)
        self.sheet.rows.append([text] + [None] * (width - 1))
        if width > 1:
            self.sheet.merges.append((r, 0, r, width - 1))

    def add(
        self, p: Person, extra: dict[str, str], overrides: dict[str, object] | None = None
    ) -> None:
        """Place ``p``; ``extra`` gives category/note; ``overrides`` replaces true values."""
        if self.style.blank_rate and self.rng.random() < self.style.blank_rate:
            self.sheet.rows.append([None] * len(self.layout))
        over = overrides or {}
        self.seq += 1
        row = [self._value(f, p, extra, over) for f in self.layout]
        self.sheet.rows.append(row)
        shown = {k: _show(v) for k, v in over.items()}
        self.placements.append(Placement(p, len(self.sheet.rows), shown))

    def _value(self, f: str, p: Person, extra: dict[str, str], over: dict[str, object]) -> Cell:
        st = self.style
        ref = reference()
        det = p.detention
        rec = p.recorded
        if f == "seq":
            return self.seq
        if f == "name":
            name = over.get("name", p.name)
            return name.written(st.separator)  # type: ignore[attr-defined]
        if f == "sex":
            return "男" if rec_sex(p) == "M" else "女"
        if f == "ethnicity":
            return ref.ethnicities[p.ethnicity].variants[st.ethnicity_variant]
        if f == "id_number":
            if st.id_numeric and self.rng.random() < st.id_numeric and _exact_float(p.id_number):
                return int(p.id_number)
            return ("\t" if st.id_tab else "") + p.id_number
        if f == "birth_date":
            b = over.get("birth_date", rec.get("birth_date", p.birth_date))
            assert isinstance(b, date)
            return format_date(b, st.dates)
        if f == "address":
            return p.address(st.full_address)
        if f == "group":
            return f"{p.group}组"
        if f == "household":
            return p.household[-4:]
        if f == "relation":
            return p.relation_to_head
        if f == "reason":
            return det.reason if det else ""
        if f == "facility":
            return det.facility if det else ""
        if f == "detention_date":
            return format_date(det.date, st.dates) if det else ""
        if f == "family":
            return "；".join(
                f"{RELATION_ZH[rel]}：{o.name.written(st.separator)}" for rel, o in p.family()
            )
        return extra.get(f, "")

    def finish(self, footer: str) -> Sheet:
        width = len(self.layout)
        if self.rng.random() < 0.5:
            self.sheet.rows.append([None] * width)
        self._merged_row(footer, width)
        self._merged_row(SYNTHETIC_NOTE, width)
        return self.sheet


def rec_sex(p: Person) -> str:
    """The sex the records show (differs from the ID for ``id_sex_mismatch``)."""
    return p.recorded.get("sex", p.sex)  # type: ignore[return-value]


def _show(v: object) -> str:
    if isinstance(v, date):
        return f"{v:%Y-%m-%d}"
    chinese = getattr(v, "chinese", None)
    return chinese if isinstance(chinese, str) else str(v)


def _exact_float(number: str) -> bool:
    """Whether a spreadsheet number cell (a float) holds this ID without losing digits."""
    return number.isdigit() and int(float(number)) == int(number)
