# --help lists every option with its default; a config file with an unknown key fails naming it.
source "$(dirname "$0")/lib.sh"
"$IMINE_BIN" train --help > help.txt
for opt in data out seed epochs batch-size hidden dropout lr eval-every resume write-labels; do
  grep -q -- "--$opt" help.txt || fail "train --help does not list --$opt"
done
grep -q "default" help.txt || fail "train --help shows no defaults"
printf 'epochs = 2\nbogus-key = 3\n' > bad.ini
if "$IMINE_BIN" train --config bad.ini --data x --out y 2> err.txt; then
  fail "unknown config key accepted"
fi
grep -q "bogus-key" err.txt || fail "error does not name the key: $(cat err.txt)"
grep -q "bad.ini" err.txt || fail "error does not name the file: $(cat err.txt)"
grep -q "imine: rank 0:" err.txt || fail "error lacks the rank prefix: $(cat err.txt)"
if "$IMINE_BIN" train --data x --out y --epochs 0 2> err.txt; then fail "epochs 0 accepted"; fi
grep -q -- "epochs" err.txt || fail "range error does not name the option"
"$IMINE_BIN" train --config "$IMINE_SOURCE_DIR/configs/quickstart.ini" --print-config > eff.ini
grep -q "^epochs" eff.ini || fail "--print-config lacks epochs"
echo "cli options: ok"
