# The whole set-up: `make run` starts the dashboard, `make test` runs the suite (`make check`:
# its fast part, without browsers, AppTest, PostgreSQL or nginx).
VENV := .venv
PY := $(VENV)/bin/python
# Where `make run` listens: this machine only, unless a reverse proxy needs another address.
ADDRESS ?= 127.0.0.1
PORT ?= 8501
# `make run WORKERS=N`: N dashboard processes (ports PORT+1 … PORT+N) behind nginx on PORT, with
# the shipped deploy/nginx-civic.conf (scripts/serve.py); sessions that click at once then wait
# on N processes, not one.
WORKERS ?= 1

.PHONY: run test suite check quick-suite lint lock validate bench system-deps test-deps clean

$(VENV)/.run-stamp: pyproject.toml requirements/run.txt
	scripts/venv.sh .
	touch $@

$(VENV)/.dev-stamp: pyproject.toml requirements/dev.txt
	scripts/venv.sh ".[dev]"
	touch $@ $(VENV)/.run-stamp

system-deps:
	@scripts/system-deps.sh $(if $(filter-out 1,$(WORKERS)),--proxy)

test-deps:
	@scripts/system-deps.sh --test

# PYTHONMALLOC=malloc: Python's small objects from glibc, which gives back what closed sessions
# and old data versions leave (app_pages/sessions.py); Python's own pools keep it.
run: $(VENV)/.run-stamp system-deps
ifeq ($(WORKERS),1)
	PYTHONMALLOC=malloc $(VENV)/bin/streamlit run dashboard.py --server.address $(ADDRESS) \
	    --server.port $(PORT)
else
	$(PY) scripts/serve.py --workers $(WORKERS) --address $(ADDRESS) --port $(PORT)
endif

# Bytecode written even where the environment says not to (PYTHONDONTWRITEBYTECODE): the tests'
# rewritten asserts, every `civic` process the tests start and the installed packages (installed
# without it: scripts/venv.sh) then compile once, not every time.
PYTEST := PYTHONDONTWRITEBYTECODE= $(PY) -m pytest

# The linters run beside the tests (make -j2): a fresh clone's first mypy run (about 20 s) then
# overlaps the tests' start instead of coming before it. Either failing fails the target.
test: $(VENV)/.dev-stamp test-deps
	@$(MAKE) --no-print-directory -j2 lint suite

suite: $(VENV)/.dev-stamp
	$(PYTEST)

# ruff (style, import order, complexity), mypy (types) and import-linter (the layers): any new
# finding fails `make check` and `make test`.
lint: $(VENV)/.dev-stamp
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The locked versions (requirements/*.txt, with hashes) from pyproject.toml's bounds, anew.
lock: $(VENV)/.dev-stamp
	$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
	    -o requirements/run.txt pyproject.toml
	$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --extra dev \
	    -o requirements/dev.txt pyproject.toml

# The kinds left out are found from what each test uses (tests/markers.py).
check: $(VENV)/.dev-stamp
	@$(MAKE) --no-print-directory -j2 lint quick-suite

quick-suite: $(VENV)/.dev-stamp
	$(PYTEST) -m "not browser and not apptest and not postgres and not deploy"

validate: $(VENV)/.run-stamp
	$(VENV)/bin/civic validate data

# The benchmark against floors (docs/performance.md); `make bench BENCH_ARGS=--quick` for 100k.
bench: $(VENV)/.dev-stamp test-deps
	PYTHONDONTWRITEBYTECODE= $(PY) scripts/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
