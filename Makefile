# hotspotlib: every target works on a fresh machine from a clean clone.
# `make demo` and `make test` install the exact versions in requirements.lock (one file
# for Python 3.10-3.13); the package's own dependency ranges in pyproject.toml stay open.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
STAMP := $(VENV)/.hotspotlib-installed
OUT ?= demo_output
JOBS ?= 2
PYTEST_ARGS ?=

.PHONY: help install demo test lint typecheck pytest bench bench-quick docs lock test-latest test-oldest dist-check clean

help:
	@echo "make demo        - run the whole hot-spot policing workflow on the synthetic city (writes $(OUT)/)"
	@echo "make test        - lint, type-check and run the tests and notebooks (versions from requirements.lock)"
	@echo "make bench       - benchmarks against peer libraries (prints ratios)"
	@echo "make bench-quick - the headline rows only, defaults, min/median (under 3 minutes)"
	@echo "make docs        - build the documentation site (docs/_build/html)"
	@echo "make lock        - refresh requirements.lock from pyproject.toml (all extras)"
	@echo "make test-latest - the tests with the newest release of every dependency (no lock)"
	@echo "make test-oldest - the tests with every declared minimum version"
	@echo "make dist-check  - build the sdist and wheel, check them, install the wheel alone and run it"
	@echo "make lint | typecheck | pytest - the parts of make test; make install; make clean"

# A virtual environment with the pinned installer in it.
define make_venv
	test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet "uv==$(UV_VERSION)"
endef

$(STAMP): pyproject.toml requirements.lock
	$(call make_venv,$(VENV))
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.lock
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m hotspotlib demo --out $(OUT)

lint: $(STAMP)
	$(PY) -m ruff check hotspotlib tests benchmarks

typecheck: $(STAMP)
	$(PY) -m mypy hotspotlib

pytest: $(STAMP)
	$(PY) -m pytest -n $(JOBS) $(PYTEST_ARGS) tests hotspotlib
	$(PY) -m pytest -n $(JOBS) --nbmake notebooks

test: lint typecheck pytest

bench: $(STAMP)
	$(PY) -m benchmarks

bench-quick: $(STAMP)
	$(PY) -m benchmarks --quick

docs: $(STAMP)
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --all-extras --universal --python-version 3.10 \
		--upgrade --quiet -o requirements.lock

# Newest releases: a separate environment, so the locked one stays as CI sees it.
test-latest:
	$(call make_venv,.venv-latest)
	.venv-latest/bin/uv pip install --quiet --python .venv-latest/bin/python --upgrade --reinstall-package hotspotlib -e ".[test]"
	.venv-latest/bin/uv pip freeze --python .venv-latest/bin/python | grep -iE '^(numpy|scipy|pandas|geopandas|shapely|pyproj|pyogrio|libpysal|esda|statsmodels|matplotlib|pytest)=='
	.venv-latest/bin/python -m pytest -n $(JOBS) -p no:cacheprovider tests hotspotlib

# Every declared floor (the lowest version of each direct dependency).
test-oldest:
	$(call make_venv,.venv-oldest)
	.venv-oldest/bin/uv pip install --quiet --python .venv-oldest/bin/python --resolution lowest-direct --upgrade --reinstall-package hotspotlib -e ".[test]"
	.venv-oldest/bin/uv pip freeze --python .venv-oldest/bin/python | grep -iE '^(numpy|scipy|pandas|geopandas|shapely|pyproj|pyogrio|libpysal|esda|statsmodels|matplotlib|pytest)=='
	.venv-oldest/bin/python -m pytest -n $(JOBS) -p no:cacheprovider tests hotspotlib

clean:
	rm -rf docs/_build docs/api/generated docs/tutorials/notebooks $(OUT) .pytest_cache .mypy_cache .ruff_cache .venv-latest .venv-oldest .venv-wheel dist build

# The sdist and wheel build, pass `twine check`, and the wheel installs and runs in a clean
# environment with only the core dependencies (no extras, no lock).
dist-check: $(STAMP)
	rm -rf dist .venv-wheel
	$(PY) -m build --outdir dist . > /dev/null
	$(PY) -m twine check --strict dist/*
	$(PYTHON) -m venv .venv-wheel
	.venv-wheel/bin/python -m pip install --quiet dist/*.whl
	cd "$$(mktemp -d)" && $(CURDIR)/.venv-wheel/bin/python -c "import hotspotlib as hs; \
		city = hs.synthetic_city(n_events=500, rng=1); \
		grid = hs.make_grid(city.boundary, cell_size_m=250); \
		print('wheel', hs.__version__, 'events counted', int(hs.count_events(city.events, grid).count.sum()))"
