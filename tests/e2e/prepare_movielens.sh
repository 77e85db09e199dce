# imine prepare --format movielens-100k on the real files (../shared/data/movielens-100k):
# the report accounts for all 100000 ratings, np 1 and 2 agree. Exit 77 (ctest SKIP) when the
# data is absent; it is never copied into the repository.
source "$(dirname "$0")/lib.sh"
ml="$IMINE_SOURCE_DIR/../shared/data/movielens-100k"
if [ ! -f "$ml/u.data" ]; then
  echo "SKIP: MovieLens 100k not found at $ml"
  exit 77
fi
for np in 1 2; do
  run_np "$np" 120 -- prepare --format movielens-100k --input "$ml" --out "d$np" \
    --id-key-file id.key --shards 4 > "out$np.txt"
done
cat out1.txt
sums() { "$PY" -c "import h5py,sys; f=h5py.File(sys.argv[1]); print(list(f['/shards/checksum'][:]), f.attrs['num_events'], f.attrs['num_items'])" "$1/manifest.h5"; }
a="$(sums d1)"; b="$(sums d2)"
[ "$a" = "$b" ] || fail "np1 and np2 differ: $a vs $b"
"$PY" - d1 <<'PYEOF' || fail "MovieLens dataset checks"
import json, sys, h5py
d = sys.argv[1]
r = json.load(open(d + "/prepare-report.json"))
assert r["rows_read"] == 100000, r["rows_read"]
assert r["rows_kept"] + sum(r["dropped"].values()) == 100000, r
assert r["users"]["kept"] == 943 and r["items"]["kept"] == 1682, r
with h5py.File(d + "/part-00000.h5") as f:
    assert list(f["/users/attributes"].attrs["names"]) in (["age", "gender", "occupation"],
                                                           [b"age", b"gender", b"occupation"])
    assert set(f["/events/type"][:]) == {4}  # every rating is a "rate" event
with h5py.File(d + "/catalog.h5") as f:
    assert f.attrs["num_categories"] == 19
PYEOF
"$IMINE_BIN" inspect d1/manifest.h5 > /dev/null || fail "inspect"
echo "movielens-100k: $a"
