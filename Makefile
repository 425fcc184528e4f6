# Satchel — set-up is part of every target: a fresh machine needs only `make run` / `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test system-deps lint typecheck unit corpus bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The main job: the learner's wallet (embedded default: local encrypted SQLite store).
run: $(STAMP)
	$(BIN)/satchel-wallet app $(ARGS)

test: $(STAMP) system-deps lint typecheck unit

# UI tests drive the real app in Debian's chromium; install it when missing and we can.
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }) \
	      && echo "installed chromium" || { echo "could not install chromium (needed by the UI tests)"; [ -z "$$CI" ] || exit 1; }; \
	  else echo "chromium is missing and cannot be installed here (needed by the UI tests)"; [ -z "$$CI" ] || exit 1; fi; }

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
