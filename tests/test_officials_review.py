"""Reviewers' merge, split and confirm on the officials registry: stored, on the custody log,
re-applied by every `guwah officials build`; and the migration that adds their table, both
ways on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, select, text

from guwah.case import Case
from guwah.officials.stage import build
from guwah.store.models import CustodyEvent
from guwah.store.models_officials import Official, OfficialMention, OfficialPost

from .conftest import pg_database, run_cli
from .test_migrations import alembic_cfg
from .test_officials import ORDER, _case_with

FILES = {
    # 王伟 of 疏附县 in two documents, 王伟 of 特克斯县 in one: the build keeps them two
    "a/order.txt": ORDER.replace("朱马别克·阿尔曼", "王伟")
    + "\n疏附县公安局副局长王伟同志负责。\n",
    "b/order.txt": "关于照片采集的通知\n特公发〔2018〕7号\n各乡镇派出所：\n"
    "特克斯县公安局副局长王伟同志负责督导。\n\n特克斯县公安局\n2018年3月2日\n",
    "c/minutes.txt": "会议纪要\n疏附县公安局副局长王伟同志汇报了工作。\n\n疏附县公安局\n2018年5月2日\n",
}


@pytest.fixture
def case(tmp_path: Path) -> Case:
    c = _case_with(tmp_path, FILES)
    build(c)
    return c


def _wangs(case: Case) -> dict[str, Official]:
    with case.sessions() as s:
        offs = s.scalars(select(Official).where(Official.name == "王伟")).all()
        for o in offs:
            s.expunge(o)
    return {o.jurisdiction: o for o in offs}


def _places(case: Case, official_id: int) -> set[tuple[str, int | None, int, int]]:
    with case.sessions() as s:
        return {
            (m.sha256, m.page_no, m.start, m.end)
            for m in s.scalars(
                select(OfficialMention).where(OfficialMention.official_id == official_id)
            )
        }


def _events(case: Case, event: str) -> list[dict[str, object]]:
    with case.sessions() as s:
        return [
            e.details
            for e in s.scalars(
                select(CustodyEvent).where(CustodyEvent.event == event).order_by(CustodyEvent.seq)
            )
        ]


def test_merge_is_stored_logged_and_survives_a_rebuild(case: Case) -> None:
    wangs = _wangs(case)
    shufu, tekes = wangs["疏附县"], wangs["特克斯县"]
    both = _places(case, shufu.id) | _places(case, tekes.id)
    out = run_cli(
        "officials",
        "merge",
        shufu.id,
        tekes.id,
        "--reason",
        "one deputy chief, moved from Tekes",
        "--reviewer",
        "A. Reviewer",
        "--case",
        case.root,
    )
    assert "Merged 1 official(s)" in out.stdout
    after = _wangs(case)
    assert list(after) == ["疏附县"] and after["疏附县"].key == shufu.key
    merged = after["疏附县"]
    assert _places(case, merged.id) == both and merged.n_documents == 3
    with case.sessions() as s:
        posts = s.scalars(select(OfficialPost).where(OfficialPost.official_id == merged.id))
        assert {(p.unit, p.title) for p in posts} == {
            ("疏附县公安局", "副局长"),
            ("特克斯县公安局", "副局长"),
        }
    (ev,) = _events(case, "official_merged")
    assert ev["reason"] == "one deputy chief, moved from Tekes" and ev["reviewer"] == "A. Reviewer"
    assert ev["official"] == shufu.key and ev["merged"] == [tekes.key]

    rebuilt = run_cli("officials", "build", "--case", case.root).stdout
    assert "Re-applied 1 reviewer decision" in rebuilt  # a rebuild renumbers, merges again
    again = _wangs(case)
    assert list(again) == ["疏附县"] and again["疏附县"].key == shufu.key
    assert _places(case, again["疏附县"].id) == both and again["疏附县"].n_documents == 3


def test_split_moves_mentions_to_a_new_official_and_survives_a_rebuild(case: Case) -> None:
    shufu = _wangs(case)["疏附县"]
    assert shufu.n_documents == 2
    with case.sessions() as s:
        ms = s.scalars(
            select(OfficialMention)
            .where(OfficialMention.official_id == shufu.id)
            .order_by(OfficialMention.id)
        ).all()
        minutes = [m for m in ms if "汇报" in m.sentence]
        moved = {(m.sha256, m.page_no, m.start, m.end) for m in minutes}
        ids = ",".join(str(m.id) for m in minutes)
    assert moved
    listing = run_cli("officials", "mentions", shufu.id, "--case", case.root).stdout
    assert all(i in listing for i in ids.split(",")) and "sha256:" in listing
    run_cli(
        "officials",
        "split",
        shufu.id,
        "--mentions",
        ids,
        "--reason",
        "a namesake",
        "--case",
        case.root,
    )

    def check() -> None:
        with case.sessions() as s:
            offs = s.scalars(
                select(Official).where(Official.name == "王伟", Official.jurisdiction == "疏附县")
            ).all()
            assert len(offs) == 2
            new = next(o for o in offs if "#split-" in o.key)
            old = next(o for o in offs if o.key == shufu.key)
            assert _places(case, new.id) == moved
            assert not _places(case, old.id) & moved and old.n_documents == 1
            assert new.n_documents == 1 and new.n_mentions == len(moved)
            post = s.scalar(select(OfficialPost).where(OfficialPost.official_id == new.id))
            assert post is not None and post.date_from == "2018-05-02"

    check()
    (ev,) = _events(case, "official_split")
    assert ev["reason"] == "a namesake" and len(ev["mentions"]) == len(moved)  # type: ignore[arg-type]
    stats = build(case)
    assert stats.reviews == 1 and stats.unapplied == 0
    check()


def test_confirm_survives_a_rebuild(case: Case) -> None:
    tekes = _wangs(case)["特克斯县"]
    assert tekes.status == "auto"
    run_cli("officials", "confirm", tekes.id, "--reason", "roster 2018", "--case", case.root)
    assert _wangs(case)["特克斯县"].status == "confirmed"
    build(case)
    assert _wangs(case)["特克斯县"].status == "confirmed"
    assert _events(case, "official_confirmed")[0]["official"] == tekes.key
    assert _wangs(case)["疏附县"].status == "auto"  # the other one is untouched


def test_decisions_in_order_merge_after_split(case: Case) -> None:
    """A split, then a merge of the split-off official into the Tekes one: a rebuild
    replays both, in that order."""
    wangs = _wangs(case)
    with case.sessions() as s:
        m = s.scalars(
            select(OfficialMention).where(OfficialMention.official_id == wangs["疏附县"].id)
        ).first()
        assert m is not None
        place = (m.sha256, m.page_no, m.start, m.end)
    run_cli("officials", "split", wangs["疏附县"].id, "--mentions", m.id, "--case", case.root)
    with case.sessions() as s:
        new = s.scalar(select(Official).where(Official.key.like("%#split-%")))
        assert new is not None
        new_id = new.id
    run_cli("officials", "merge", wangs["特克斯县"].id, new_id, "--case", case.root)
    for _ in range(2):
        tekes = _wangs(case)["特克斯县"]
        assert place in _places(case, tekes.id) and tekes.n_documents == 2
        assert place not in _places(case, _wangs(case)["疏附县"].id)
        assert build(case).reviews == 2


def test_bad_decisions_are_refused_and_nothing_stored(case: Case) -> None:
    wangs = _wangs(case)
    shufu, tekes = wangs["疏附县"], wangs["特克斯县"]
    with case.sessions() as s:
        theirs = s.scalars(
            select(OfficialMention.id).where(OfficialMention.official_id == tekes.id)
        ).all()
        mine = s.scalars(
            select(OfficialMention.id).where(OfficialMention.official_id == shufu.id)
        ).all()
    bad = [
        (("merge", shufu.id), "two officials or more"),
        (("merge", shufu.id, 999999), "no official with id 999999"),
        (("split", shufu.id, "--mentions", theirs[0]), "is not one of official"),
        (("split", shufu.id, "--mentions", ",".join(map(str, mine))), "every mention"),
        (("split", shufu.id, "--mentions", "a,b"), "ids separated by commas"),
        (("confirm", 999999), "no official with id 999999"),
    ]
    for args, message in bad:
        out = run_cli("officials", *args, "--case", case.root, check=False)
        assert out.returncode != 0, args
        assert message in " ".join((out.stdout + out.stderr).split()), (args, out.stderr)
    with case.sessions() as s:
        assert s.execute(text("SELECT count(*) FROM official_reviews")).scalar() == 0
    assert _events(case, "official_merged") == [] and _events(case, "official_split") == []
    assert set(_wangs(case)) == {"疏附县", "特克斯县"}


def _walk_reviews_migration(url: str) -> None:
    """Up to officials_1 with an official in it; officials_2 adds official_reviews (a row
    goes in and out, JSON intact); down again drops only that table; up once more."""
    cfg = alembic_cfg(url)
    engine = create_engine(url)
    command.upgrade(cfg, "officials_1")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO officials (id, name, key, jurisdiction, names, rank, n_mentions, "
                "n_documents, source, sources, status, created_at) VALUES (1, '王伟', "
                "'王伟|疏附县', '疏附县', '[\"王伟\"]', 0, 1, 1, 'leak', '[]', 'auto', "
                "'2026-12-03 07:00:00')"
            )
        )
    before = set(inspect(engine).get_table_names())
    command.upgrade(cfg, "officials_2")
    assert set(inspect(engine).get_table_names()) == before | {"official_reviews"}
    cols = {c["name"] for c in inspect(engine).get_columns("official_reviews")}
    assert cols == {
        "id",
        "action",
        "official_key",
        "keys",
        "mentions",
        "new_key",
        "reason",
        "reviewer",
        "at",
    }
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO official_reviews (action, official_key, keys, mentions, new_key, "
                "reason, reviewer, at) VALUES ('merge', '王伟|疏附县', :keys, '[]', '', "
                "'same man', 'A. Reviewer', '2026-12-03 07:00:00')"
            ),
            {"keys": json.dumps(["王伟|特克斯县"], ensure_ascii=False)},
        )
        keys = conn.execute(text("SELECT keys FROM official_reviews")).scalar()
    assert (json.loads(keys) if isinstance(keys, str) else keys) == ["王伟|特克斯县"]
    command.downgrade(cfg, "officials_1")
    assert set(inspect(engine).get_table_names()) == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT key FROM officials")).scalar() == "王伟|疏附县"
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM official_reviews")).scalar() == 0
    engine.dispose()


def test_reviews_migration_both_ways_on_sqlite(tmp_path: Path) -> None:
    _walk_reviews_migration(f"sqlite:///{tmp_path / 'walk.db'}")


@pytest.fixture
def pg_reviews_url(pg_url: str) -> Iterator[str]:
    yield pg_database(pg_url, "guwah_official_reviews").replace(
        "postgresql://", "postgresql+psycopg://"
    )


def test_reviews_migration_both_ways_on_postgresql(pg_reviews_url: str) -> None:
    _walk_reviews_migration(pg_reviews_url)
