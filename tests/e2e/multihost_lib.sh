# Shared by the multihost_*.sh tests (after lib.sh): test hosts made of network namespaces
# (scripts/netns-cluster.sh), removed again when the test ends however it ends, and mpirun
# across them over TCP only.
CLUSTER="$IMINE_SOURCE_DIR/scripts/netns-cluster.sh"
RSH="$IMINE_SOURCE_DIR/scripts/netns-rsh.sh"
# A prefix of this test process: a cluster left by a killed run has another one.
export NETNS_PREFIX="t$(printf '%05d' $(($$ % 100000)))"
export NETNS_STATE="$WORK/cluster"

# Skip (77) with the reason where namespaces cannot be made (no root, no iproute2, a container
# without CAP_NET_ADMIN).
reason=$(bash "$CLUSTER" check) || {
  rc=$?
  [ "$rc" -eq 77 ] && { echo "SKIP: $reason"; exit 77; }
  fail "netns-cluster.sh check failed: $reason"
}

# Clusters of earlier test processes that are gone (killed before their trap ran).
for stale in $(ip netns list | awk '{print $1}' | sed -n 's/^t\([0-9]\{5\}\)-h[0-9]*$/\1/p' | sort -u); do
  if [ "$stale" != "${NETNS_PREFIX#t}" ] && ! kill -0 "$((10#$stale))" 2> /dev/null; then
    NETNS_PREFIX="t$stale" NETNS_STATE="$WORK/stale" bash "$CLUSTER" down > /dev/null
  fi
done

# IMINE_KEEP_WORK=1 keeps the scratch folder (logs) for a look after a failure.
trap 'bash "$CLUSTER" down > /dev/null 2>&1; [ -n "${IMINE_KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

# cluster_up N: hosts 1..N; sets SUBNET and HOSTFILE.
cluster_up() {
  bash "$CLUSTER" up "$1" > /dev/null
  SUBNET=$(sed -n 's/^SUBNET=//p' "$NETNS_STATE/env")
  HOSTFILE="$NETNS_STATE/hostfile"
}

# run_hosts NP [timeout-seconds] -- imine args...: one rank per host, TCP between hosts only.
# rtc ^hwloc: several daemons on one machine sometimes crash in hwloc's shared-memory topology.
# oob_tcp_keepalive_*: mpirun notices an unreachable daemon within about 3 s of silence and
# ends the job naming the host; with the defaults (300 s, then 9 probes 20 s apart) it would
# wait half an hour, and a job aborted meanwhile hangs in mpirun until then (docs/multihost.md).
run_hosts() {
  local np="$1"; shift
  local limit=240
  if [ "$1" != "--" ]; then limit="$1"; shift; fi
  shift  # --
  timeout --kill-after=5 "$limit" "$MPIEXEC" -np "$np" --hostfile "$HOSTFILE" \
    --mca plm_rsh_agent "$RSH" --mca btl tcp,self --mca btl_tcp_if_include "$SUBNET" \
    --mca oob_tcp_if_include "$SUBNET" --mca rtc ^hwloc --mca oob_tcp_keepalive_time 1 --mca oob_tcp_keepalive_intvl 1 \
    --mca oob_tcp_keepalive_probes 2 --map-by node "${MPI_EXTRA[@]}" \
    "$IMINE_BIN" "$@"
}
MPI_EXTRA=()

# wait_for_file PATH SECONDS JOBPID LOG: fails the test if PATH does not appear in time, or at
# once (showing the end of LOG) if the job ends first.
wait_for_file() {
  local i
  for i in $(seq 1 $(($2 * 20))); do
    [ -e "$1" ] && return 0
    kill -0 "$3" 2> /dev/null || fail "the job ended before $1 appeared: $(tail -15 "$4")"
    sleep 0.05
  done
  fail "$1 did not appear within $2 s"
}

# host_addr I: host I's address (line I of the hostfile).
host_addr() { sed -n "${1}s/ .*//p" "$HOSTFILE"; }

# names_host LOG I RANK: LOG names host I (its address, or its name, which netns-rsh.sh makes
# the namespace's) or MPI rank RANK; fails the test otherwise.
names_host() {
  local addr
  addr=$(host_addr "$2")
  grep -E "$addr([^0-9]|$)|$NETNS_PREFIX-h$2([^0-9]|$)|rank $3([^0-9]|$)" "$1" \
    || fail "no message names host $2 ($addr, $NETNS_PREFIX-h$2) or rank $3: $(tail -15 "$1")"
}
