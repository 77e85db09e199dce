#!/usr/bin/env bash
# A private single-node Slurm on localhost for tests: munged with its own socket and key,
# slurmctld and slurmd, config and state under one folder, stopped by the recorded pids.
#   scripts/local-slurm.sh start   # prints nothing on success; waits until the node is idle
#   scripts/local-slurm.sh env     # prints `export SLURM_CONF=...` for clients
#   scripts/local-slurm.sh stop
# IMINE_SLURM_DIR (default /tmp/imine-slurm-$UID) holds everything; IMINE_SLURM_CPUS (default 4)
# is the node's declared CPU count (config_overrides lets it exceed the real cores, so 4-rank
# jobs run oversubscribed instead of pending).
set -euo pipefail
DIR="${IMINE_SLURM_DIR:-/tmp/imine-slurm-$(id -u)}"
CPUS="${IMINE_SLURM_CPUS:-4}"
PORT="${IMINE_SLURM_PORT:-6917}"
HOST="$(hostname -s)"
CONF="$DIR/slurm.conf"

die() { echo "local-slurm: $*" >&2; exit 1; }

need() {
  for b in munged slurmctld slurmd sinfo; do
    command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] || die "$b not found (apt-get install slurm-wlm munge)"
  done
}

write_conf() {
  mkdir -p "$DIR"/{munge,state,spool,log}
  chmod 755 "$DIR" "$DIR/munge"
  if [ ! -f "$DIR/munge/munge.key" ]; then
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
  fi
  chmod 400 "$DIR/munge/munge.key"
  cat > "$DIR/taskprolog.sh" <<'EOP'
#!/bin/sh
# Jobs run as root in the test cluster; Open MPI wants to be told that is intended.
if [ "$(id -u)" -eq 0 ]; then
  echo "export OMPI_ALLOW_RUN_AS_ROOT=1"
  echo "export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"
fi
EOP
  chmod 755 "$DIR/taskprolog.sh"
  cat > "$CONF" <<EOC
ClusterName=imine-test
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=$(id -un)
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$DIR/munge/munge.socket.2
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
TaskProlog=$DIR/taskprolog.sh
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0
MpiDefault=pmix
SlurmdParameters=config_overrides
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
ReturnToService=2
KillWait=5
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS Sockets=1 CoresPerSocket=$CPUS ThreadsPerCore=1 RealMemory=16000 State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOC
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  need
  write_conf
  export SLURM_CONF="$CONF"
  if ! alive "$DIR/munged.pid"; then
    /usr/sbin/munged --socket="$DIR/munge/munge.socket.2" --key-file="$DIR/munge/munge.key" \
      --pid-file="$DIR/munged.pid" --log-file="$DIR/log/munged.log" \
      --seed-file="$DIR/munge/munge.seed" --force
  fi
  alive "$DIR/slurmctld.pid" || /usr/sbin/slurmctld -c -f "$CONF"
  alive "$DIR/slurmd.pid" || /usr/sbin/slurmd -c -f "$CONF"
  for _ in $(seq 1 100); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^idle'; then return 0; fi
    sleep 0.2
  done
  scontrol update nodename="$HOST" state=resume 2>/dev/null || true
  sinfo -h -o '%T' 2>/dev/null | grep -qE '^idle' && return 0
  tail -n 20 "$DIR"/log/*.log >&2 || true
  die "the node did not become idle (logs above)"
}

stop() {
  for p in slurmd slurmctld munged; do
    if alive "$DIR/$p.pid"; then
      kill "$(cat "$DIR/$p.pid")" 2>/dev/null || true
    fi
  done
  for _ in $(seq 1 50); do
    alive "$DIR/slurmd.pid" || alive "$DIR/slurmctld.pid" || alive "$DIR/munged.pid" || break
    sleep 0.1
  done
  rm -f "$DIR"/*.pid
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) die "usage: $0 start|stop|env" ;;
esac
