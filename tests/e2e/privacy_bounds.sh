# Contribution bound: `imine prepare --max-events-per-user N` keeps each user's N most recent
# events (at any rank count), and the report counts the cut events and users. Count threshold:
# with --min-users 3, a category two users have and an item one user has are folded into
# "(other)", so the catalog (and so every feature and label) no longer names them.
source "$(dirname "$0")/lib.sh"
"$PY" - <<'PY'
with open("ev.csv", "w") as f:
    f.write("user,item,time,cat\n")
    for u in range(60):
        for k in range(2 + u % 12):  # user u has 2 + u % 12 events at times t(u, k)
            f.write(f"u{u},i{(u * 7 + k) % 30},{1600000000 + u * 1000 + k * 60},c{(u + k) % 4}\n")
    # Rare: category "secret" (users 0 and 1, items i90 and i91), item i92 (user 2 only).
    for u, item, cat in ((0, "i90", "secret"), (1, "i91", "secret"), (2, "i92", "c0")):
        f.write(f"u{u},{item},{1500000000 + u},{cat}\n")
PY
for np in 1 2; do
  run_np "$np" 120 -- prepare --input ev.csv --header --user-col user --item-col item \
    --time-col time --time-format seconds --category-col cat --out "d$np" --shards 3 \
    --id-key-file k.key --max-events-per-user 5 --min-users 3 > "log$np.txt" 2>&1 || fail "prepare np $np: $(tail -3 log$np.txt)"
  "$PY" - "d$np" <<'PY' || fail "np $np: wrong events kept or counted"
import glob, json, sys, h5py, numpy as np
d = sys.argv[1]
n = {u: 2 + u % 12 for u in range(60)}
n[0] += 1; n[1] += 1; n[2] += 1  # the rare events are the oldest: cut where a user is capped
want_cut = sum(max(0, c - 5) for c in n.values())
rep = json.load(open(f"{d}/prepare-report.json"))
assert rep["dropped"]["user_cap_oldest"] == want_cut, (rep["dropped"], want_cut)
assert rep["users"]["capped"] == sum(c > 5 for c in n.values()), rep["users"]
seen = {}
for p in glob.glob(f"{d}/part-*.h5"):
    with h5py.File(p, "r") as f:
        off, t = f["events/offsets"][...], f["events/time"][...]
        for i in range(len(off) - 1):
            ts = t[off[i]:off[i + 1]] - 1600000000
            u = int(ts.max() // 1000)
            seen[u] = sorted(int(x % 1000 // 60) if x >= 0 else -1 for x in ts)
assert len(seen) == 60
for u, ks in seen.items():  # the most recent min(n, 5) events, no older one
    want = list(range(n[u] - 1)) if u < 3 else list(range(n[u]))  # k of each event
    want = ([-1] if u < 3 else []) + want
    assert ks == want[-5:], (u, ks, want)
with h5py.File(f"{d}/catalog.h5", "r") as f:
    names = [x.decode() for x in f["categories/name"][...]]
    items = [x.decode() for x in f["items/name"][...]]
assert names == ["c0", "c1", "c2", "c3", "(other)"], names
assert rep["categories_folded_to_other"] == 1, rep
assert not any(i in ("i90", "i91", "i92") for i in items), items
PY
done
grep -q "cut to --max-events-per-user" log1.txt || fail "summary does not mention the cut"
echo "max-events-per-user keeps the most recent events and is counted"
