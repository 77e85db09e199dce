# imine dp-epsilon: one published epsilon vector, the inverse (noise for a target epsilon) and
# the error when no noise multiplier in range reaches the target. Figures: docs/privacy.md.
source "$(dirname "$0")/lib.sh"

# field KEY FILE: the value after "KEY" on its line of the key-value output.
field() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
# close_to GOT WANT REL: |GOT - WANT| <= REL * |WANT|.
close_to() {
  awk -v a="$1" -v b="$2" -v r="$3" \
    'BEGIN { d = a - b; if (d < 0) d = -d; if (b < 0) b = -b; exit !(a != "" && d <= r * b) }'
}

# Opacus' RDPAccountant test: sigma 1.5, q 0.04, 2250 steps, delta 1e-5 -> 7.32911117143.
# Two ranks: every rank computes, rank 0 alone prints.
run_np 2 60 -- dp-epsilon --noise-multiplier 1.5 --sample-rate 0.04 --steps 2250 \
  --delta 1e-5 --orders opacus > eps.txt
[ "$(grep -c '^epsilon ' eps.txt)" -eq 1 ] || fail "want one epsilon line: $(cat eps.txt)"
eps="$(field epsilon eps.txt)"
close_to "$eps" 7.32911117143 1e-4 || fail "epsilon $eps, want 7.32911117143"
[ "$(field best-order eps.txt)" = 3.9 ] || fail "best order $(field best-order eps.txt), want 3.9"

# --epochs instead of --steps: 90 epochs at q 0.04 are the same 2250 steps.
"$IMINE_BIN" dp-epsilon --noise-multiplier 1.5 --sample-rate 0.04 --epochs 90 --delta 1e-5 \
  --orders opacus > epochs.txt
[ "$(field steps epochs.txt)" = 2250 ] || fail "90 epochs at q 0.04: $(cat epochs.txt)"
[ "$(field epsilon epochs.txt)" = "$eps" ] || fail "--epochs gave another epsilon"

# Inverse of TF Privacy's vector (sigma 1.3, q 0.0025, 15 epochs, delta 1e-5 -> 0.72422340261).
"$IMINE_BIN" dp-epsilon --target-epsilon 0.7242234026109595 --sample-rate 0.0025 --epochs 15 \
  --delta 1e-5 --orders tf-privacy > inverse.txt
sigma="$(field noise-multiplier inverse.txt)"
close_to "$sigma" 1.3 1e-6 || fail "noise multiplier $sigma, want 1.3: $(cat inverse.txt)"
reached="$(field epsilon inverse.txt)"
awk -v e="$reached" 'BEGIN { exit !(e <= 0.7242234026109595) }' || fail "epsilon $reached > target"

# A target no noise multiplier up to the limit reaches: an error naming the options.
if "$IMINE_BIN" dp-epsilon --target-epsilon 0.5 --sample-rate 0.3 --steps 10000 --delta 1e-5 \
  > out.txt 2> err.txt; then
  fail "unreachable target accepted: $(cat out.txt)"
fi
for opt in --target-epsilon --max-noise-multiplier --sample-rate --delta; do
  grep -q -- "$opt" err.txt || fail "error does not name $opt: $(cat err.txt)"
done
grep -q "imine: rank 0:" err.txt || fail "error lacks the rank prefix: $(cat err.txt)"
echo "dp-epsilon: ok (epsilon $eps, noise multiplier $sigma)"
