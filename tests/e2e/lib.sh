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

# wait_job JOBPID SECONDS [WHAT]: waits at most SECONDS for a background job; sets rc (its exit
# code) and ms (time waited). A job still running then is killed and fails the test, saying
# "the job was still running SECONDS s WHAT" (default "later").
wait_job() {
  local job="$1" limit="$2" what="${3:-later}" start i
  start=$(date +%s%N)
  for i in $(seq 1 $((limit * 20))); do
    kill -0 "$job" 2> /dev/null || break
    sleep 0.05
  done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if kill -0 "$job" 2> /dev/null; then
    kill -9 "$job"
    fail "the job was still running $limit s $what"
  fi
  rc=0
  wait "$job" || rc=$?
}
