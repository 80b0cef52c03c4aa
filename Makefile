# KAM Dashboard: the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KAM_DB ?= data/kam.duckdb
PORT ?= 8501
# pytest-xdist workers for `make test` (the suite waits on browsers and subprocesses: 2 workers take
# 10.6 min instead of 13.5 on the 2-core machine); `make test TEST_WORKERS=0` runs it in one process
TEST_WORKERS ?= 2
export KAM_DB

.PHONY: run test lint install install-dev demo system-deps bench screenshots clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## demo: build the demo database at $(KAM_DB) when there is none
demo: install
	@if [ -f "$(KAM_DB)" ]; then echo "Using the existing database $(KAM_DB)"; \
	else $(PY) -m kam_metrics init-demo --db "$(KAM_DB)"; fi

## run: install, build the demo data if needed, serve the app on http://localhost:$(PORT)
run: demo
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) --server.headless true

## system-deps: Debian's chromium (browser test, Plotly images) and fonts-noto-cjk (Chinese glyphs)
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	else echo "Cannot install$$missing without root: the browser test will be skipped."; exit 0; fi; \
	echo "Installing$$missing with apt-get"; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null

## test: install everything the suite needs and run it
test: install-dev system-deps
	$(PY) -m pytest -n $(TEST_WORKERS)

## lint: ruff (lint, import order) over the tree and mypy over kam_metrics (settings in pyproject.toml)
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

## bench: demo generation at scale (10,000 accounts, 5 years) and KPI query time
bench: install-dev
	$(PY) bench/bench_demo.py

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
