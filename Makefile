# chaoskit: every target sets up .venv itself (Python 3.11, the CPU wheel of torch, the core and
# all first-party plugins in editable mode). `make demo` and `make test` work on a fresh clone.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
PLUGINS := plugins/systems plugins/models plugins/metrics
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test test-all bench docs clean

$(STAMP): pyproject.toml $(addsuffix /pyproject.toml,$(PLUGINS)) Makefile
	$(PYTHON) -m venv $(VENV)
	# torch is pinned to the CPU wheel for development and CI; the packages declare torch>=2.4
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[io,dev]' $(addprefix -e ,$(PLUGINS))
	touch $@

demo: $(STAMP)
	$(PY) examples/quickstart.py

test: $(STAMP)
	$(PY) -m pytest

test-all: $(STAMP)
	$(PY) -m pytest -m "slow or not slow"

# the peers a user would otherwise pick, installed from PyPI into .venv for side-by-side runs
BENCH_PEERS := dysts==0.96

bench: $(STAMP)
	$(PIP) install --quiet $(BENCH_PEERS)
	$(PY) benchmarks/crosscheck_dysts.py
	$(PY) benchmarks/systems_integrators.py
	$(PY) benchmarks/esn_lorenz_vpt.py

clean:
	rm -rf $(VENV) results build *.egg-info
