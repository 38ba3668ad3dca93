#!/usr/bin/env bash
# The device recipe for a lent GPU machine, one command (the `run` tool, timeout ~480 s):
#
#     bash benchmarks/gpu_check.sh
#
# installs chaoskit and its three plugins editable without network, prints the GPU and torch,
# runs the CUDA-marked tests, then benchmarks/gpu_check.py (CUDA against the CPU: checks and
# timing ratios). Results in $OUT (a temporary folder when unset): env.txt, pytest_cuda.log,
# gpu_check.log, gpu_check.json. Every stage has a timeout, so it ends within ~7 minutes even
# if one hangs. Exit status 1 if a stage failed.
#
# Without a GPU (here): PY=.venv/bin/python bash benchmarks/gpu_check.sh
#   PY      the interpreter (default python3)
#   DEVICE  cuda, cpu, or auto (default: cuda when torch sees one, else a quick CPU-vs-CPU run)
#   further arguments go to gpu_check.py (e.g. --quick, --budget 120)
set -uo pipefail
export PYTHONUNBUFFERED=1
PY=${PY:-python3}
DEVICE=${DEVICE:-auto}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
cd "$(dirname "$0")/.." || exit 1
status=0
guard() { timeout -k 10 "$@"; }  # guard SECONDS command...

echo "== install ($PY)"
if "$PY" -c "import os, sys, chaoskit, chaoskit_systems, chaoskit_metrics, chaoskit_models
sys.exit(not chaoskit.__file__.startswith(os.getcwd() + os.sep))" 2>/dev/null; then
    echo "already installed from this tree"
elif ! guard 90 "$PY" -m pip install -q --no-deps --no-index --no-build-isolation \
        -e . -e plugins/systems -e plugins/metrics -e plugins/models; then
    echo "pip install failed: using PYTHONPATH and hand-written dist-info instead"
    site=$(mktemp -d)
    export PYTHONPATH="$site:$PWD/core:$PWD/plugins/systems:$PWD/plugins/metrics:$PWD/plugins/models"
    "$PY" -c "import sys; from chaoskit.testing import write_dist_info as w
for p in ('.', 'plugins/systems', 'plugins/metrics', 'plugins/models'): w(p, sys.argv[1])" "$site" || status=1
fi

echo "== device"
{
    guard 20 nvidia-smi -L || echo "nvidia-smi -L failed"
    guard 60 "$PY" -c "import torch; print('torch', torch.__version__, '| cuda', torch.version.cuda,
'| available', torch.cuda.is_available())"
} 2>&1 | tee "$OUT/env.txt"
if [ "$DEVICE" = auto ]; then
    if guard 60 "$PY" -c "import sys, torch; sys.exit(not torch.cuda.is_available())"; then
        DEVICE=cuda
    else
        DEVICE=cpu
        set -- --quick "$@"
        echo "NO CUDA DEVICE: gpu_check.py compares the CPU with itself (--quick)" | tee -a "$OUT/env.txt"
    fi
fi

echo "== CUDA-marked tests"
mapfile -t files < <(grep -rl --include='test_*.py' 'pytest.mark.cuda' tests | sort)
guard 120 "$PY" -m pytest -m cuda -q -p no:cacheprovider --continue-on-collection-errors "${files[@]}" \
    > "$OUT/pytest_cuda.log" 2>&1
rc=$?
tail -n 30 "$OUT/pytest_cuda.log"
[ $rc -eq 0 ] || { echo "pytest: exit status $rc"; status=1; }

echo "== gpu_check.py --device $DEVICE $*"
guard 270 "$PY" benchmarks/gpu_check.py --device "$DEVICE" --budget 200 --out "$OUT/gpu_check.json" "$@" \
    2>&1 | tee "$OUT/gpu_check.log"
rc=$?
[ $rc -eq 0 ] || { echo "gpu_check.py: exit status $rc"; status=1; }
echo "== results in $OUT (exit status $status)"
exit $status
