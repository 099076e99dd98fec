# --verify (XXH3 of both sides re-read) and --fsync with every method.
#   bash test-verify.sh URING_CP
source "$(dirname "$0")/lib.sh"

make_tree "$WORK/src" 65536
for method in auto fixed plain posix kernel; do
  note "$method --verify"
  run 0 -r --verify --method="$method" --block-size=64K "$WORK/src" "$WORK/v-$method"
  same_tree "$WORK/src" "$WORK/v-$method"
  note "$method --verify --fsync"
  run 0 -r --verify --fsync --method="$method" "$WORK/src" "$WORK/vs-$method"
  same_tree "$WORK/src" "$WORK/vs-$method"
  no_temporaries "$WORK/vs-$method"
done
if o_direct_works "$WORK"; then
  note "fixed --direct --verify --fsync"
  run 0 -r --direct --verify --fsync --method=fixed "$WORK/src" "$WORK/vd"
  same_tree "$WORK/src" "$WORK/vd"
fi
echo PASS
