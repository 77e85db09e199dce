#!/usr/bin/env bash
# Submits the whole pipeline to Slurm as a chain (each step starts only if the previous one
# succeeded) and prints the job ids:
#   data:  prepare.sbatch when IMINE_INPUT is set (raw logs), else synth.sbatch
#   train: train.sbatch (preemption-safe, requeues itself)
#   label: label.sbatch
# Usage: IMINE_CONFIG=configs/X.ini IMINE_DATA=/shared/data IMINE_RUN=/shared/runs/a jobs/pipeline.sh
# Extra sbatch options (account, partition, nodes) go in IMINE_SBATCH_ARGS.
set -euo pipefail
export IMINE_HOME="${IMINE_HOME:-$(cd "$(dirname "$0")/.." && pwd)}"
: "${IMINE_CONFIG:?set IMINE_CONFIG}" "${IMINE_DATA:?set IMINE_DATA}" "${IMINE_RUN:?set IMINE_RUN}"
export IMINE_CONFIG IMINE_DATA IMINE_RUN
# shellcheck disable=SC2086
submit() { sbatch --parsable ${IMINE_SBATCH_ARGS:-} "$@"; }
if [ -n "${IMINE_INPUT:-}" ]; then
  data=$(submit "$IMINE_HOME/jobs/prepare.sbatch")
else
  data=$(submit "$IMINE_HOME/jobs/synth.sbatch")
fi
train=$(submit --dependency=afterok:"$data" "$IMINE_HOME/jobs/train.sbatch")
label=$(submit --dependency=afterok:"$train" "$IMINE_HOME/jobs/label.sbatch")
echo "data $data"
echo "train $train"
echo "label $label"
