# hotspotlib: every target works on a fresh machine from a clean clone.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.hotspotlib-installed
OUT ?= demo_output
JOBS ?= 2

.PHONY: help install demo test lint typecheck pytest bench docs clean

help:
	@echo "make demo   - run the whole hot-spot policing workflow on the synthetic city (writes $(OUT)/)"
	@echo "make test   - lint, type-check and run the tests and notebooks"
	@echo "make bench  - benchmarks against peer libraries (prints ratios)"
	@echo "make docs   - build the documentation site (docs/_build/html)"
	@echo "make lint | typecheck | pytest - the parts of make test; make install; make clean"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[all]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m hotspotlib demo --out $(OUT)

lint: $(STAMP)
	$(PY) -m ruff check hotspotlib tests benchmarks

typecheck: $(STAMP)
	$(PY) -m mypy hotspotlib

pytest: $(STAMP)
	$(PY) -m pytest -n $(JOBS) tests hotspotlib
	$(PY) -m pytest -n $(JOBS) --nbmake notebooks

test: lint typecheck pytest

bench: $(STAMP)
	$(PY) -m benchmarks

docs: $(STAMP)
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf docs/_build docs/api/generated docs/tutorials/notebooks $(OUT) .pytest_cache .mypy_cache .ruff_cache
