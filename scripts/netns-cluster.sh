#!/usr/bin/env bash
# Test "hosts" on one machine: N network namespaces joined by a bridge, for multi-host MPI runs
# over TCP (docs/multihost.md). Needs root and iproute2.
#
#   netns-cluster.sh up N            create hosts 1..N, print the state folder
#   netns-cluster.sh down            remove everything this prefix made (idempotent)
#   netns-cluster.sh status          namespaces, addresses, qdiscs
#   netns-cluster.sh shape H|all RATE [BURST]   token-bucket (tbf) limit on host H's link, both
#                                    directions (RATE as tc takes it: 500mbit, 1gbit, 5gbit)
#   netns-cluster.sh unshape H|all   remove the limit
#   netns-cluster.sh link H down|up  cut or restore host H's link (carrier lost in the host)
#   netns-cluster.sh pids H          processes inside host H's namespace
#   netns-cluster.sh kill H          SIGKILL every process inside host H's namespace
#   netns-cluster.sh check           exit 77 with a reason when namespaces cannot be made here
#
# Everything made carries NETNS_PREFIX (default "imn", at most 6 characters): namespaces
# PREFIX-hI, bridge PREFIXbr, veth pairs PREFIXvI (root side) / eth0 (host side). Give each test
# its own prefix: a leftover from a killed run then never collides with the next one. The subnet
# is the first /24 of 198.18.0.0/15 (RFC 2544 benchmarking range) not present on any interface
# of the root namespace; the bridge holds .1 (mpirun's daemons call back to it), host I holds
# .(10+I). State (hostfile, subnet) is in NETNS_STATE (default /tmp/imine-netns-PREFIX).
# No other interface is touched: every command names a device this prefix made.
set -euo pipefail

PREFIX="${NETNS_PREFIX:-imn}"
[[ "$PREFIX" =~ ^[a-z][a-z0-9]{0,5}$ ]] ||
  { echo "netns-cluster: NETNS_PREFIX '$PREFIX' must be 1-6 of [a-z0-9], starting a-z" >&2; exit 2; }
STATE="${NETNS_STATE:-/tmp/imine-netns-$PREFIX}"
BR="${PREFIX}br"

die() { echo "netns-cluster: $*" >&2; exit 1; }
ns_of() { echo "${PREFIX}-h$1"; }
veth_of() { echo "${PREFIX}v$1"; }

hosts() {  # host numbers made by this prefix, from the namespaces that exist
  ip netns list 2>/dev/null | awk '{print $1}' | sed -n "s/^${PREFIX}-h\([0-9]\+\)$/\1/p" | sort -n
}

host_list() {  # H|all -> host numbers
  if [ "$1" = all ]; then
    hosts
  else
    [[ "$1" =~ ^[0-9]+$ ]] || die "host '$1' is not a number or 'all'"
    ip netns list | awk '{print $1}' | grep -qx "$(ns_of "$1")" || die "no host $1 (prefix $PREFIX)"
    echo "$1"
  fi
}

check() {
  [ "$(id -u)" -eq 0 ] || { echo "netns-cluster: needs root (ip netns)"; exit 77; }
  command -v ip > /dev/null || { echo "netns-cluster: iproute2 (ip) not installed"; exit 77; }
  local probe="${PREFIX}-probe"
  if ! ip netns add "$probe" 2> /dev/null; then
    echo "netns-cluster: cannot create network namespaces here (ip netns add failed)"
    exit 77
  fi
  ip netns del "$probe"
  if ! ip link add "${PREFIX}pb" type bridge 2> /dev/null; then
    echo "netns-cluster: cannot create a bridge here (ip link add type bridge failed)"
    exit 77
  fi
  ip link del "${PREFIX}pb"
}

free_subnet() {  # first 198.18.X.0/24 or 198.19.X.0/24 not on any root-namespace interface
  local used a b
  used=$(ip -o -4 addr show | awk '{print $4}')
  for a in 18 19; do
    for b in $(seq 0 255); do
      grep -q "^198\.$a\.$b\." <<< "$used" || { echo "198.$a.$b"; return 0; }
    done
  done
  die "no free /24 left in 198.18.0.0/15"
}

