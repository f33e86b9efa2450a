# guwah — the two set-up commands are `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   ?= demo
SCALE  ?= medium
# GUWAH_STRICT_TESTS=1 (set by .ci/run): tests whose programs are missing fail, never skip
export GUWAH_STRICT_TESTS

.PHONY: demo test lint typecheck pytest sysdeps benchmark clean

sysdeps:
	@bash scripts/ensure-system-deps.sh

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo: sysdeps $(STAMP)
	rm -rf $(DEMO)
	$(BIN)/guwah synth $(DEMO)/leak --seed 1 --scale $(SCALE) --truth $(DEMO)/leak.truth.json
	$(BIN)/guwah init $(DEMO)/case
	$(BIN)/guwah ingest $(DEMO)/leak --case $(DEMO)/case --custodian "demo" --note "synthetic leak, seed 1"
	$(BIN)/guwah custody verify --case $(DEMO)/case
	$(BIN)/guwah records --case $(DEMO)/case
	$(BIN)/guwah records report --out $(DEMO)/mapping.md --case $(DEMO)/case
	$(BIN)/guwah verify --case $(DEMO)/case --report $(DEMO)/verify.html
	$(BIN)/guwah status --case $(DEMO)/case
	@echo "Report: $(DEMO)/verify.html  Column mapping: $(DEMO)/mapping.md"
	@echo "Try: $(BIN)/guwah person \"<a name in any script>\" --case $(DEMO)/case"
	$(BIN)/guwah serve --case $(DEMO)/case

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

test: sysdeps lint typecheck pytest

benchmark: sysdeps $(STAMP)
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
