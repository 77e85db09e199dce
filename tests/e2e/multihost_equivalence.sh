# 4 hosts x 1 rank over TCP (network namespaces, scripts/netns-cluster.sh) train to the same
# parameters as np 4 on shared memory with the same seed, and label every user identically.
# Both sum gradients with MPI (--reducer mpi on the one host, where auto would take the
# shared-memory reducer, whose rank-order sums differ in the last bits at 4 ranks).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/multihost_lib.sh"
cluster_up 4
run_np 2 120 -- synth --users 3000 --items 2000 --shards 4 --seed 6 --out data > /dev/null
# Small buckets: several nonblocking allreduces per step cross the network.
args=(train --data data --seed 5 --batch-size 64 --max-steps 40 --epochs 3 --hidden 64,32
      --dropout 0.2 --eval-every 0 --checksum-every 10 --progress-seconds 1000 --bucket-mb 0.01
      --write-labels)
run_np 4 120 -- "${args[@]}" --reducer mpi --out shm > shm.log 2>&1 || fail "np 4 shared memory: $(tail -5 shm.log)"
run_hosts 4 120 -- "${args[@]}" --out tcp > tcp.log 2>&1 || fail "4 hosts over TCP: $(tail -5 tcp.log)"
"$PY" "$IMINE_SOURCE_DIR/scripts/compare_checkpoints.py" --exact \
  shm/checkpoints/ckpt-00000040.h5 tcp/checkpoints/ckpt-00000040.h5 \
  || fail "4 hosts over TCP and np 4 over shared memory give different parameters"
"$PY" - shm/labels.h5 tcp/labels.h5 <<'EOF' || fail "labels differ between shared memory and TCP"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
    names = []
    a.visit(lambda n: names.append(n) if isinstance(a[n], h5py.Dataset) else None)
    assert names, "no datasets in " + sys.argv[1]
    for n in names:
        x, y = a[n][()], b[n][()]
        # Variable-length strings read as objects: compare values, everything else bitwise.
        same = (x.tolist() == y.tolist()) if x.dtype.kind == "O" else x.tobytes() == y.tobytes()
        if x.shape != y.shape or not same:
            sys.exit(f"/{n} differs")
    print(f"labels: {len(names)} datasets, {a['/users/id'].shape[0]} users identical")
EOF
echo "4 hosts over TCP == np 4 over shared memory (bitwise parameters, identical labels)"
