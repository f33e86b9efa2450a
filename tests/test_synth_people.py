"""``guwah synth --people COUNT`` and ``--scale xl``: more people in the rosters, the same
photos (issue 21 item 4). The people are counted where users meet them: in the records
``guwah records`` builds from the generated spreadsheets."""

from __future__ import annotations

import json
from pathlib import Path

from guwah.case import Case
from guwah.ingest.executor import SerialExecutor
from guwah.ingest.pipeline import ingest
from guwah.records.stage import build_records
from guwah.synth import generate
from guwah.synth.plan import SCALE_PEOPLE, make_plan, parse_scale
from tests.conftest import run_cli


def test_a_people_count_scales_the_people_in_the_rosters_not_the_photos(tmp_path: Path) -> None:
    plain = generate(tmp_path / "plain", seed=2, scale="small")
    more = generate(tmp_path / "more", seed=2, scale="small", people=3000)
    assert plain.n_people < 2000
    assert more.n_people >= 3000
    assert more.counts["photos"] == plain.counts["photos"]
    truth = json.loads(more.truth.read_text(encoding="utf-8"))
    assert truth["generator"]["people"] == 3000
    case = Case.init(tmp_path / "case")
    ingest(case, [more.out], executor=SerialExecutor())
    stats = build_records(case)
    assert stats.people >= 3000
    assert stats.records >= 3000


def test_without_a_count_the_leak_is_the_same_bytes(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", seed=4, scale=60)
    b = generate(tmp_path / "b", seed=4, scale=60, people=None)
    files = sorted(p.relative_to(a.out) for p in a.out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b.out) for p in b.out.rglob("*") if p.is_file())
    for f in files:
        assert (a.out / f).read_bytes() == (b.out / f).read_bytes()
    assert "people" not in json.loads(a.truth.read_text(encoding="utf-8"))["generator"]


def test_xl_plans_a_million_people_on_the_large_leak() -> None:
    assert parse_scale("xl") == parse_scale("large")
    assert SCALE_PEOPLE["xl"] == 1_000_000
    plan = make_plan(1, parse_scale("xl"), 0.03, SCALE_PEOPLE["xl"])
    detainees = sum(plan.county_detainees.values())
    assert plan.residents_per_detainee * detainees >= 1_000_000
    assert make_plan(1, parse_scale("large"), 0.03).county_detainees == plan.county_detainees


def test_the_command_takes_a_people_count(tmp_path: Path) -> None:
    run_cli("synth", tmp_path / "leak", "--scale", "60", "--people", "400")
    truth = json.loads((tmp_path / "leak.truth.json").read_text(encoding="utf-8"))
    assert truth["generator"]["people"] == 400
    assert truth["summary"]["n_people"] >= 400
