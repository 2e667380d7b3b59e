# Two entry points on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install clean conformance bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "veriopt needs Python >= 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	@# bytecode now: where PYTHONDONTWRITEBYTECODE is set, every run would compile the sources
	$(BIN)/python -m compileall -q veriopt > /dev/null
	@bash scripts/ensure-tools.sh
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m veriopt.demo

test: $(STAMP)
	$(BIN)/python -m pytest

# Alive2-style test files with alive-tv's verdicts: make conformance TESTS=DIR
conformance: $(STAMP)
	@test -n "$(TESTS)" || { echo "make conformance TESTS=DIR  (a folder of Alive2-style .ll test files)"; exit 2; }
	$(BIN)/veriopt conformance $(TESTS)

bench: $(STAMP)
	$(BIN)/python scripts/bench_solvers.py

clean:
	rm -rf $(VENV)
