# Sourced by the job scripts: where imine is and how ranks are launched.
#   IMINE_BIN       the imine executable (default: imine on PATH, else build/release/imine)
#   IMINE_LAUNCHER  srun (default inside a Slurm job) or mpirun
#   IMINE_NP        ranks for mpirun (default: $SLURM_NTASKS, else 2)
set -euo pipefail
IMINE_HOME="${IMINE_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
if [ -z "${IMINE_BIN:-}" ]; then
  IMINE_BIN="$(command -v imine || echo "$IMINE_HOME/build/release/imine")"
fi
[ -x "$IMINE_BIN" ] || { echo "jobs: imine executable not found at $IMINE_BIN (set IMINE_BIN)" >&2; exit 2; }
if [ -z "${IMINE_LAUNCHER:-}" ]; then
  if [ -n "${SLURM_JOB_ID:-}" ]; then IMINE_LAUNCHER=srun; else IMINE_LAUNCHER=mpirun; fi
fi
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

# imine_cmd ARGS...: sets the array IMINE_CMD to the launch command for imine ARGS on every rank.
imine_cmd() {
  case "$IMINE_LAUNCHER" in
    # PMIx is what Debian's (and most sites') Open MPI speaks; --mpi=pmi2 does not work with it.
    srun) IMINE_CMD=(srun --mpi=pmix "$IMINE_BIN" "$@") ;;
    mpirun)
      local np="${IMINE_NP:-${SLURM_NTASKS:-2}}"
      IMINE_CMD=(mpirun -np "$np")
      [ "$np" -gt "$(nproc)" ] && IMINE_CMD+=(--oversubscribe)
      IMINE_CMD+=("$IMINE_BIN" "$@") ;;
    *) echo "jobs: IMINE_LAUNCHER must be srun or mpirun, not $IMINE_LAUNCHER" >&2; return 2 ;;
  esac
}

# imine_run ARGS...: runs imine ARGS on every rank and waits.
imine_run() {
  imine_cmd "$@"
  "${IMINE_CMD[@]}"
}
