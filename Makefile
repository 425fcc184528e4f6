# Satchel — set-up is part of every target: a fresh machine needs only `make run` / `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test system-deps interop-deps lint typecheck unit ui corpus bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The main job: the learner's wallet (embedded default: local encrypted SQLite store).
run: $(STAMP)
	$(BIN)/satchel-wallet app $(ARGS)

test: $(STAMP) system-deps interop-deps lint typecheck unit ui

# UI tests drive the real app in Debian's chromium; the verify service's multi-instance tests
# start a throwaway cluster of Debian's postgresql (tests/postgres.py). Install them when missing
# and we can; in CI a missing one is an error.
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }) \
	      && echo "installed chromium" || { echo "could not install chromium (needed by the UI tests)"; [ -z "$$CI" ] || exit 1; }; \
	  else echo "chromium is missing and cannot be installed here (needed by the UI tests)"; [ -z "$$CI" ] || exit 1; fi; }
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -q postgresql >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q postgresql >/dev/null 2>&1; }) \
	      && echo "installed postgresql" || { echo "could not install postgresql (needed by the verify service tests)"; [ -z "$$CI" ] || exit 1; }; \
	  else echo "postgresql is missing and cannot be installed here (needed by the verify service tests)"; [ -z "$$CI" ] || exit 1; fi; }

# Interop oracles (tests/test_interop_*.py) run with node and skip without it: one npm package per
# folder under scripts/interop/ (DCC verifier-core, CBOR-LD/vpqr, Blockchain Commons UR).
# npm ci installs exactly each package-lock.json; again only when that lock file changed.
interop-deps:
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  for lock in scripts/interop/*/package-lock.json; do dir=$$(dirname $$lock); \
	    if [ ! -f $$dir/node_modules/.package-lock.json ] || [ $$lock -nt $$dir/node_modules/.package-lock.json ]; then \
	      npm ci --prefix $$dir --no-audit --no-fund --loglevel=error || exit 1; fi; \
	  done; \
	else echo "node/npm are missing: the interop tests (DCC verifier-core, CBOR-LD, UR) will be skipped"; fi

lint: $(STAMP)
	$(BIN)/ruff check credentials scan shell wallet verifier issuer_stub tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy --strict credentials scan shell wallet verifier issuer_stub

unit: $(STAMP) system-deps
	$(BIN)/pytest -n 2 -p no:cacheprovider --ignore=tests/ui $(PYTEST_ARGS)

# The UI tests run one at a time: each drives a real app server and a real Chromium, and two
# of those beside the CPU-heavy tests would starve the 30 s waits on a 2-core machine.
ui: $(STAMP) system-deps
	$(BIN)/pytest -p no:cacheprovider tests/ui $(PYTEST_ARGS)

corpus: $(STAMP)
	../shared/tools/corpus-check

bench: $(STAMP)
	$(BIN)/python bench/verify.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
