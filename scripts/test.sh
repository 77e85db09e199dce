#!/usr/bin/env bash
# Installs what is missing, builds (Release) and runs every test: unit tests and MPI tests at
# np 1, 2 and 4, and the Slurm job-script tests on a private Slurm. Usage: scripts/test.sh [ctest args...], e.g. scripts/test.sh -L unit
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$IMINE_ROOT"
scripts/install-deps.sh --with-slurm
cmake --preset release >/dev/null
cmake --build --preset release -j "$IMINE_JOBS"
cd build/release
ctest --output-on-failure -j "$IMINE_JOBS" "$@"
