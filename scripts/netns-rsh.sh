#!/usr/bin/env bash
# Open MPI launcher shim for test hosts made by scripts/netns-cluster.sh: use it as
#   mpirun --mca plm_rsh_agent scripts/netns-rsh.sh --hostfile $STATE/hostfile ...
# mpirun calls it like ssh: [options] HOST COMMAND... . It skips the options, finds the network
# namespace that holds HOST's address (or is named HOST), and runs the command there through a
# shell, as sshd would. Each host also gets its own UTS namespace with the namespace's name as
# hostname, so MPI_Get_processor_name (and Open MPI's per-host session folders) tell the hosts
# apart, as on real machines.
set -euo pipefail
while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done
[ $# -ge 2 ] || { echo "netns-rsh: usage: netns-rsh.sh [options] HOST COMMAND..." >&2; exit 255; }
host="$1"
shift
target=""
for ns in $(ip netns list | awk '{print $1}'); do
  if [ "$ns" = "$host" ] || ip -n "$ns" -o -4 addr show 2> /dev/null | grep -q " inet $host/"; then
    target="$ns"
    break
  fi
done
[ -n "$target" ] || { echo "netns-rsh: no network namespace holds host '$host'" >&2; exit 255; }
# ssh joins its arguments with spaces for the remote shell; do the same.
exec ip netns exec "$target" unshare --uts sh -c 'hostname "$1" && exec sh -c "$2"' sh "$target" "$*"
