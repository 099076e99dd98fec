# --sparse=WHEN against cp on the same filesystem: auto keeps the holes of a
# sparse source; always also leaves a hole for each 4 KiB block of zeros (cp
# does the same: the copies allocate alike); never writes holes as zeros, on
# every method that can; the same bytes in every case; impossible
# combinations are usage errors (cp's message for --reflink with --sparse).
#   bash test-sparse-modes.sh URING_CP
source "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir src
{
  head -c 1048576 /dev/urandom
  head -c 2097152 /dev/zero
  head -c 1000000 /dev/urandom
  head -c 1048576 /dev/zero # zeros at the end too
} >src/zeros
truncate -s 8M src/holes
printf x | dd of=src/holes bs=1 seek=3000000 conv=notrunc status=none
random_file src/plain 70000

# allocates_like A B : B allocates as many blocks as A, give or take 64 KiB
# (the filesystem's own bookkeeping).
allocates_like() {
  local a b
  a=$(blocks "$1")
  b=$(blocks "$2")
  ((b <= a + 128 && a <= b + 128)) || fail "$2 allocates $b blocks, cp's copy $1 $a"
}

for mode in auto always never; do
  note "--sparse=$mode: as cp"
  cp -r --sparse=$mode src "cp-$mode"
  run 0 -r --sparse=$mode src "ours-$mode"
  same_tree src "ours-$mode"
  for f in zeros holes plain; do allocates_like "cp-$mode/$f" "ours-$mode/$f"; done
done
((8 * $(blocks ours-always/zeros) < 5 * $(blocks src/zeros))) ||
  fail "--sparse=always left no holes for the zeros"
still_sparse src/holes ours-auto/holes
(($(blocks ours-never/holes) * 512 >= 8388608)) || fail "--sparse=never left holes"

note "--sparse=never on each method that reads"
for method in fixed plain posix; do
  run 0 --sparse=never --method=$method src/holes "never-$method"
  same_file src/holes "never-$method"
  (($(blocks "never-$method") * 512 >= 8388608)) || fail "--sparse=never --method=$method left holes"
done
note "--sparse=always on the posix method, and with --direct where O_DIRECT works"
run 0 --sparse=always --method=posix src/zeros always-posix
same_file src/zeros always-posix
allocates_like cp-always/zeros always-posix
if o_direct_works "$WORK"; then
  run 0 --sparse=always --direct src/zeros always-direct
  same_file src/zeros always-direct
  allocates_like cp-always/zeros always-direct
fi

note "bad values and combinations"
run 1 --sparse=sometimes src/zeros x
expect_err "--sparse"
run 1 --sparse=never --reflink=always src/zeros x
expect_err "--reflink can be used only with --sparse=auto"
run 1 --sparse=always --reflink src/zeros x
expect_err "--reflink can be used only with --sparse=auto"
for method in fixed plain kernel; do
  run 1 --sparse=always --method=$method src/zeros x
  expect_err "--sparse=always needs the posix method"
done
run 1 --sparse=never --method=kernel src/zeros x
expect_err "--sparse=never cannot be used with --method=kernel"
[[ ! -e x ]] || fail "a usage error created the destination"
echo PASS
