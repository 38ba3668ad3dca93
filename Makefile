# chaoskit: every target sets up .venv itself (Python 3.11, the CPU wheel of torch, the core and
# all first-party plugins in editable mode). `make demo` and `make test` work on a fresh clone.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
PLUGINS := plugins/systems plugins/models plugins/metrics
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test test-all typecheck bench docs clean

$(STAMP): pyproject.toml $(addsuffix /pyproject.toml,$(PLUGINS)) Makefile
	$(PYTHON) -m venv $(VENV)
	# torch is pinned to the CPU wheel for development and CI; the packages declare torch>=2.4
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[io,dev]' $(addprefix -e ,$(PLUGINS))
	touch $@

# demo: the quickstart, then the default benchmark and its report (--force: a newer default
# config reuses the cells it shares with an existing results/bench-default)
demo: $(STAMP)
	$(PY) examples/quickstart.py
	$(VENV)/bin/chaoskit bench --store results/bench-default --workers 2 --force
	$(VENV)/bin/chaoskit report results/bench-default

# test: the type check (mypy, configured in pyproject.toml; ~25 s cold), then the test suite
test: typecheck
	$(PY) -m pytest

typecheck: $(STAMP)
	$(PY) -m mypy

test-all: typecheck
	$(PY) -m pytest -m "slow or not slow"

# the peers a user would otherwise pick, installed from PyPI into .venv for side-by-side runs
BENCH_PEERS := dysts==0.96 ordpy==1.2.3 antropy==0.2.3 peccary==0.1.1 numba==0.68.1 nolds==0.6.3 \
               pysindy==2.1.0 pydmd==2025.8.1 reservoirpy==0.4.2

bench: $(STAMP)
	$(PIP) install --quiet $(BENCH_PEERS)
	$(PY) benchmarks/crosscheck_dysts.py
	$(PY) benchmarks/systems_integrators.py
	$(PY) benchmarks/esn_lorenz_vpt.py
	$(PY) benchmarks/esn_vs_reservoirpy.py
	$(PY) benchmarks/ngrc_vs_reservoirpy.py
	$(PY) benchmarks/bench_runner_overhead.py --burn-cells 48
	$(PY) benchmarks/metrics_geometry.py
	$(PY) benchmarks/metrics_invariants.py
	$(PY) benchmarks/trainer_overhead.py
	$(PY) benchmarks/dsr_lorenz.py --parts step
	$(PY) benchmarks/sindy_vs_pysindy.py
	$(PY) benchmarks/koopman_vs_pydmd.py
	$(PY) benchmarks/baselines_lorenz.py
	$(PY) benchmarks/neural_ode_lorenz.py --seeds 0 1 2

clean:
	rm -rf $(VENV) results build *.egg-info
