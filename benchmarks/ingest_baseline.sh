#!/usr/bin/env bash
# `guwah ingest --no-ocr` of one leak with a baseline commit and with this tree, alternating,
# so that both meet the same machine load. Prints each run's wall seconds.
#
#   bash benchmarks/ingest_baseline.sh BASE_COMMIT LEAK_DIR [RUNS]
#   e.g. bash benchmarks/ingest_baseline.sh b5e74d4 bench-out/leak-medium-1 3
#
# The baseline is checked out in a temporary git worktree and run from its own src/ with
# this tree's .venv (PYTHONPATH at each tree), two workers (one per core) for both.
set -euo pipefail
base=${1:?usage: ingest_baseline.sh BASE_COMMIT LEAK_DIR [RUNS]}
leak=$(realpath "${2:?usage: ingest_baseline.sh BASE_COMMIT LEAK_DIR [RUNS]}")
runs=${3:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
py=$here/.venv/bin/python
work=$(mktemp -d /tmp/guwah-baseline.XXXXXX)
trap 'git -C "$here" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$here" worktree add -q --detach "$work/base" "$base"
for i in $(seq "$runs"); do
  for who in base this; do
    src=$here/src
    [ "$who" = base ] && src=$work/base/src
    case_dir=$work/case-$who-$i
    PYTHONPATH=$src "$py" -m guwah init "$case_dir" >/dev/null
    start=$EPOCHREALTIME
    PYTHONPATH=$src "$py" -m guwah ingest "$leak" --case "$case_dir" --no-ocr >/dev/null 2>&1 \
      || echo "$who run $i: the ingest failed"
    end=$EPOCHREALTIME
    "$py" -c "print(f'$who run $i: {$end - $start:.2f} s')"
    rm -rf "$case_dir"
  done
done
