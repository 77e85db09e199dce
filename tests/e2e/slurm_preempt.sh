# train.sbatch on a real Slurm, sent USR1 mid-run (as --signal=B:USR1 would): imine checkpoints
# and exits 75, the script requeues the job, the requeued job resumes and finishes with the same
# final parameters as an uninterrupted run.
source "$(dirname "$0")/slurm_lib.sh"
export IMINE_CONFIG="$WORK/small.ini" IMINE_DATA="$WORK/data" IMINE_RUN="$WORK/run"
printf '[synth]\nusers = 6000\nitems = 3000\nshards = 2\n[train]\nepochs = 6\nbatch-size = 64\nhidden = 64,32\neval-every = 0\nprogress-seconds = 0.1\n' > "$IMINE_CONFIG"
run_np 2 120 -- synth --config "$IMINE_CONFIG" --out "$IMINE_DATA" > /dev/null
run_np 2 200 -- train --config "$IMINE_CONFIG" --data "$IMINE_DATA" --out "$WORK/straight" \
  > /dev/null 2>&1
# A 3 s pause at step 20 (timing only) keeps the run alive while the signal is on its way. The
# signal goes out once the pause has begun (its log line): a whole run is under a second, so
# waiting for the first progress line instead could miss the pause.
id=$(cd "$WORK" && IMINE_FAULT="rank=0,step=20,phase=forward,action=sleep=3" \
  sbatch --parsable "$IMINE_SOURCE_DIR/jobs/train.sbatch")
log="$WORK/imine-train-$id.out"
pause="IMINE_FAULT .* at forward step 20: sleep 3 s"
for _ in $(seq 1 600); do grep -q "$pause" "$log" 2>/dev/null && break; sleep 0.05; done
grep -q "$pause" "$log" || fail "training did not reach the pause: $(cat "$log" 2>/dev/null)"
scancel --signal=USR1 --batch "$id"
# Slurm holds a requeued batch job for about two minutes before it is eligible again; the test
# (not the job script) lets it start at once.
for _ in $(seq 1 600); do
  scontrol show job "$id" | grep -q "Restarts=[1-9]" && [ "$(job_state "$id")" = PENDING ] && break
  sleep 0.1
done
# Release it only once the node has cleaned up the first run (idle again): starting at once can
# race the previous allocation's teardown and fail the launch.
for _ in $(seq 1 300); do sinfo -h -o '%T' | grep -qx idle && break; sleep 0.1; done
sleep 1
scontrol update jobid="$id" StartTime=now || true
wait_jobs 200 "$id"
[ "$(job_state "$id")" = COMPLETED ] || { scontrol show job "$id" >&2; grep -iE "job.?$id|requeue" "$IMINE_SLURM_DIR"/log/slurmctld.log | tail -20 >&2; fail "job $id ended $(job_state "$id"): $(tail "$log")"; }
grep -q "requeueing job $id" "$log" || fail "the job was not requeued: $(tail "$log")"
grep -q "resuming from" "$log" || fail "the requeued job did not resume: $(tail "$log")"
final=$(ls "$WORK"/straight/checkpoints/ckpt-*.h5 | tail -1)
"$PY" "$IMINE_SOURCE_DIR/scripts/compare_checkpoints.py" --exact "$final" \
  "$IMINE_RUN/checkpoints/$(basename "$final")" || fail "final parameters differ"
echo "preempted, requeued and resumed: $(grep -c 'resuming from' "$log") resume(s)"
