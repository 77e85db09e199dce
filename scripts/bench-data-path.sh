#!/usr/bin/env bash
# The data path of `imine train` (issue #9, "Memory and the data path"):
#  1. peak RSS of training at np 1 on synthetic datasets of each size given (default 1M and
#     4M users; same generator settings otherwise), the default model, 300 steps;
#  2. end-to-end training samples/s on shards (the smallest dataset, --dropout 0 and 0.1)
#     against `imine bench`'s in-memory samples/s for the same shapes, alternating, REPEATS
#     times; medians.
# Usage: scripts/bench-data-path.sh [USERS ...]
# Env: IMINE (binary, default build/release/imine), BASE (optional second binary measured
# alternately with IMINE, e.g. the previous commit's), WORK (default /tmp/imine-data-path:
# datasets are kept there and reused), REPEATS (default 3), NP (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
IMINE=${IMINE:-build/release/imine}
BASE=${BASE:-}
WORK=${WORK:-/tmp/imine-data-path}
REPEATS=${REPEATS:-3}
NP=${NP:-1}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 4000000)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$WORK"
launch=()
[ "$NP" -gt 1 ] && launch=(mpirun -np "$NP" --oversubscribe)
run() { "${launch[@]}" "$@"; }
bins=(new)
[ -n "$BASE" ] && bins=(base new)
bin_of() { [ "$1" = base ] && echo "$BASE" || echo "$IMINE"; }
model=(--hidden 1024,512,256 --batch-size 512 --max-steps 300 --wide none --val-max-users 20000
       --eval-every 0 --progress-seconds 1000)
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
last_sps() { sed -n 's/.*"samples_per_s":\([0-9.e+]*\).*/\1/p' "$1/metrics.jsonl" | tail -1; }

for n in "${sizes[@]}"; do
  d="$WORK/synth-$n"
  if [ ! -f "$d/manifest.h5" ]; then
    echo "generating $d" >&2
    run "$IMINE" synth --out "$d" --users "$n" --items 200000 --categories 64 --archetypes 16 \
      --shards 16 > "$WORK/synth-$n.log"
  fi
done

echo "| binary | users | wall s | user s | sys s | peak RSS KB |"
echo "|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  for b in "${bins[@]}"; do
    rm -rf "$WORK/rss-run"
    /usr/bin/time -o "$WORK/time.txt" -f "%e %U %S %M" "${launch[@]}" "$(bin_of $b)" train \
      --data "$WORK/synth-$n" --out "$WORK/rss-run" "${model[@]}" > "$WORK/rss-$b-$n.log" 2>&1
    read -r wall user sys rss < "$WORK/time.txt"
    echo "| $b | $n | $wall | $user | $sys | $rss |"
  done
done

# Throughput on the smallest dataset: the model's shapes come from the training log.
n=${sizes[0]}
shape=$(sed -n 's/.*; \([0-9]*\) features, \([0-9]*\) categories.*/\1 \2/p' "$WORK/rss-new-$n.log")
read -r dim cats <<< "$shape"
echo
echo "throughput: $n users, input $dim, output $cats, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 0; r < REPEATS; r++)); do
  run "$IMINE" bench --input-dim "$dim" --hidden 1024,512,256 --output-dim "$cats" --batch 512 \
    --threads 1 | sed -n 's/.*"samples_per_s": \([0-9.e+]*\).*/\1/p' >> "$WORK/sps-bench.txt.$$"
  for b in "${bins[@]}"; do
    for dropout in 0 0.1; do
      rm -rf "$WORK/sps-run"
      run "$(bin_of $b)" train --data "$WORK/synth-$n" --out "$WORK/sps-run" "${model[@]}" \
        --dropout "$dropout" --posterior-lambda 0 > "$WORK/sps-$b-$dropout.log" 2>&1
      last_sps "$WORK/sps-run" >> "$WORK/sps-$b-$dropout.txt.$$"
    done
  done
done
bench=$(median < "$WORK/sps-bench.txt.$$")
echo "| run | samples/s (median of $REPEATS) | / bench |"
echo "|---|---|---|"
echo "| imine bench (in memory) | $bench | 1.00 |"
for b in "${bins[@]}"; do
  for dropout in 0 0.1; do
    s=$(median < "$WORK/sps-$b-$dropout.txt.$$")
    echo "| $b train on shards, dropout $dropout | $s | $(awk -v a="$s" -v b="$bench" 'BEGIN {printf "%.3f", a / b}') |"
  done
done
rm -f "$WORK"/*.txt.$$
