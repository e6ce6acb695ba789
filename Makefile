# Two commands do everything on a fresh machine with Python 3.11:
#   make demo   set up, then print a KPI report on the bundled demo data
#   make test   set up (with the Spark extra), then run the whole test suite
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
# Installed packages are compiled to bytecode once, at install: where the environment sets
# PYTHONDONTWRITEBYTECODE (CI machines, containers), every process would otherwise compile
# pandas, Ibis, DuckDB's and FastAPI's modules from source on import (4.8 s against 2.2 s
# to import the engine and the web app).
export UV_COMPILE_BYTECODE := 1
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)

.PHONY: uv setup setup-spark axe demo test test-quick lint docs bench

uv:
	@command -v $(UV) >/dev/null 2>&1 || python3 -m pip install --user --quiet uv

setup: uv
	$(UV) sync --inexact

setup-spark: uv
	$(UV) sync --extra spark

demo: setup
	$(UV) run omnikpi demo --out out/demo

test: setup-spark axe
	$(UV) run pytest -q -n 2 --dist loadgroup --durations=20

# the inner loop while changing code (~25 min on 2 cores, ~3,100 tests): everything but the Spark tests and
# the browser tests, which `make test` (and CI) always run
test-quick: setup
	$(UV) run pytest -q -n 2 --dist loadgroup -m "not spark and not browser" --durations=10

# axe-core (npm registry) for the accessibility checks of the browser tests
axe:
	@if [ ! -f tests/web/axe/node_modules/axe-core/axe.min.js ]; then \
	  if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/web/axe --no-audit --no-fund --silent; \
	  else echo "npm not found: the accessibility test will fail (apt install npm)"; fi; fi

lint: setup
	$(UV) run ruff check src tests bench
	$(UV) run mypy src

docs: setup
	$(UV) run omnikpi catalog --format markdown --output docs/metrics.md
	$(UV) run omnikpi tables --format markdown --output docs/data-model.md

bench: setup
	$(UV) run python bench/run.py --quick
