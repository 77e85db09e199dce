# For the Slurm tests: a private Slurm (scripts/local-slurm.sh) under the test's scratch folder,
# stopped on exit; skips (exit 77) where Slurm is not installed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if ! command -v sbatch >/dev/null || [ ! -x /usr/sbin/slurmctld ] || [ ! -x /usr/sbin/munged ]; then
  echo "SKIP: slurm-wlm and munge are not installed"
  exit 77
fi
export IMINE_SLURM_DIR="$WORK/slurm"
chmod 755 "$WORK"  # munged wants every folder above its socket to be searchable
# A free port pair, so a developer's own test cluster (or a parallel run) does not answer.
for _ in $(seq 1 50); do
  IMINE_SLURM_PORT=$((20000 + RANDOM % 20000))
  ss -ltn 2>/dev/null | grep -qE ":($IMINE_SLURM_PORT|$((IMINE_SLURM_PORT + 1)))\b" || break
done
export IMINE_SLURM_PORT
# The trap first: a start that fails half-way must not leave daemons behind.
trap '"$IMINE_SOURCE_DIR/scripts/local-slurm.sh" stop; rm -rf "$WORK"' EXIT
"$IMINE_SOURCE_DIR/scripts/local-slurm.sh" start
eval "$("$IMINE_SOURCE_DIR/scripts/local-slurm.sh" env)"
export IMINE_HOME="$IMINE_SOURCE_DIR" IMINE_BIN

# wait_jobs SECONDS ID...: until none of the jobs is pending or running.
wait_jobs() {
  local limit="$1"; shift
  local ids; ids=$(IFS=,; echo "$*")
  for _ in $(seq 1 $((limit * 5))); do
    [ -z "$(squeue -h -j "$ids" 2>/dev/null)" ] && return 0
    sleep 0.2
  done
  squeue; fail "jobs $ids still queued after ${limit}s"
}

# job_state ID: COMPLETED, FAILED, ...
job_state() { scontrol show job "$1" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
