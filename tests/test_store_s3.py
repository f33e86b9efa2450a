"""The evidence store on object storage, against a real S3-compatible server on loopback.

moto's ThreadedMotoServer is started here on 127.0.0.1 with a free port; guwah talks to it
over HTTP through s3fs exactly as it would to AWS or MinIO, and the tests reach into the
bucket with boto3 (as an intruder or a failing disk would) — nothing of guwah is mocked.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import socket
import sqlite3
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from guwah.case import Case, CaseError
from guwah.config import ConfigError, Limits, Settings
from guwah.ingest.extractors.libreoffice import case_root_for, derived_pdf_for
from guwah.ingest.pipeline import STORE_FAILURES_TO_STOP, StoreUnavailable, ingest
from guwah.ingest.tasks import ExtractTask, extract_task, object_store
from guwah.store.blobs import EvidenceConflict, EvidenceCorrupt, StoreError
from guwah.store.cache import ReadCache
from guwah.store.custody import verify
from guwah.store.objects import ObjectStore
from tests.conftest import jpeg_bytes, run_cli, write_small_leak


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class S3Server:
    """moto in server mode on loopback; stop() and start() keep its buckets (in memory)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: ThreadedMotoServer | None = None

    def start(self) -> None:
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    server = S3Server()
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials the way a user gives them: the AWS variables (moto accepts any)."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "guwah-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "guwah-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def client(s3: S3Server) -> Any:
    return boto3.client("s3", endpoint_url=s3.url, region_name="us-east-1")


@pytest.fixture
def bucket(s3: S3Server) -> str:
    name = f"leak-{uuid.uuid4().hex[:12]}"
    client(s3).create_bucket(Bucket=name)
    return name


def s3_case(tmp_path: Path, s3: S3Server, bucket: str, name: str = "case", **toml: Any) -> Case:
    case = Case.init(
        tmp_path / name, evidence=f"s3://{bucket}/{name}", evidence_endpoint_url=s3.url
    )
    if toml:
        text = (case.root / "guwah.toml").read_text()
        for key, value in toml.items():
            text, n = re.subn(rf"^{key} = .*$", f"{key} = {json.dumps(value)}", text, flags=re.M)
            assert n == 1, key
        (case.root / "guwah.toml").write_text(text)
        case = Case.open(case.root)
    return case


