# weakties — the two set-up commands: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
VENDOR := src/weakties/web/static/vendor/.stamp

.PHONY: demo test lint typecheck unit install install-dev web-assets bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: $(PY) pyproject.toml
	$(PY) -m pip install -q -e ".[web]"
	touch $@

$(VENV)/.installed-dev: $(PY) pyproject.toml
	$(PY) -m pip install -q -e ".[web,dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# front-end packages come from npm at build time; nothing third-party is committed
$(VENDOR): package.json package-lock.json $(VENV)/.installed
	npm ci --no-audit --no-fund --ignore-scripts
	$(PY) -m weakties.web.assets
	touch $@

web-assets: $(VENDOR)

demo: $(VENV)/.installed web-assets
	$(BIN)/weakties demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

unit: $(VENV)/.installed-dev web-assets
	$(BIN)/pytest

test: lint typecheck unit

bench: $(VENV)/.installed-dev
	$(PY) bench/startup.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .mypy_cache .pytest_cache .ruff_cache node_modules src/weakties/web/static/vendor