up() {
  local n="$1" i ns veth net
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 200 ] || die "up: N must be 1..200"
  down > /dev/null  # idempotent: start from nothing
  trap 'down > /dev/null 2>&1' ERR
  net=$(free_subnet)
  mkdir -p "$STATE"
  ip link add "$BR" type bridge
  ip addr add "$net.1/24" dev "$BR"
  ip link set "$BR" up
  : > "$STATE/hostfile"
  for i in $(seq 1 "$n"); do
    ns=$(ns_of "$i")
    veth=$(veth_of "$i")
    ip netns add "$ns"
    ip link add "$veth" type veth peer name "${PREFIX}p$i"
    ip link set "${PREFIX}p$i" netns "$ns"
    ip -n "$ns" link set "${PREFIX}p$i" name eth0
    ip -n "$ns" addr add "$net.$((10 + i))/24" dev eth0
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    ip link set "$veth" master "$BR"
    ip link set "$veth" up
    echo "$net.$((10 + i)) slots=1" >> "$STATE/hostfile"
  done
  trap - ERR
  {
    echo "NETNS_PREFIX=$PREFIX"
    echo "SUBNET=$net.0/24"
    echo "ROOT_ADDR=$net.1"
    echo "HOSTS=$n"
  } > "$STATE/env"
  echo "$STATE"
}

down() {
  local i
  for i in $(hosts); do
    # Processes left in a namespace (a killed test's ranks) keep it alive: end them first.
    kill_host "$i" 2> /dev/null || true
    ip netns del "$(ns_of "$i")" 2> /dev/null || true
    ip link del "$(veth_of "$i")" 2> /dev/null || true
  done
  # Root-side veths whose namespace is already gone (a half-made host).
  for i in $(ip -o link show | awk -F': ' '{print $2}' | sed -n "s/^\(${PREFIX}v[0-9]\+\)@.*/\1/p"); do
    ip link del "$i" 2> /dev/null || true
  done
  ip link del "$BR" 2> /dev/null || true
  rm -rf "$STATE"
  echo "netns-cluster: prefix $PREFIX removed"
}

status() {
  [ -f "$STATE/env" ] && cat "$STATE/env"
  ip -br addr show dev "$BR" 2> /dev/null || echo "no bridge $BR"
  local i
  for i in $(hosts); do
    echo "host $i ($(ns_of "$i")): $(ip -n "$(ns_of "$i")" -br addr show dev eth0 2> /dev/null)"
    tc qdisc show dev "$(veth_of "$i")" | sed 's/^/  root side: /'
  done
}

shape() {
  local which="$1" rate="$2" burst="${3:-}" i
  # Bits/s to bytes for the bucket: 2 ms at the rate, at least one 64 KB GSO packet. The bucket
  # is sent at link speed after an idle moment, so a transfer of B bytes takes about
  # (B - burst) / rate: a small bucket keeps the scaling-model check honest (docs/multihost.md).
  # 1 Gbit/s with a single TCP stream measured 0.97 Gbit/s.
  if [ -z "$burst" ]; then
    local bps
    bps=$(numfmt --from=si <<< "$(tr a-z A-Z <<< "${rate%bit}")" 2> /dev/null) || die "shape: rate '$rate' (use e.g. 500mbit, 1gbit)"
    burst=$(( bps / 8 / 500 ))
    [ "$burst" -ge 65536 ] || burst=65536
  fi
  for i in $(host_list "$which"); do
    # Root side of the veth: traffic to the host; the host's eth0: traffic from it.
    tc qdisc replace dev "$(veth_of "$i")" root tbf rate "$rate" burst "$burst" latency 100ms
    ip netns exec "$(ns_of "$i")" tc qdisc replace dev eth0 root tbf rate "$rate" burst "$burst" \
      latency 100ms
  done
}

unshape() {
  local i
  for i in $(host_list "$1"); do
    tc qdisc del dev "$(veth_of "$i")" root 2> /dev/null || true
    ip netns exec "$(ns_of "$i")" tc qdisc del dev eth0 root 2> /dev/null || true
  done
}

kill_host() {
  local pids
  pids=$(ip netns pids "$(ns_of "$1")" 2> /dev/null || true)
  [ -z "$pids" ] || kill -9 $pids 2> /dev/null || true
}

cmd="${1:-}"
case "$cmd" in
  up) [ $# -eq 2 ] || die "usage: up N"; up "$2" ;;
  down) down ;;
  status) status ;;
  shape) [ $# -ge 3 ] || die "usage: shape H|all RATE [BURST]"; shape "$2" "$3" "${4:-}" ;;
  unshape) [ $# -eq 2 ] || die "usage: unshape H|all"; unshape "$2" ;;
  link)
    [ $# -eq 3 ] && [[ "$3" =~ ^(up|down)$ ]] || die "usage: link H down|up"
    for h in $(host_list "$2"); do ip link set "$(veth_of "$h")" "$3"; done ;;
  pids) [ $# -eq 2 ] || die "usage: pids H"; ip netns pids "$(ns_of "$(host_list "$2")")" ;;
  kill) [ $# -eq 2 ] || die "usage: kill H"; for h in $(host_list "$2"); do kill_host "$h"; done ;;
  check) check ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
