"""One writer per case: a second command, in another process, is refused with exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from guwah.case import Case
from tests.conftest import ROOT, run_cli

HOLD = """
import sys
from pathlib import Path
from guwah.case import Case
from guwah.core import case_lock

with case_lock(Case.open(Path(sys.argv[1]))):
    print("locked", flush=True)
    sys.stdin.readline()  # hold the lock until the test says so
print("released", flush=True)
"""


def test_a_command_while_another_process_writes_exits_2(small_leak: Path, tmp_path: Path) -> None:
    case = Case.init(tmp_path / "case")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(case.root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "locked"
        for command in (["ingest", str(small_leak), "--no-ocr"], ["records"]):
            proc = run_cli(*command, "--case", case.root, check=False)
            assert proc.returncode == 2, proc.stdout + proc.stderr
            err = " ".join(proc.stderr.split())
            assert f"another guwah command is writing to {case.root}" in err, err
            assert "wait for it to finish" in err
            assert "Traceback" not in proc.stderr
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "released"
    finally:
        holder.kill() if holder.poll() is None else None
        holder.wait(timeout=30)
    # the lock went with the process: the same command now runs
    assert run_cli("ingest", small_leak, "--no-ocr", "--case", case.root).returncode == 0
