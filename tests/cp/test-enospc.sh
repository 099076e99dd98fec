# ENOSPC on a small tmpfs: every method fails with a clear message, leaves
# no partial file or temporary, and an existing destination keeps its data.
#   bash test-enospc.sh URING_CP
source "$(dirname "$0")/lib.sh"

[[ $(id -u) == 0 ]] || skip "mounting a tmpfs needs root"
mkdir "$WORK/small"
mount -t tmpfs -o size=4m uring-cp-test "$WORK/small" 2>"$WORK/mount.err" ||
  skip "mount -t tmpfs not permitted here: $(cat "$WORK/mount.err")"
CLEANUP=("umount '$WORK/small'" "${CLEANUP[@]}")

random_file "$WORK/big" $((8 * 1024 * 1024))
mkdir -p "$WORK/tree/src"
for i in 1 2 3 4 5 6; do random_file "$WORK/tree/src/f$i" $((1024 * 1024)); done

for variant in fixed plain posix kernel "fixed --direct" "plain --direct" "posix --direct"; do
  read -r method direct <<<"$variant"
  note "$variant: new destination"
  run 1 --method="$method" $direct "$WORK/big" "$WORK/small/new"
  grep -qE "(error writing|cannot allocate space for) '$WORK/small/new': No space left on device" \
    "$WORK/err" || fail "unclear message: $(cat "$WORK/err")"
  [[ -z $(ls -A "$WORK/small") ]] || fail "left behind: $(ls -A "$WORK/small")"

  note "$variant: existing destination untouched"
  echo "precious" >"$WORK/small/existing"
  run 1 --method="$method" $direct "$WORK/big" "$WORK/small/existing"
  [[ $(cat "$WORK/small/existing") == precious ]] || fail "existing destination changed"
  [[ $(ls -A "$WORK/small") == existing ]] || fail "left behind: $(ls -A "$WORK/small")"
  rm "$WORK/small/existing"

  note "$variant: a tree that does not fit: what is there is complete"
  run 1 -r --method="$method" $direct --queue-depth=4 "$WORK/tree/src" "$WORK/small/t"
  expect_err "No space left on device"
  no_temporaries "$WORK/small"
  for f in "$WORK"/small/t/*; do
    [[ -e $f ]] || continue
    same_file "$WORK/tree/src/$(basename "$f")" "$f"
  done
  rm -rf "$WORK/small/t"
done
echo PASS
