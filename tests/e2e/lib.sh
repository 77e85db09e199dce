# Shared by the end-to-end tests: run imine under mpirun with a bound on time, in a scratch dir.
set -euo pipefail
: "${IMINE_BIN:?set by ctest}"
: "${IMINE_SOURCE_DIR:?set by ctest}"
MPIEXEC="${MPIEXEC:-mpirun}"
# Debian's python3 has python3-h5py; a pyenv python on PATH may not.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Quiet Open MPI's "help aggregation" chatter and keep shared memory on the local tmp.
export OMPI_MCA_rmaps_base_oversubscribe=1
WORK="$(mktemp -d "${TMPDIR:-/tmp}/imine-e2e.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# run_np NP [timeout-seconds] -- imine args...
run_np() {
  local np="$1"; shift
  local limit=240
  if [ "$1" != "--" ]; then limit="$1"; shift; fi
  shift  # --
  timeout --kill-after=5 "$limit" "$MPIEXEC" -np "$np" --oversubscribe "$IMINE_BIN" "$@"
}

fail() { echo "FAIL: $*" >&2; exit 1; }
