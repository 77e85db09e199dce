#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer + UBSan) in build/fuzz and runs each
# for N seconds (default 60) from the seed corpus in tests/fuzz/corpus/<target>/.
#   scripts/fuzz.sh [seconds]
# New inputs go to build/fuzz/corpus/<target>/ (the seeds stay untouched); a crash leaves
# build/fuzz/crash-* and fails the script. Needs the Debian packages clang and
# libclang-rt-14-dev (libFuzzer and the sanitizer runtimes).
set -euo pipefail
SECONDS_PER_TARGET="${1:-60}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$ROOT/build/fuzz"
JOBS="${JOBS:-$(nproc)}"

CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DIMINE_FUZZ=ON -DIMINE_BUILD_TESTS=OFF -DIMINE_NATIVE=OFF > /dev/null
cmake --build "$BUILD" -j"$JOBS" --target imine_fuzz_shard imine_fuzz_ini

# libhdf5 1.10 trusts the length a variable-length string claims in the file and allocates it
# (up to 4 GiB, twice) before imine sees a byte; no 1.10 API bounds that. Allocations above
# 1 GiB therefore fail (return NULL) as on a memory-limited node, and HDF5 reports an error.
# imine's own allocations in the targets are bounded by their ReaderLimits far below that (a
# NULL from operator new would still crash and be reported). Leaks at exit are HDF5's.
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:max_allocation_size_mb=1024"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# The same libhdf5 also spins for a long time (or forever) in its global-heap code on some
# forged variable-length strings, inside H5Aread, before imine can check anything (a rank
# would hang there: the watchdog, --step-timeout, ends such a job). The shard target therefore
# runs in fork mode and keeps going past timeouts, saving them as build/fuzz/timeout-*; crashes
# and sanitizer reports still stop it and fail the script.
declare -A extra=([shard]="-fork=1 -ignore_timeouts=1" [ini]="")
status=0
for target in shard ini; do
  corpus="$BUILD/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzz: imine_fuzz_$target for ${SECONDS_PER_TARGET}s"
  # shellcheck disable=SC2086
  (cd "$BUILD" && "./tests/fuzz/imine_fuzz_$target" -max_total_time="$SECONDS_PER_TARGET" \
     -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 ${extra[$target]} \
     "$corpus" "$ROOT/tests/fuzz/corpus/$target") || status=1
done
exit $status
