# Shared by the fault_*.sh tests (after lib.sh): bounded waits, finding one rank's process, and
# checking that every output under its final name is complete.

# wait_for FILE PATTERN SECONDS: polls FILE for an extended regex; fails the test on timeout.
wait_for() {
  local file="$1" pattern="$2" limit="$3" i
  for i in $(seq 1 $((limit * 20))); do
    grep -Eq "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "no line matching '$pattern' in $file within $limit s: $(tail -5 "$file" 2>/dev/null)"
}

# rank_pid MARK RANK: the pid of the imine process of MPI rank RANK whose command line contains
# MARK (a path unique to this run). mpirun's own command line contains MARK too; the binary and
# OMPI_COMM_WORLD_RANK in the environment tell the rank processes apart.
rank_pid() {
  local mark="$1" rank="$2" pid exe
  for pid in $(pgrep -f -- "$mark" || true); do
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
    [ "$exe" = "$(readlink -f "$IMINE_BIN")" ] || continue
    if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$rank"; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}

# kill_rank_and_wait MARK RANK JOBPID SECONDS: SIGKILLs that rank, then waits at most SECONDS
# for the job (mpirun, JOBPID) to end; sets rc (its exit code) and ms (time after the kill).
kill_rank_and_wait() {
  local mark="$1" rank="$2" job="$3" limit="$4" pid
  pid=$(rank_pid "$mark" "$rank") || { kill -9 "$job"; fail "no process for rank $rank of $mark"; }
  kill -9 "$pid"
  wait_job "$job" "$limit" "after rank $rank was killed"
}

# check_complete DIR: every imine output under its final name in DIR (checkpoints, best.h5,
# labels.h5) reads back whole; temp files (".NAME.tmp.PID", left by a killed writer) are listed.
check_complete() {
  local dir="$1" f n=0
  while IFS= read -r f; do
    h5dump -H "$f" > /dev/null 2>&1 || fail "$f: h5dump -H cannot read it (half-written?)"
    case "$(basename "$f")" in
      labels*.h5) "$IMINE_BIN" check-labels --labels "$f" --data data > /dev/null 2>&1 \
                    || fail "$f: check-labels fails" ;;
      *) "$PY" "$IMINE_SOURCE_DIR/scripts/compare_checkpoints.py" --exact "$f" "$f" > /dev/null \
           || fail "$f: compare_checkpoints.py cannot read it" ;;
    esac
    n=$((n + 1))
  done < <(find "$dir" -name '*.h5' ! -name '.*' | sort)
  echo "$dir: $n complete HDF5 outputs; temp files left by the kill:" \
    "$(find "$dir" -name '.*.tmp.*' -printf '%f ' | sed 's/ $//')"
}
