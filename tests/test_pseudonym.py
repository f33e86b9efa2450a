"""Redaction of names and ID numbers in every kind of output, over a real (SQLite) case."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from guwah.access.pseudonym import Pseudonymiser, for_case, mask_id
from guwah.case import Case
from guwah.store.models import Person

ID = "653121198001010011"  # a synthetic number: region 653121, born 1980


@pytest.fixture
def pseudo(tmp_path: Path) -> Pseudonymiser:
    case = Case.init(tmp_path / "case")
    with case.sessions() as s:
        s.add_all(
            [
                Person(id=1, name="买买提·艾力", id_number=ID, method="id_number"),
                Person(id=2, name="Ali", method="single"),
                Person(id=3, name="阿依古丽", method="single"),
            ]
        )
        s.commit()
    return for_case(case)


def test_names_become_stable_pseudonyms_and_id_numbers_keep_region_and_year(
    pseudo: Pseudonymiser,
) -> None:
    out = pseudo.redact(f"买买提·艾力（{ID}）与阿依古丽同住")
    assert "买买提" not in out and "阿依古丽" not in out and ID not in out
    assert out.count(pseudo.of_person(1)) == 1 and pseudo.of_person(3) in out
    assert "6531211980********" in out
    assert pseudo.redact("买买提·艾力") == pseudo.of_person(1)  # the same every time


def test_a_latin_name_only_as_a_whole_word(pseudo: Pseudonymiser) -> None:
    assert pseudo.redact("Ali went to Kashgar") == f"{pseudo.of_person(2)} went to Kashgar"
    for word in ("Alimjan", "Alibaba", "align-items", "Bali"):
        assert pseudo.redact(word) == word


def test_digests_are_not_taken_for_id_numbers() -> None:
    digest = "ab" + "6531211980010100119" + "c" * 43  # 18 digits inside a SHA-256
    assert len(digest) == 64 and mask_id(digest) == digest
    assert mask_id(f"sha {digest} id {ID}") == f"sha {digest} id 6531211980********"


def test_html_text_and_attributes_redacted_markup_kept(pseudo: Pseudonymiser) -> None:
    html = (
        "<html><head><style>.Ali{align-items:center}</style></head><body>"
        f'<a href="/search?q=阿依古丽" title="Ali">Ali, {ID}</a><!-- 阿依古丽 --></body></html>'
    )
    out = pseudo.redact_html(html)
    assert "阿依古丽" not in out and ID not in out  # in a comment too
    assert f'title="{pseudo.of_person(2)}"' in out and f"q={pseudo.of_person(3)}" in out
    assert "<style>.Ali{align-items:center}</style>" in out  # style is not text
    assert out.startswith("<html><head>") and out.endswith("</body></html>")


def test_csv_cells_redacted_birth_dates_kept_as_years(
    pseudo: Pseudonymiser, tmp_path: Path
) -> None:
    path = tmp_path / "t.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerows(
            [
                ["person", "name", "birth_date", "note"],
                ["1", "买买提·艾力", "1980-01-01", f"ID {ID}"],
            ]
        )
    pseudo.redact_csv(path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # still opens in a spreadsheet
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [
        ["person", "name", "birth_date", "note"],
        [pseudo.of_person(1), pseudo.of_person(1), "1980", "ID 6531211980********"],
    ]
