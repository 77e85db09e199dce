#!/usr/bin/env bash
# The same pipeline as jobs/pipeline.sh on one machine with plain mpirun (IMINE_NP ranks,
# default 2), step after step: data (prepare or synth), train, label.
set -euo pipefail
export IMINE_HOME="${IMINE_HOME:-$(cd "$(dirname "$0")/.." && pwd)}"
export IMINE_LAUNCHER=mpirun
: "${IMINE_CONFIG:?set IMINE_CONFIG}" "${IMINE_DATA:?set IMINE_DATA}" "${IMINE_RUN:?set IMINE_RUN}"
export IMINE_CONFIG IMINE_DATA IMINE_RUN
if [ -n "${IMINE_INPUT:-}" ]; then
  bash "$IMINE_HOME/jobs/prepare.sbatch"
else
  bash "$IMINE_HOME/jobs/synth.sbatch"
fi
bash "$IMINE_HOME/jobs/train.sbatch"
bash "$IMINE_HOME/jobs/label.sbatch"
echo "labels: ${IMINE_LABELS:-$IMINE_RUN/labels.h5}"
