# ENOSPC on a small tmpfs: every method fails with a clear message, leaves
# no partial file or temporary, and an existing destination keeps its data;
# in a tree, the file that does not fit is reported, what was copied before
# it is complete and identical, and what comes after it is still copied.
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
# In name order: small files, one that cannot fit, small files after it.
mkdir -p "$WORK/mid/src/d"
for f in a1 a2 d/a3; do random_file "$WORK/mid/src/$f" 100000; done
random_file "$WORK/mid/src/d/b-big" $((6 * 1024 * 1024))
for f in d/c1 d/c2 e; do random_file "$WORK/mid/src/$f" 100000; done

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

  note "$variant: a tree that fills the disk mid-way; an existing file it would replace"
  mkdir -p "$WORK/small/m/src/d"
  echo precious >"$WORK/small/m/src/d/b-big"
  # One block in flight: files are done in name order (the posix and kernel
  # methods still copy a few at once).
  run 1 -r --method="$method" $direct --queue-depth=1 "$WORK/mid/src" "$WORK/small/m"
  grep -qE "(error writing|cannot allocate space for) '$WORK/small/m/src/d/b-big': No space left on device" \
    "$WORK/err" || fail "the file that did not fit is not reported: $(cat "$WORK/err")"
  [[ $(cat "$WORK/small/m/src/d/b-big") == precious ]] || fail "existing d/b-big changed"
  no_temporaries "$WORK/small"
  copied=0
  for f in a1 a2 d/a3 d/c1 d/c2 e; do
    [[ -e $WORK/small/m/src/$f ]] || continue
    same_file "$WORK/mid/src/$f" "$WORK/small/m/src/$f"
    copied=$((copied + 1))
  done
  if [[ $method == fixed || $method == plain ]]; then
    ((copied == 6)) || fail "only $copied of the 6 files that fit were copied: $(cat "$WORK/err")"
  fi
  rm -rf "$WORK/small/m"
done
echo PASS
