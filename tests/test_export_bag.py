"""The evidence package: a real BagIt bag checked by bagit-python's own validator, and an RFC
3161 time-stamp from a local test authority made with ``openssl ts``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import select

from guwah.case import Case
from guwah.ingest.executor import ProcessExecutor
from guwah.ingest.pipeline import ingest
from guwah.records.stage import build_records
from guwah.store.models import CustodyEvent, Item, Person, PersonName, PersonSource
from guwah.store.models_access import AuditEvent
from guwah.verify.stage import run_checks
from tests.conftest import run_cli, write_small_leak

BAGIT = Path(sys.executable).parent / "bagit.py"
CAFE_NFC = unicodedata.normalize("NFC", "café.txt")
CAFE_NFD = unicodedata.normalize("NFD", "café.txt")
REPORT_TEXT = "关于测试甲（360426199101010071）的情况：2018年3月送教培。\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Case, Path]:
    root = tmp_path_factory.mktemp("bag")
    leak = write_small_leak(root / "leak")
    (leak / CAFE_NFC).write_text("one café\n", encoding="utf-8")
    (leak / CAFE_NFD).write_text("another café\n", encoding="utf-8")
    (leak / "报告.txt").write_text(REPORT_TEXT, encoding="utf-8")  # the listed person, named
    case = Case.init(root / "case", custodian="A. Researcher")
    executor = ProcessExecutor(workers=2)
    try:
        ingest(case, [leak], executor=executor)
        build_records(case)
        run_checks(case, executor=executor)
    finally:
        executor.close()
    return case, leak


@pytest.fixture(scope="module")
def bag(built: tuple[Case, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    case, _ = built
    out = tmp_path_factory.mktemp("out") / "evidence"
    run_cli("export", "bag", out, "--case", case.root)
    return out


def test_bagit_python_validates_the_bag(bag: Path) -> None:
    r = subprocess.run([BAGIT, "--validate", bag], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (bag / "manifest-sha256.txt").exists() and (bag / "manifest-sha512.txt").exists()


def test_originals_are_under_their_names_byte_for_byte(built: tuple[Case, Path], bag: Path) -> None:
    _, leak = built
    photo = next((leak / "photos").iterdir())
    assert (bag / "data/originals/leak/photos" / photo.name).read_bytes() == photo.read_bytes()
    inner = bag / "data/originals/leak/bundle.zip!/docs/inner.zip!/inner/readme.txt"
    assert inner.read_text() == "inner file"  # a member of a nested archive, by its path
    cafes = sorted(p.name for p in (bag / "data/originals/leak").glob("caf*"))
    assert cafes == sorted([CAFE_NFC, "café (2).txt"]), cafes  # NFC, the clash numbered
    assert all(unicodedata.is_normalized("NFC", n) for n in cafes)


def test_items_custody_findings_and_records_travel_with_the_bag(
    built: tuple[Case, Path], bag: Path
) -> None:
    case, _ = built
    items = json.loads((bag / "data/items.json").read_text())
    with case.sessions() as s:
        assert {i["sha256"] for i in items} == set(s.scalars(select(Item.sha256)))
        exported = s.scalars(
            select(CustodyEvent.item_sha256).where(CustodyEvent.event == "exported")
        ).all()
    assert set(exported) == {i["sha256"] for i in items}
    events = [json.loads(x) for x in (bag / "data/custody/events.jsonl").read_text().splitlines()]
    assert {"received", "stored", "exported"} <= {e["event"] for e in events}
    head = (bag / "data/custody/head.txt").read_text().strip()
    assert head == events[-1]["hash"]
    info = (bag / "bag-info.txt").read_text()
    assert f"Guwah-Custody-Head: {head}" in info and "Bag-Software-Agent: guwah" in info
    findings = json.loads((bag / "data/findings/findings.json").read_text())
    assert findings and all(f["items"] for f in findings)
    assert (bag / "data/findings/report.html").read_text().lower().startswith("<!doctype html>")
    records = (bag / "data/records/records.csv").read_text(encoding="utf-8-sig")
    assert "360426199101010071" in records
    assert "bagit.py --validate" in (bag / "data/README.txt").read_text()


def test_the_case_vouches_for_its_bag_and_not_for_a_tampered_one(
    built: tuple[Case, Path], bag: Path, tmp_path: Path
) -> None:
    case, _ = built
    ok = run_cli("custody", "verify", "--bag", bag, "--case", case.root)
    assert "every original is the case's" in ok.stdout
    bad = tmp_path / "tampered"
    shutil.copytree(bag, bad)
    items = json.loads((bad / "data/items.json").read_text())
    notes = next(i["bag_path"] for i in items if i["bag_path"].endswith("notes.txt"))
    (bad / notes).write_text("会议纪要 altered\n", encoding="utf-8")
    r = run_cli("custody", "verify", "--bag", bad, "--case", case.root, check=False)
    assert r.returncode == 1
    assert f"{notes}: not the case's original" in r.stdout
    assert subprocess.run([BAGIT, "--validate", bad], capture_output=True).returncode != 0


def test_selections(built: tuple[Case, Path], tmp_path: Path) -> None:
    case, _ = built
    with case.sessions() as s:
        person = s.scalars(select(PersonSource.person_id).where(PersonSource.kind == "record"))
        pid = person.first()
    run_cli("export", "bag", tmp_path / "p", "--person", pid, "--case", case.root)
    names = json.loads((tmp_path / "p/data/items.json").read_text())
    assert [n["paths"][0] for n in names] == ["leak/名单.csv"] or any(
        "名单.csv" in n["paths"][0] for n in names
    )
    listing = tmp_path / "list.txt"
    listing.write_text("# one\n" + "f" * 64 + "\n")
    r = run_cli(
        "export", "bag", tmp_path / "x", "--items", listing, "--case", case.root, check=False
    )
    assert r.returncode == 2 and "name no item of this case" in r.stderr
    assert not (tmp_path / "x").exists()
    r = run_cli("export", "bag", tmp_path / "p", "--case", case.root, check=False)
    assert r.returncode == 2 and "already exists" in r.stderr


def _openssl(*args: str | Path, cwd: Path) -> None:
    subprocess.run(["openssl", *map(str, args)], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local time-stamp authority: a CA and a TSA certificate for timeStamping."""
    d = tmp_path_factory.mktemp("tsa")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
             "ca.pem", "-subj", "/CN=guwah test TSA CA", "-days", "2", cwd=d)  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr",
             "-subj", "/CN=guwah test TSA", cwd=d)  # fmt: skip
    (d / "ext.cnf").write_text("extendedKeyUsage = critical,timeStamping\n")
    _openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "tsa.pem", "-days", "2", "-extfile", "ext.cnf", cwd=d)  # fmt: skip
    (d / "tsa.cnf").write_text(
        "[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\ndir = .\nserial = ./serial\n"
        "crypto_device = builtin\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\n"
        "digests = sha256\naccuracy = secs:1\nordering = yes\ntsa_name = yes\n"
        "ess_cert_id_chain = no\ness_cert_id_alg = sha256\n"
    )
    (d / "serial").write_text("01\n")
    return d