def objects(s3: S3Server, bucket: str, prefix: str) -> dict[str, bytes]:
    c = client(s3)
    listed = c.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return {o["Key"]: c.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


def item_shas(case: Case) -> list[tuple[str, str]]:
    db = sqlite3.connect(case.root / "guwah.db")
    rows = db.execute("SELECT sha256, status FROM items ORDER BY sha256").fetchall()
    db.close()
    return rows


def occurrences(case: Case) -> list[tuple[str, str | None, str, str | None]]:
    db = sqlite3.connect(case.root / "guwah.db")
    rows = db.execute(
        "SELECT o.path, i.sha256, o.status, o.error_cause FROM occurrences o "
        "LEFT JOIN items i ON i.id = o.item_id ORDER BY o.path"
    ).fetchall()
    db.close()
    return rows


def custody_events(case: Case, event: str) -> list[tuple[str, str]]:
    db = sqlite3.connect(case.root / "guwah.db")
    rows = db.execute(
        "SELECT item_sha256, details FROM custody_events WHERE event = ? ORDER BY seq", (event,)
    ).fetchall()
    db.close()
    return rows


def temporaries(case: Case) -> list[Path]:
    """Uploads and downloads left half-done in the case's tmp/."""
    return [*(case.root / "tmp").glob("blob-*"), *(case.root / "tmp").glob("fetch-*")]


# --- a case whose originals are on the bucket --------------------------------------------


def test_a_leak_ingested_to_a_bucket_verifies_and_matches_a_local_case(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    leak = write_small_leak(tmp_path / "leak")
    case_dir = tmp_path / "case"
    run_cli("init", case_dir, "--evidence", f"s3://{bucket}/xpf", "--evidence-endpoint-url", s3.url)
    assert f'evidence = "s3://{bucket}/xpf"' in (case_dir / "guwah.toml").read_text()
    run_cli("ingest", leak, "--case", case_dir)
    proc = run_cli("custody", "verify", "--case", case_dir, "--json")
    report = json.loads(proc.stdout)
    assert report["ok"] is True and report["items"] >= 8, report

    case = Case.open(case_dir)
    held = objects(s3, bucket, "xpf/")
    shas = [sha for sha, _ in item_shas(case)]
    assert sorted(held) == sorted(f"xpf/{s[:2]}/{s[2:4]}/{s}" for s in shas)
    for key, data in held.items():  # every object is the original of its key
        assert hashlib.sha256(data).hexdigest() == key.rsplit("/", 1)[-1]
    assert not any((case_dir / "evidence").iterdir())  # nothing kept in the local store

    local = Case.init(tmp_path / "local")
    run_cli("ingest", leak, "--case", local.root)
    assert item_shas(case) == item_shas(local)  # same items, same outcomes (text, photos)
    assert occurrences(case) == occurrences(local)


def test_a_dask_cluster_ingests_to_a_bucket_with_the_items_of_the_local_pool(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    """Server mode's two halves together: originals on the bucket, extraction on a Dask
    cluster (a LocalCluster of two worker processes) — the items and occurrences of the
    process pool on local disk, and custody verifies against the bucket."""
    leak = write_small_leak(tmp_path / "leak")
    case_dir = tmp_path / "case"
    run_cli(
        "init", case_dir, "--evidence", f"s3://{bucket}/dask", "--evidence-endpoint-url", s3.url
    )
    run_cli("ingest", leak, "--case", case_dir, "--executor", "dask-local:2")
    report = json.loads(run_cli("custody", "verify", "--case", case_dir, "--json").stdout)
    assert report["ok"] is True and report["items"] >= 8, report
    local = Case.init(tmp_path / "local")
    run_cli("ingest", leak, "--case", local.root)
    assert item_shas(Case.open(case_dir)) == item_shas(local)
    assert occurrences(Case.open(case_dir)) == occurrences(local)


def test_verify_names_altered_missing_and_stray_objects(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    case = s3_case(tmp_path, s3, bucket)
    ingest(case, [write_small_leak(tmp_path / "leak")])
    shas = sorted(sha for sha, _ in item_shas(case))
    altered, removed = shas[0], shas[1]
    c = client(s3)
    c.put_object(Bucket=bucket, Key=f"case/{altered[:2]}/{altered[2:4]}/{altered}", Body=b"x")
    c.delete_object(Bucket=bucket, Key=f"case/{removed[:2]}/{removed[2:4]}/{removed}")
    c.put_object(Bucket=bucket, Key="case/ab/stray.bin", Body=b"planted")

    proc = run_cli("custody", "verify", "--case", case.root, "--json", check=False)
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert [line.split(":")[0] for line in report["tampered"]] == [altered]
    assert [line.split(":")[0] for line in report["missing"]] == [removed]
    assert report["unexpected"] == [
        f"s3://{bucket}/case/ab/stray.bin: an object in the store that no item accounts for"
    ]
    assert report["chain_breaks"] == []
    human = run_cli("custody", "verify", "--case", case.root, check=False)
    assert altered in human.stdout and removed in human.stdout and "NOT verified" in human.stdout


def test_verify_rehashes_the_bucket_not_the_cache(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    case = s3_case(tmp_path, s3, bucket)
    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / "a.txt").write_text("first record\n")
    ingest(case, [leak])
    ((sha, _),) = item_shas(case)
    assert case.blobs.path_for(sha).read_text() == "first record\n"  # a good cached copy
    # same size, other bytes: only hashing the object itself shows it
    client(s3).put_object(
        Bucket=bucket, Key=f"case/{sha[:2]}/{sha[2:4]}/{sha}", Body=b"FIRST RECORD\n"
    )
    with case.sessions() as session:
        report = verify(session, case.blobs)
    assert not report.ok and [t.split(":")[0] for t in report.tampered] == [sha]


# --- written once ------------------------------------------------------------------------


def test_other_bytes_under_an_existing_key_are_an_alarm_and_not_overwritten(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    case = s3_case(tmp_path, s3, bucket)
    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / "order.txt").write_text("转移名单 transfer list\n")
    (leak / "other.txt").write_text("an unrelated note\n")
    sha = hashlib.sha256((leak / "order.txt").read_bytes()).hexdigest()
    key = f"case/{sha[:2]}/{sha[2:4]}/{sha}"
    client(s3).put_object(Bucket=bucket, Key=key, Body=b"someone else's bytes")

    with pytest.raises(EvidenceConflict, match="ALARM: .* already holds other bytes"):
        case.blobs.put_file(leak / "order.txt")
    ingest(case, [leak])

    assert objects(s3, bucket, key)[key] == b"someone else's bytes"  # never overwritten
    occ = {path: (s, status, cause) for path, s, status, cause in occurrences(case)}
    assert occ["order.txt"] == (None, "error", "store_conflict")
    assert occ["other.txt"][2] is None  # the run went on
    assert sha not in [s for s, _ in item_shas(case)]
    ((alarm, details),) = custody_events(case, "store_conflict")
    assert alarm == sha and json.loads(details)["found"] == {"size": 20}
    proc = run_cli("custody", "verify", "--case", case.root, "--json", check=False)
    report = json.loads(proc.stdout)
    assert proc.returncode == 1 and report["unexpected"] == [
        f"s3://{bucket}/{key}: an object in the store that no item accounts for"
    ]
    assert not temporaries(case)


def test_an_archive_member_under_a_conflicting_key_is_an_alarm_and_the_rest_is_read(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    case = s3_case(tmp_path, s3, bucket)
    leak = tmp_path / "leak"
    leak.mkdir()
    order = "转移名单 inside the bundle\n".encode()
    with zipfile.ZipFile(leak / "bundle.zip", "w") as z:
        z.writestr("a/order.txt", order)
        z.writestr("a/other.txt", "kept\n")
    sha = hashlib.sha256(order).hexdigest()
    key = f"case/{sha[:2]}/{sha[2:4]}/{sha}"
    client(s3).put_object(Bucket=bucket, Key=key, Body=b"planted")

    ingest(case, [leak])  # the run goes on: the alarm does not block the ingest
    occ = {path: (s, status, cause) for path, s, status, cause in occurrences(case)}
    assert occ["bundle.zip!/a/order.txt"] == (None, "error", "store_conflict")
    assert occ["bundle.zip!/a/other.txt"][2] is None
    assert [s for s, _ in custody_events(case, "store_conflict")] == [sha]
    assert objects(s3, bucket, key)[key] == b"planted"
    ingest(case, [leak])  # a rerun ends too (the alarm stands until someone acts)
    assert len(item_shas(case)) == 2


def test_the_same_bytes_under_an_existing_key_are_a_no_op(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    case = s3_case(tmp_path, s3, bucket)
    data = jpeg_bytes(7)
    sha = hashlib.sha256(data).hexdigest()
    key = f"case/{sha[:2]}/{sha[2:4]}/{sha}"
    c = client(s3)
    c.put_object(Bucket=bucket, Key=key, Body=data)
    before = c.head_object(Bucket=bucket, Key=key)
    src = tmp_path / "photo.jpg"
    src.write_bytes(data)

    blob = case.blobs.put_file(src)
    assert blob.sha256 == sha and blob.new is False and blob.path.read_bytes() == data
    after = c.head_object(Bucket=bucket, Key=key)
    assert after["LastModified"] == before["LastModified"] and after["ETag"] == before["ETag"]
    fresh = s3_case(tmp_path, s3, bucket, name="again")  # a new store, a new upload
    assert fresh.blobs.put_file(src).new is True
    assert fresh.blobs.put_file(src).new is False


def test_a_multipart_upload_is_written_once_too(tmp_path: Path, s3: S3Server, bucket: str) -> None:
    case = s3_case(tmp_path, s3, bucket)
    store = case.blobs
    assert isinstance(store, ObjectStore)
    store.part_bytes = 5 << 20  # S3's smallest part: an 11 MiB file goes in three
    src = tmp_path / "scan.bin"
    src.write_bytes(b"".join(hashlib.sha512(b"%d" % i).digest() for i in range(180_000)))
    blob = store.put_file(src)
    key = f"case/{blob.sha256[:2]}/{blob.sha256[2:4]}/{blob.sha256}"
    head = client(s3).head_object(Bucket=bucket, Key=key)
    assert blob.new and head["ContentLength"] == src.stat().st_size
    assert head["ETag"].strip('"').endswith("-3")  # the multipart upload's ETag
    again = Case.open(case.root).blobs
    assert again.put_file(src).new is False  # read back whole, hashed: the same
    client(s3).put_object(Bucket=bucket, Key=key, Body=src.read_bytes()[:-1] + b"!")
    again = Case.open(case.root).blobs
    with pytest.raises(EvidenceConflict, match="other bytes"):
        again.put_file(src)


def test_endpoint_and_credentials_come_from_the_aws_variables(
    tmp_path: Path, s3: S3Server, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3.url)
    case = Case.init(tmp_path / "case", evidence=f"s3://{bucket}/env")
    src = tmp_path / "a.txt"
    src.write_text("from the environment\n")
    sha = case.blobs.put_file(src).sha256
    assert f"env/{sha[:2]}/{sha[2:4]}/{sha}" in objects(s3, bucket, "env/")
    settings = (case.root / "guwah.toml").read_text()
    assert 'evidence_endpoint_url = ""' in settings and "guwah-test" not in settings


# --- read back, verified ---------------------------------------------------------------


def test_a_read_that_does_not_hash_to_its_key_is_an_error(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    case = s3_case(tmp_path, s3, bucket)
    src = tmp_path / "register.csv"
    src.write_text("姓名,身份证号\n测试乙,650102199001010012\n", encoding="utf-8")
    sha = case.blobs.put_file(src).sha256
    key = f"case/{sha[:2]}/{sha[2:4]}/{sha}"
    client(s3).put_object(Bucket=bucket, Key=key, Body=src.read_bytes().replace(b"0012", b"0099"))

    reader = Case.open(case.root).blobs  # another process: nothing cached for it to trust
    assert isinstance(reader, ObjectStore)
    reader.cache.path(sha).unlink()  # the cached copy gone (evicted, or a new machine)
    with pytest.raises(EvidenceCorrupt, match="does not hash to its key"):
        reader.path_for(sha)
    assert not reader.cache.path(sha).exists() and not temporaries(case)

    client(s3).put_object(Bucket=bucket, Key=key, Body=src.read_bytes())  # restored
    assert reader.path_for(sha).read_bytes() == src.read_bytes()
    missing = "0" * 64
    assert not reader.path_for(missing).exists()  # like a local store: no such file
    assert not reader.path_for("../../etc/passwd").exists()


def test_a_pickled_store_reads_and_checks_on_its_own(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    """What a Dask worker receives: the store without its connection or what it checked."""
    case = s3_case(tmp_path, s3, bucket)
    src = tmp_path / "photo.jpg"
    src.write_bytes(jpeg_bytes(3))
    sha = case.blobs.put_file(src).sha256
    copy = pickle.loads(pickle.dumps(case.blobs))
    assert isinstance(copy, ObjectStore) and not copy._present
    copy.cache.path(sha).unlink()
    assert copy.path_for(sha).read_bytes() == src.read_bytes()
    key = f"case/{sha[:2]}/{sha[2:4]}/{sha}"
    client(s3).put_object(Bucket=bucket, Key=key, Body=b"\xff\xd8 not the photo")
    with pytest.raises(EvidenceConflict):
        pickle.loads(pickle.dumps(case.blobs)).put_file(src)


def test_a_worker_that_cannot_see_the_coordinators_path_reads_the_bucket(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    """A cluster worker on another machine gets the coordinator's cache path, which it does
    not have: the task's store fetches the original there, checked, and extracts it."""
    case = s3_case(tmp_path, s3, bucket)
    src = tmp_path / "notice.txt"
    src.write_text("关于加强管理的通知 notice\n", encoding="utf-8")
    sha = case.blobs.put_file(src).sha256
    task = ExtractTask(
        item_id=1,
        sha256=sha,
        path=str(tmp_path / "elsewhere" / sha),  # not on this "worker"
        mime="text/plain",
        limits=Limits(),
        ocr_languages="chi_sim",
        store=pickle.loads(pickle.dumps(object_store(case))),
    )
    outcome = extract_task(task)
    assert outcome.status == "ok", outcome
    assert (
        outcome.extraction is not None and "关于加强管理的通知" in outcome.extraction.pages[0].text
    )


def test_readers_find_the_case_from_a_cached_copy(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    """LibreOffice's PDF and the pictures' derived files go to the case's derived/ dir,
    which the extractors find from the original's path: a cached copy's path too."""
    case = s3_case(tmp_path, s3, bucket)
    src = tmp_path / "report.txt"
    src.write_text("a report\n")
    sha = case.blobs.put_file(src).sha256
    path = case.blobs.path_for(sha)
    assert path.is_relative_to(case.root / "cache" / "evidence")
    assert case_root_for(path) == case.root
    assert derived_pdf_for(path) == case.root / "derived" / "pdf" / sha[:2] / f"{sha}.pdf"


def test_the_read_cache_keeps_to_its_bound_least_recently_used_first(tmp_path: Path) -> None:
    cache = ReadCache(tmp_path / "cache", max_bytes=3000, keep_recent_s=0)
    shas = []
    for i in range(5):
        data = bytes([i]) * 1000
        sha = hashlib.sha256(data).hexdigest()
        tmp = tmp_path / f"t{i}"
        tmp.write_bytes(data)
        cache.admit(sha, tmp)
        shas.append(sha)
        if i == 1:
            assert cache.get(shas[0]) is not None  # used again: now the most recent of two
    assert cache.held_bytes() <= 3000
    assert cache.get(shas[4]) is not None  # the newest stays
    assert cache.get(shas[1]) is None  # the least recently used went first
    kept = ReadCache(tmp_path / "cache", max_bytes=1000, keep_recent_s=3600)
    assert kept.trim() == 0  # everything used within the hour stays, over the bound


def test_a_small_cache_bound_still_serves_every_reader(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    case = s3_case(tmp_path, s3, bucket, evidence_cache_bytes=1)
    ingest(case, [write_small_leak(tmp_path / "leak")])
    statuses = {status for _, status in item_shas(case)}
    assert statuses <= {"ok", "error"} and "pending" not in statuses
    with case.sessions() as session:
        assert verify(session, case.blobs).ok


# --- the endpoint fails ----------------------------------------------------------------


class StopAfter:
    """Progress that stops the S3 server once ``n`` files have been walked."""

    def __init__(self, server: S3Server, n: int) -> None:
        self.server, self.n, self.files = server, n, 0

    def total(self, phase: str, n: int) -> None:
        return None

    def advance(self, phase: str, n: int = 1) -> None:
        if phase == "files":
            self.files += n
            if self.files == self.n + 1:
                self.server.stop()


def test_an_endpoint_stopped_mid_run_fails_items_and_a_rerun_resumes(
    tmp_path: Path, bucket: str
) -> None:
    server = S3Server()  # its own server: this test stops it
    server.start()
    try:
        client(server).create_bucket(Bucket=bucket)
        leak = tmp_path / "leak"
        leak.mkdir()
        for i in range(10):
            (leak / f"doc-{i:02d}.txt").write_text(f"第{i}号 record {i}\n" * 5, encoding="utf-8")
        case = s3_case(tmp_path, server, bucket, evidence_retries=2, evidence_timeout_s=2.0)

        with pytest.raises(StoreUnavailable, match="failed for 3 files in a row"):
            ingest(case, [leak], progress=StopAfter(server, 4))
        failed = [o for o in occurrences(case) if o[3] == "store_failed"]
        assert len(failed) == STORE_FAILURES_TO_STOP
        assert all(sha is None and status == "error" for _, sha, status, _ in failed)
        assert len(item_shas(case)) == 4
        assert not temporaries(case)

        server.start()  # the endpoint is back: the same command resumes
        ingest(case, [leak])
        assert [cause for *_, cause in occurrences(case)] == [None] * 10
        assert len(item_shas(case)) == 10
        clean = s3_case(tmp_path, server, bucket, name="clean")
        ingest(clean, [leak])
        assert item_shas(case) == item_shas(clean)
        assert occurrences(case) == occurrences(clean)
        with case.sessions() as session:
            assert verify(session, case.blobs).ok
    finally:
        server.stop()


def test_an_endpoint_that_never_answers_times_out_and_writes_nothing(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    case = s3_case(tmp_path, s3, bucket, evidence_retries=2, evidence_timeout_s=0.5)
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        held: list[socket.socket] = []
        stop = threading.Event()

        def accept() -> None:
            silent.settimeout(0.2)
            while not stop.is_set():
                try:
                    held.append(silent.accept()[0])
                except TimeoutError:
                    continue

        t = threading.Thread(target=accept, daemon=True)
        t.start()
        text = (
            (case.root / "guwah.toml")
            .read_text()
            .replace(s3.url, f"http://127.0.0.1:{silent.getsockname()[1]}")
        )
        (case.root / "guwah.toml").write_text(text)
        src = tmp_path / "a.txt"
        src.write_text("a record\n")
        try:
            with pytest.raises(StoreError, match="failed .* after 2 tries") as err:
                Case.open(case.root).blobs.put_file(src)
        finally:
            stop.set()
            t.join()
            for conn in held:
                conn.close()
    assert "run the same command again" in str(err.value)
    assert objects(s3, bucket, "case/") == {}
    assert not temporaries(case)
    assert not any((case.root / "cache").rglob("*.txt"))


SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message></Error>"
)


class StallingProxy:
    """A faulty gateway on loopback in front of the S3 server: it passes every request on
    but swallows uploads (PUT), which then never get an answer — or, with ``fail``, answers
    that many of them (after the first ``after``) with 503 Slow Down, passing the rest on."""

    def __init__(self, upstream_port: int, fail: int = 0, after: int = 0) -> None:
        self.upstream = upstream_port
        self.fail, self.after = fail, after  # pass ``after`` uploads on, then fail ``fail``
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.puts = 0
        self._stop = threading.Event()
        self._open: list[socket.socket] = []
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn = self.sock.accept()[0]
            except TimeoutError:
                continue
            up = socket.create_connection(("127.0.0.1", self.upstream))
            self._open += [conn, up]
            for a, b, inspect in ((conn, up, True), (up, conn, False)):
                t = threading.Thread(target=self._pipe, args=(a, b, inspect), daemon=True)
                t.start()

    def _pipe(self, src: socket.socket, dst: socket.socket, inspect: bool) -> None:
        try:
            while data := src.recv(65536):
                if inspect and data.startswith(b"PUT "):
                    self.puts += 1
                    if not self.fail:
                        return  # swallowed: no answer will come
                    if self.after < self.puts <= self.after + self.fail:
                        src.sendall(
                            b"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"
                            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                            % (len(SLOW_DOWN), SLOW_DOWN)
                        )
                        src.close()
                        dst.close()
                        return
                dst.sendall(data)
        except OSError:
            return

    def close(self) -> None:
        self._stop.set()
        self._threads[0].join()
        for s in self._open:
            s.close()
        self.sock.close()


def test_an_endpoint_that_takes_an_upload_and_never_answers_fails_within_its_deadline(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    proxy = StallingProxy(s3.port)
    try:
        case = s3_case(tmp_path, s3, bucket, evidence_retries=2, evidence_timeout_s=0.5)
        text = (case.root / "guwah.toml").read_text().replace(s3.url, proxy.url)
        (case.root / "guwah.toml").write_text(text)
        store = Case.open(case.root).blobs
        src = tmp_path / "a.txt"
        src.write_text("a record\n")
        started = time.monotonic()
        with pytest.raises(StoreError, match="failed writing .*no answer within"):
            store.put_file(src)
        assert time.monotonic() - started < 10 and proxy.puts >= 1
    finally:
        proxy.close()
    assert objects(s3, bucket, "case/") == {}  # never half-written
    assert not temporaries(case)


def test_an_endpoint_that_returns_errors_is_retried_then_the_file_recorded(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    case = s3_case(tmp_path, s3, bucket, evidence_retries=3, evidence_timeout_s=2.0)
    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / "a.txt").write_text("first\n")
    (leak / "b.txt").write_text("second\n")
    flaky = StallingProxy(s3.port, fail=1)  # one 503, then it passes uploads on
    try:
        text = (case.root / "guwah.toml").read_text().replace(s3.url, flaky.url)
        (case.root / "guwah.toml").write_text(text)
        ingest(Case.open(case.root), [leak / "a.txt"])
        assert flaky.puts == 2  # the 503, then botocore's retry, which went through
    finally:
        flaky.close()
    failing = StallingProxy(s3.port, fail=1000)
    try:
        text = (case.root / "guwah.toml").read_text().replace(flaky.url, failing.url)
        (case.root / "guwah.toml").write_text(text)
        ingest(Case.open(case.root), [leak / "b.txt"])
        assert failing.puts == 3  # evidence_retries tries, then recorded
    finally:
        failing.close()
    occ = {path: (sha, cause) for path, sha, _, cause in occurrences(case)}
    assert occ["a.txt"][1] is None and occ["b.txt"] == (None, "store_failed")
    db = sqlite3.connect(case.root / "guwah.db")
    (message,) = db.execute("SELECT error FROM occurrences WHERE path = 'b.txt'").fetchone()
    db.close()
    assert "SlowDown" in message or "reduce your request rate" in message, message
    assert len(objects(s3, bucket, "case/")) == 1


def test_a_store_failing_inside_an_archive_stops_the_run_and_a_rerun_resumes(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    leak = tmp_path / "leak"
    leak.mkdir()
    with zipfile.ZipFile(leak / "bundle.zip", "w") as z:
        for i in range(6):
            z.writestr(f"docs/{i}.txt", f"member {i}\n")
    case = s3_case(tmp_path, s3, bucket, evidence_retries=1, evidence_timeout_s=2.0)
    proxy = StallingProxy(s3.port, fail=1, after=3)  # the zip and two members, then a 503
    try:
        text = (case.root / "guwah.toml").read_text().replace(s3.url, proxy.url)
        (case.root / "guwah.toml").write_text(text)
        with pytest.raises(StoreError, match="failed writing"):
            ingest(Case.open(case.root), [leak])
        db = sqlite3.connect(case.root / "guwah.db")
        (status,) = db.execute("SELECT status FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        db.close()
        assert status == "interrupted"
        ingest(Case.open(case.root), [leak])  # the proxy passes uploads on again
    finally:
        proxy.close()
    clean = s3_case(tmp_path, s3, bucket, name="clean")
    ingest(clean, [leak])
    assert item_shas(case) == item_shas(clean) and len(item_shas(case)) == 7
    assert occurrences(case) == occurrences(clean)
    with case.sessions() as session:
        assert verify(session, case.blobs).ok


def test_ingest_with_the_endpoint_gone_says_what_to_do_and_exits_2(
    tmp_path: Path, s3: S3Server, bucket: str
) -> None:
    case = s3_case(tmp_path, s3, bucket, evidence_retries=1, evidence_timeout_s=1.0)
    text = (case.root / "guwah.toml").read_text()
    (case.root / "guwah.toml").write_text(text.replace(s3.url, f"http://127.0.0.1:{free_port()}"))
    leak = tmp_path / "leak"
    leak.mkdir()
    for i in range(5):
        (leak / f"{i}.txt").write_text(f"record {i}\n")
    proc = run_cli("ingest", leak, "--case", case.root, check=False)
    assert proc.returncode == 2, proc.stderr
    err = " ".join(proc.stderr.split())
    assert "failed for 3 files in a row" in err and "run the same command again" in err
    assert "Traceback" not in proc.stderr
    proc = run_cli("custody", "verify", "--case", case.root, check=False)
    assert proc.returncode == 2 and "failed listing" in " ".join(proc.stderr.split())


# --- configuration -----------------------------------------------------------------------


def test_a_bucket_that_does_not_exist_or_an_unknown_scheme_is_refused(
    tmp_path: Path, s3: S3Server
) -> None:
    with pytest.raises(CaseError, match="does not exist: create it"):
        Case.init(tmp_path / "a", evidence="s3://no-such-bucket/x", evidence_endpoint_url=s3.url)
    assert not (tmp_path / "a").exists()
    proc = run_cli("init", tmp_path / "b", "--evidence", "gs://bucket/x", check=False)
    assert proc.returncode == 2 and "must be empty" in proc.stderr
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "guwah.toml").write_text('evidence = "/mnt/evidence"\n')
    with pytest.raises(ConfigError, match="'evidence' must be empty"):
        Settings.load(tmp_path / "c")
