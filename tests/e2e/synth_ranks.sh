# imine synth gives identical data (manifest content checksums) at np 1, 2 and 4.
source "$(dirname "$0")/lib.sh"
for np in 1 2 4; do
  run_np "$np" 120 -- synth --users 3000 --items 2000 --shards 5 --seed 7 --out "d$np" > /dev/null
done
sums() { "$PY" -c "import h5py,sys; f=h5py.File(sys.argv[1]); print(list(f['/shards/checksum'][:]), f.attrs['num_events'])" "$1/manifest.h5"; }
a="$(sums d1)"; b="$(sums d2)"; c="$(sums d4)"
[ "$a" = "$b" ] || fail "np1 and np2 differ: $a vs $b"
[ "$a" = "$c" ] || fail "np1 and np4 differ: $a vs $c"
"$IMINE_BIN" inspect d1/part-00000.h5 | grep -q "imine.users" || fail "inspect"
echo "synth identical at np 1/2/4: $a"
