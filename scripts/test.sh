#!/usr/bin/env bash
# Run the whole test suite (after scripts/setup.sh): every notebook cell (nbval), the
# helpers' unit tests, the rendered book in headless Chromium, and JupyterLab.
# Extra arguments go to pytest, e.g.  bash scripts/test.sh tests/test_knn.py -n 0
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { echo "Run 'bash scripts/setup.sh' first." >&2; exit 1; }
# Two pytest workers (plus a book build) share the cores: one math thread per process
# avoids oversubscription, which slows torch and BLAS down many times over.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} MKL_NUM_THREADS=${MKL_NUM_THREADS:-1}
start=$(date +%s)
status=0
.venv/bin/python -m pytest "$@" || status=$?
echo "Test suite finished in $(( $(date +%s) - start )) s (exit $status)."
exit $status
