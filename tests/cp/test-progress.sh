# Progress: drawn in place on stderr with --progress, never when stderr is
# not a terminal by default or with --no-progress; drawn on a terminal by
# default (checked through script(1) when it is installed).
#   bash test-progress.sh URING_CP
source "$(dirname "$0")/lib.sh"

dd if=/dev/zero of="$WORK/src" bs=1M count=64 status=none
slow=(--method=fixed --block-size=4K --queue-depth=1)

note "--progress with stderr not a terminal"
run 0 --progress "${slow[@]}" "$WORK/src" "$WORK/a"
grep -q $'\r' "$WORK/err" || fail "no carriage return in stderr"
grep -qE '[0-9]+%.*/1 files.*MB/s.*ETA' "$WORK/err" || fail "no progress line: $(cat -v "$WORK/err")"

note "default with stderr not a terminal: nothing"
run 0 "${slow[@]}" "$WORK/src" "$WORK/b"
[[ ! -s $WORK/err ]] || fail "stderr not empty: $(cat -v "$WORK/err")"

note "-v: one summary line"
run 0 -v "${slow[@]}" "$WORK/src" "$WORK/c"
expect_out "copied 64.0 MiB in 1 of 1 files"
expect_out "MB/s, method fixed"

if command -v script >/dev/null; then
  note "on a terminal by default; --no-progress silences it"
  script -qec "'$URING_CP' ${slow[*]} '$WORK/src' '$WORK/d'" /dev/null >"$WORK/tty" 2>&1 ||
    fail "run under script failed: $(cat -v "$WORK/tty")"
  grep -q 'ETA' "$WORK/tty" || fail "no progress on a terminal: $(cat -v "$WORK/tty")"
  script -qec "'$URING_CP' --no-progress ${slow[*]} '$WORK/src' '$WORK/e'" /dev/null \
    >"$WORK/tty" 2>&1 || fail "run under script failed"
  ! grep -q 'ETA' "$WORK/tty" || fail "progress despite --no-progress"
fi
echo PASS
