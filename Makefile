# evalkit — every target sets itself up: a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUN_ARGS ?=
PYTEST_ARGS ?=
# JupyterLab refuses to run as root unless told; containers and CI machines often are root
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# statsmodels fits are ~10x slower with OpenBLAS threads fighting over 2 cores; parallelism comes from workers
export OPENBLAS_NUM_THREADS := 1

.DEFAULT_GOAL := help
.PHONY: help run examples check-pages test lint lab validate bench sample template clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "evalkit needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed-run

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	@touch $@ $(VENV)/.installed-test $(VENV)/.installed-run

run: $(VENV)/.installed-run ## set up, run every notebook in runs.yml, publish reports/ (HTML, and PDF with Chromium)
	$(BIN)/evalkit run $(RUN_ARGS)

examples: $(VENV)/.installed-run ## run runs-examples.yml: other areas and levels (Jilin's cities, Liaoning's counties)
	$(BIN)/evalkit run runs-examples.yml $(RUN_ARGS)

check-pages: $(VENV)/.installed-test ## open every published report in headless Chromium: one language, no warnings, tables, alt texts, PDFs
	EVALKIT_PAGES_REQUIRED=1 $(BIN)/python -m pytest -q tests/runner/test_published_pages.py $(PYTEST_ARGS)

test: lint ## set up and run every test (lint, unit, reference, runner, notebooks)
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(BIN)/python -m pytest --nbval-lax -p no:cacheprovider notebooks/ $(PYTEST_ARGS)

lint: $(VENV)/.installed-test ## ruff with the project's configuration (pyproject.toml)
	$(BIN)/ruff check .

lab: $(VENV)/.installed-run ## start JupyterLab with a kernel that sees evalkit
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (evalkit)" >/dev/null
	$(BIN)/jupyter lab --notebook-dir=. $(LAB_ARGS)

validate: $(VENV)/.installed-test ## reproduce the published reference results → reports/validation.{json,html}
	$(BIN)/evalkit reproduce

bench: $(VENV)/.installed-bench ## run every benchmark (prints ratios; last line of each is JSON)
	@set -e; for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

sample: $(VENV)/.installed-run ## regenerate the illustrative sample panel data/sample/panel.csv
	$(BIN)/evalkit sample

template: $(VENV)/.installed-run ## write the Excel fill-in template data/template.xlsx
	$(BIN)/evalkit template -o data/template.xlsx

clean: ## remove generated reports and caches (keeps .venv)
	rm -rf reports .pytest_cache
