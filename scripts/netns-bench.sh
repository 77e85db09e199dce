#!/usr/bin/env bash
# Gradient allreduce over TCP between network-namespace hosts (scripts/netns-cluster.sh) with
# every host's link shaped by tbf, for the scaling-model check in docs/multihost.md:
#
#   IMINE_BIN=build/release/imine scripts/netns-bench.sh > bench.jsonl   # then
#   scripts/netns-model.sh < bench.jsonl                                  # predicted vs measured
#
# Environment: HOSTS="2 4", RATES="none 5gbit 1gbit 500mbit", MODELS="default large",
# MPI_EXTRA (more mpirun arguments, e.g. to force an allreduce algorithm), BENCH_EXTRA (more
# imine bench arguments, e.g. --grad-precision bf16). One JSON line per run on stdout: imine
# bench's line with "hosts", "rate" and "model" added. Needs root; leaves nothing behind.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${IMINE_BIN:?set IMINE_BIN to the imine binary}"
HOSTS="${HOSTS:-2 4}"
RATES="${RATES:-none 5gbit 1gbit 500mbit}"
MODELS="${MODELS:-default large}"
read -r -a mpi_extra <<< "${MPI_EXTRA:-}"
read -r -a bench_extra <<< "${BENCH_EXTRA:-}"
export NETNS_PREFIX="${NETNS_PREFIX:-nb$(($$ % 10000))}"
export NETNS_STATE="${TMPDIR:-/tmp}/imine-netns-bench-$NETNS_PREFIX"
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
trap 'bash "$here/netns-cluster.sh" down > /dev/null 2>&1' EXIT
max_hosts=$(tr ' ' '\n' <<< "$HOSTS" | sort -n | tail -1)
bash "$here/netns-cluster.sh" up "$max_hosts" > /dev/null
subnet=$(sed -n 's/^SUBNET=//p' "$NETNS_STATE/env")

model_args() {
  case "$1" in
    # The large model's batch is cut to 256 per rank: the allreduce does not depend on it, and
    # its compute on a loaded 2-core machine would otherwise dominate the run time.
    default) echo "--input-dim 512 --hidden 1024,512,256 --output-dim 32 --batch 512 --steps 30 --warmup 5" ;;
    large) echo "--input-dim 2048 --hidden 4096,4096,2048 --output-dim 128 --batch 256 --steps 4 --warmup 1 --windows 2" ;;
    *) echo "netns-bench: unknown model '$1'" >&2; exit 2 ;;
  esac
}

for model in $MODELS; do
  read -r -a margs <<< "$(model_args "$model")"
  for rate in $RATES; do
    bash "$here/netns-cluster.sh" unshape all
    [ "$rate" = none ] || bash "$here/netns-cluster.sh" shape all "$rate"
    for n in $HOSTS; do
      line=$(timeout --kill-after=5 900 mpirun -np "$n" --hostfile "$NETNS_STATE/hostfile" \
        --mca plm_rsh_agent "$here/netns-rsh.sh" --mca btl tcp,self \
        --mca btl_tcp_if_include "$subnet" --mca oob_tcp_if_include "$subnet" --mca rtc ^hwloc \
        --map-by node "${mpi_extra[@]}" "$IMINE_BIN" bench "${margs[@]}" "${bench_extra[@]}" |
        grep '^{')
      echo "{\"hosts\": $n, \"rate\": \"$rate\", \"model\": \"$model\", \"bench\": $line}"
    done
  done
done
