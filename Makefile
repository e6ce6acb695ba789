# Two commands do everything on a fresh machine with Python 3.11:
#   make demo   set up, then print a KPI report on the bundled demo data
#   make test   set up (with the Spark extra), then run the whole test suite
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)

.PHONY: uv setup setup-spark demo test lint docs bench

uv:
	@command -v $(UV) >/dev/null 2>&1 || python3 -m pip install --user --quiet uv

setup: uv
	$(UV) sync --inexact

setup-spark: uv
	$(UV) sync --extra spark

demo: setup
	$(UV) run omnikpi demo --out out/demo

test: setup-spark
	$(UV) run pytest -q -n 2 --dist loadgroup

lint: setup
	$(UV) run ruff check src tests bench
	$(UV) run mypy src

docs: setup
	$(UV) run omnikpi catalog --format markdown --output docs/metrics.md
	$(UV) run omnikpi tables --format markdown --output docs/data-model.md

bench: setup
	$(UV) run python bench/run.py --quick
