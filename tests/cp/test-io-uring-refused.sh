# uring-cp with io_uring refused by a seccomp filter (tests/no_io_uring): the
# library falls back to its portable backend by itself, copies are correct,
# -v says why, and --method=fixed (which asks for the ring) fails clearly.
#   bash test-io-uring-refused.sh URING_CP NO_IO_URING
source "$(dirname "$0")/lib.sh"

NO_IO_URING=${1:?usage: $0 URING_CP NO_IO_URING}
real=$URING_CP
URING_CP=$WORK/uring-cp-refused
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$NO_IO_URING" "$real" >"$URING_CP"
chmod +x "$URING_CP"

# The filter must be in effect, or this test proves nothing.
status=0
"$NO_IO_URING" /bin/true || status=$?
[[ $status == 77 ]] && skip "seccomp cannot be used here"
[[ $status == 0 ]] || fail "no_io_uring /bin/true exited $status"

make_tree "$WORK/src" 65536
direct=()
o_direct_works "$WORK" && direct=(--direct)
note "auto ${direct[*]}: falls back to the portable backend"
run 0 -v -r "${direct[@]}" "$WORK/src" "$WORK/auto"
same_tree "$WORK/src" "$WORK/auto"
no_temporaries "$WORK/auto"
if [[ ${#direct[@]} -gt 0 ]]; then
  grep -qF "portable backend (io_uring unavailable: Function not implemented)" "$WORK/out" "$WORK/err" ||
    fail "-v does not say why the portable backend is used: $(cat "$WORK/out" "$WORK/err")"
fi
note "plain: the same pipeline without registration"
run 0 -r --method=plain "$WORK/src" "$WORK/plain"
same_tree "$WORK/src" "$WORK/plain"
note "fixed asks for io_uring: a clear error, nothing written"
run 1 --method=fixed "$WORK/src/size-4096" "$WORK/fixed-copy"
expect_err "--method=fixed needs io_uring"
[[ ! -e $WORK/fixed-copy ]] || fail "--method=fixed left $WORK/fixed-copy"
echo PASS
