#!/usr/bin/env bash
# The unit tests under AddressSanitizer and UndefinedBehaviorSanitizer (the `asan` preset).
# Open MPI's own allocations are suppressed (tests/lsan.supp). CI runs this after test.sh.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$IMINE_ROOT"
scripts/install-deps.sh
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$IMINE_JOBS"
ctest --preset asan -j "$IMINE_JOBS" "$@"