def _reply(tsa: Path, query: Path, out: Path) -> Path:
    _openssl("ts", "-reply", "-config", "tsa.cnf", "-queryfile", query, "-signer", "tsa.pem",
             "-inkey", "tsa.key", "-out", out, cwd=tsa)  # fmt: skip
    return out


def test_a_time_stamp_from_an_authority_proves_the_bag(
    bag: Path, tsa: Path, tmp_path: Path
) -> None:
    query = bag.with_name(bag.name + ".tsq")
    resp = _reply(tsa, query, tmp_path / "resp.tsr")
    ok = run_cli("export", "verify-timestamp", bag, resp)
    assert "Time-stamp valid" in ok.stdout and "guwah test TSA" in ok.stdout
    # the real program agrees
    _openssl("ts", "-verify", "-data", bag / "tagmanifest-sha256.txt", "-in", resp, "-CAfile",
             "ca.pem", "-untrusted", "tsa.pem", cwd=tsa)  # fmt: skip

    # a changed tag manifest is no longer what was stamped
    copy = tmp_path / bag.name
    shutil.copytree(bag, copy)
    shutil.copy(query, copy.with_name(copy.name + ".tsq"))
    with (copy / "tagmanifest-sha256.txt").open("a") as fh:
        fh.write("0" * 64 + "  extra.txt\n")
    r = run_cli("export", "verify-timestamp", copy, resp, check=False)
    assert r.returncode == 1 and "another digest" in r.stderr

    # an answer to another request (other nonce, other digest) does not count
    other = tmp_path / "other.tsq"
    _openssl("ts", "-query", "-data", query, "-sha256", "-cert", "-out", other, cwd=tsa)
    r = run_cli(
        "export", "verify-timestamp", bag, _reply(tsa, other, tmp_path / "o.tsr"), check=False
    )
    assert r.returncode == 1 and "NOT valid" in r.stderr

    # a forged signature does not verify
    raw = bytearray(resp.read_bytes())
    raw[-10] ^= 0xFF  # inside the signature, the last field of the token
    forged = tmp_path / "forged.tsr"
    forged.write_bytes(bytes(raw))
    r = run_cli("export", "verify-timestamp", bag, forged, check=False)
    assert r.returncode == 1 and "signature does not verify" in r.stderr


