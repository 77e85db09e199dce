#!/usr/bin/env bash
# From a fresh Debian 12 machine to trained interest labels: installs the dependencies, builds
# imine (Release), generates the synthetic dataset, trains on 2 MPI ranks, writes labels with
# `imine label`, and prints the validation metrics and where everything is.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$IMINE_ROOT"
NP="${IMINE_NP:-2}"
DATA="${IMINE_DATA:-data/quickstart}"
RUN="${IMINE_RUN:-runs/quickstart}"

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$IMINE_JOBS"
IMINE=build/release/imine
MPIRUN=(mpirun -np "$NP")
[ "$NP" -gt "$(nproc)" ] && MPIRUN+=(--oversubscribe)

echo "== imine synth -> $DATA"
rm -rf "$DATA" "$RUN"
"${MPIRUN[@]}" "$IMINE" synth --config configs/quickstart.ini --out "$DATA"

echo "== imine train ($NP ranks) -> $RUN"
"${MPIRUN[@]}" "$IMINE" train --config configs/quickstart.ini --data "$DATA" --out "$RUN"

echo "== imine label"
CKPT="$RUN/checkpoints/best.h5"
"${MPIRUN[@]}" "$IMINE" label --checkpoint "$CKPT" --data "$DATA" --out "$RUN/labels.h5"
"$IMINE" inspect "$RUN/labels.h5" --rows 3 | tail -n 5

cat <<EOF2

Done.
  dataset:     $DATA (inspect with: $IMINE inspect $DATA/manifest.h5)
  checkpoint:  $CKPT
  labels:      $RUN/labels.h5
  metrics:     $RUN/metrics.jsonl (one JSON line per validation)
The table above compares the model with the POP and HIST baselines on held-out validation users.
EOF2
