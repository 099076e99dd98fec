# Command line: --help, usage errors (exit 2), a root that is not a folder.
#   bash test-cli.sh SERVER
source "$(dirname "$0")/lib.sh"

"$SERVER" --help >"$WORK/out" 2>&1 || fail "--help failed"
for opt in --port --threads --accept --pool-buffers --buffer-size --direct --mode; do
  grep -q -- "$opt" "$WORK/out" || fail "--help does not mention $opt"
done
expect_exit() {
  local want=$1 status=0
  shift
  "$SERVER" "$@" >"$WORK/out" 2>&1 </dev/null || status=$?
  [[ $status == "$want" ]] || fail "'$*' exited $status, expected $want: $(cat "$WORK/out")"
}
expect_exit 2
expect_exit 2 "$WORK/no-such-dir"
expect_exit 2 "$ROOT" --bogus
expect_exit 2 "$ROOT" --mode warp
expect_exit 2 "$ROOT" --threads 0
expect_exit 2 "$ROOT" --threads 2 --accept everywhere
expect_exit 2 "$ROOT" --direct --buffer-size 5000
expect_exit 2 "$ROOT" --direct --mode file-body
expect_exit 1 "$ROOT" --address 203.0.113.1 # not a local address: bind fails
echo PASS