def test_a_pseudonymised_package_names_no_one(built: tuple[Case, Path], tmp_path: Path) -> None:
    """For readers who must not learn who is who: no originals, every name the records know
    and every ID number gone from every file (paths, sheets, texts, findings, report,
    custody), photos blurred without metadata; the case still vouches for it."""
    case, leak = built
    out = tmp_path / "shared"
    r = run_cli("export", "bag", out, "--pseudonymise", "--case", case.root)
    assert "pseudonymised copies of" in r.stdout
    assert subprocess.run([BAGIT, "--validate", out], capture_output=True).returncode == 0
    assert not (out / "data/originals").exists()
    with case.sessions() as s:
        names = {n for n in s.scalars(select(PersonName.name)) if len(n) >= 2}
        ids = {i for i in s.scalars(select(Person.id_number)) if i}
    assert "测试甲" in names and "360426199101010071" in ids
    ids |= {p.name.split("_")[0] for p in (leak / "photos").iterdir()}  # in the file names
    for f in out.rglob("*"):
        if f.is_file():
            text = f.read_bytes().decode("utf-8", "replace")
            leaked = [x for x in names | ids if x in text]
            assert not leaked, (f.relative_to(out), leaked)
    items = {i["sha256"]: i for i in json.loads((out / "data/items.json").read_text())}
    with case.sessions() as s:
        assert set(items) == set(s.scalars(select(Item.sha256)))
        photos = s.scalars(select(Item.sha256).where(Item.mime == "image/jpeg")).all()
    for sha in photos:
        (copy,) = items[sha]["derived"]
        assert copy["kind"] == "photo, faces blurred" and copy["whole_image_blurred"]
        blurred = (out / copy["bag_path"]).read_bytes()
        assert blurred.startswith(b"\xff\xd8") and b"Exif" not in blurred[:200]
        assert "6531211980********" in items[sha]["paths"][0]  # the ID in its name, masked
        assert "/6531211980########_" in copy["bag_path"]  # a name Windows can hold too
    report = next(i for i in items.values() if i["paths"][0].endswith("报告.txt"))
    text = (out / report["derived"][0]["bag_path"]).read_text(encoding="utf-8")
    assert "3604261991********" in text and re.search(r"P-[A-Z2-7]{8}（", text)
    sheet = next(i for i in items.values() if "名单.csv" in i["paths"][0])
    rows = (out / sheet["derived"][0]["bag_path"]).read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "姓名,身份证号" and re.fullmatch(r"P-[A-Z2-7]{8},3604261991\*{8}", rows[1])
    assert any("withheld" in i for i in items.values())  # the archives: nothing of their own
    assert "NOT the" in (out / "data/README.txt").read_text()
    assert "Guwah-Pseudonymised: yes" in (out / "bag-info.txt").read_text()
    ok = run_cli("custody", "verify", "--bag", out, "--case", case.root)
    assert "every original is the case's" in ok.stdout
    with case.sessions() as s:
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert any(a.details.get("pseudonymised") and a.target == str(out.resolve()) for a in audit)
