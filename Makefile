# One target per task. `make serve` and `make test` set everything up themselves and are idempotent.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha1sum | cut -c1-12)

.PHONY: setup serve test lint format lock typecheck bench java chromium

setup: $(STAMP) java

# The versions the tests passed with: requirements.lock (written by `make lock` from pyproject.toml's ranges),
# then the project itself without resolving anything again.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# HermiT (through owlready2) needs a Java runtime for the consistency and inference tests.
java:
	@command -v java >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq default-jre-headless; }

# Browser tests drive Debian's Chromium through Playwright (never a downloaded browser build).
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

serve: setup
	$(BIN)/pic serve

# Two workers (the machine's two cores; a third made the run no shorter: 1118 s against about 1200 s, the
# machine being busy), each test file on one worker: a file's module fixtures (servers, stores) are built
# once. Files go out in collection order, the slow ones first (tests/conftest.py), so that no worker runs a
# minutes-long file alone at the end.
test: setup chromium typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder

lint: setup
	$(BIN)/ruff check .

format: setup
	$(BIN)/ruff format .

# mypy reads the packages by their import names, `pic.<folder>`: a tree of links gives them those names.
typecheck: setup
	rm -rf .mypy-root && mkdir -p .mypy-root/pic && touch .mypy-root/pic/__init__.py
	for d in ontology graph queries service viz; do ln -s ../../$$d .mypy-root/pic/$$d; done
	cd .mypy-root && MYPYPATH=. ../$(BIN)/mypy --config-file ../pyproject.toml -p pic.graph -p pic.service -p pic.viz

lock: setup
	$(BIN)/pip-compile --quiet --extra test --strip-extras --no-emit-index-url --no-emit-find-links \
		-o requirements.lock pyproject.toml

bench: setup
	$(BIN)/python -m bench.run euralens regional
	$(BIN)/python -m bench.queries
	$(BIN)/python -m bench.maps
	$(BIN)/python -m bench.report
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.parser
	$(BIN)/python -m bench.operations
