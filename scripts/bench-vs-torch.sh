#!/usr/bin/env bash
# imine bench against the PyTorch CPU reference (shared/bench/torch_mlp_ref.py, Debian's
# python3-torch) on the same work: the two run alternately on this machine, RUNS times each, and
# the table shows the medians of samples/s and imine/torch. Modes: 1t (one process, one
# thread), 2t (one process, two threads; torch in its fastest form here, --threads 1
# --blas-threads 2), np2 (two ranks x one thread: imine under mpirun, torch DDP/gloo with each
# rank pinned to a core like mpirun's default binding).
#
#   scripts/bench-vs-torch.sh                      # everything (about 20 minutes on 2 cores)
#   RUNS=5 CONFIGS="small default" MODES=1t PRECISIONS="fp32 bf16" scripts/bench-vs-torch.sh
#
# Environment: IMINE_BIN (default build/release/imine, built if missing), TORCH_REF, RUNS (>= 5
# recommended), CONFIGS, MODES, PRECISIONS, OUT (raw JSON lines, default
# runs/bench-vs-torch.jsonl). OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed for the
# benchmark commands only (this machine's environment pins OpenBLAS to its AVX2 kernels, half
# the AVX-512 speed), identically for both sides.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$IMINE_ROOT"

IMINE_BIN="${IMINE_BIN:-build/release/imine}"
TORCH_REF="${TORCH_REF:-$IMINE_ROOT/../shared/bench/torch_mlp_ref.py}"
RUNS="${RUNS:-5}"
CONFIGS="${CONFIGS:-small default large}"
MODES="${MODES:-1t 2t np2}"
PRECISIONS="${PRECISIONS:-fp32 bf16}"
OUT="${OUT:-runs/bench-vs-torch.jsonl}"
PY=/usr/bin/python3

if [ ! -x "$IMINE_BIN" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release -j "$IMINE_JOBS" --target imine
fi
[ -f "$TORCH_REF" ] || { echo "bench-vs-torch: no reference at $TORCH_REF (set TORCH_REF)" >&2; exit 2; }
"$PY" -c "import torch" 2>/dev/null || {
  echo "bench-vs-torch: $PY has no torch (apt-get install -y python3-torch)" >&2; exit 2; }
mkdir -p "$(dirname "$OUT")"
: >"$OUT"

config_flags() {
  case "$1" in
    small) echo "--input-dim 64 --hidden 128,64 --output-dim 18 --batch 256 --steps 2000 --warmup 200" ;;
    default) echo "--input-dim 512 --hidden 1024,512,256 --output-dim 32 --batch 512 --steps 200 --warmup 20" ;;
    large) echo "--input-dim 2048 --hidden 4096,4096,2048 --output-dim 128 --batch 1024 --steps 8 --warmup 2" ;;
    *) echo "bench-vs-torch: unknown config $1" >&2; exit 2 ;;
  esac
}

BENCH_ENV=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
MPIRUN=(mpirun -np 2 --bind-to core)

# Prints the one JSON result line of a command (the launchers may prefix or add lines).
json_of() { grep -o '{"framework".*}' | tail -n 1; }

run_imine() {  # mode precision flags...
  local mode=$1 precision=$2; shift 2
  case "$mode" in
    1t) "${BENCH_ENV[@]}" "$IMINE_BIN" bench "$@" --threads 1 --precision "$precision" ;;
    2t) "${BENCH_ENV[@]}" "$IMINE_BIN" bench "$@" --threads 2 --precision "$precision" ;;
    np2) "${BENCH_ENV[@]}" "${MPIRUN[@]}" "$IMINE_BIN" bench "$@" --threads 1 --precision "$precision" ;;
  esac
}

run_torch() {  # mode precision flags...
  local mode=$1 precision=$2; shift 2
  case "$mode" in
    1t) "${BENCH_ENV[@]}" "$PY" "$TORCH_REF" "$@" --threads 1 --precision "$precision" ;;
    2t) "${BENCH_ENV[@]}" "$PY" "$TORCH_REF" "$@" --threads 1 --blas-threads 2 --precision "$precision" ;;
    np2) "${BENCH_ENV[@]}" "$PY" -m torch.distributed.run --nproc_per_node=2 --redirects 3:3 \
           --tee 3:3 "$TORCH_REF" --ddp --pin "$@" --threads 1 --precision "$precision" ;;
  esac
}

echo "bench-vs-torch: load before: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS alternating runs each" >&2
for config in $CONFIGS; do
  read -r -a flags <<<"$(config_flags "$config")"
  for precision in $PRECISIONS; do
    for mode in $MODES; do
      for ((r = 1; r <= RUNS; ++r)); do
        for side in imine torch; do
          line=$("run_$side" "$mode" "$precision" "${flags[@]}" 2>/dev/null | json_of || true)
          [ -n "$line" ] || { echo "bench-vs-torch: $side $config $precision $mode gave no result" >&2; continue; }
          echo "{\"side\": \"$side\", \"config\": \"$config\", \"mode\": \"$mode\", \"precision\": \"$precision\", \"load\": \"$(cut -d' ' -f1 /proc/loadavg)\", \"result\": $line}" >>"$OUT"
        done
      done
      echo "bench-vs-torch: $config $precision $mode done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    done
  done
done

"$PY" - "$OUT" <<'EOF'
import json, statistics, sys
rows = {}
loads = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    rows.setdefault((r["config"], r["precision"], r["mode"]), {}).setdefault(r["side"], []).append(
        r["result"]["samples_per_s"])
    loads.append(float(r["load"]))
print("| config | precision | mode | imine samples/s | torch samples/s | imine/torch | runs |")
print("|---|---|---|---:|---:|---:|---:|")
for (config, precision, mode), sides in rows.items():
    i = statistics.median(sides.get("imine", [0])) if sides.get("imine") else float("nan")
    t = statistics.median(sides.get("torch", [0])) if sides.get("torch") else float("nan")
    n = min(len(sides.get("imine", [])), len(sides.get("torch", [])))
    print(f"| {config} | {precision} | {mode} | {i:,.0f} | {t:,.0f} | {i / t:.2f} | {n} |")
if loads:
    print(f"\nload average (1 min) during the runs: median {statistics.median(loads):.2f}, "
          f"max {max(loads):.2f}")
EOF
