# Satchel — set-up is part of every target: a fresh machine needs only `make run` / `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit corpus bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The main job: the learner's wallet (embedded default: local encrypted SQLite store).
run: $(STAMP)
	$(BIN)/python -m satchel_main $(ARGS)

test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check credentials wallet verifier issuer_stub tests bench

typecheck: $(STAMP)
	$(BIN)/mypy --strict credentials

unit: $(STAMP)
	$(BIN)/pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

corpus: $(STAMP)
	../shared/tools/corpus-check

bench: $(STAMP)
	$(BIN)/python bench/verify.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
