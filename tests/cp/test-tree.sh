# A tree with every case (sizes around the block size, sparse files, empty
# files and directories, symlinks, nested directories, names with spaces and
# quotes) copied with one method, at the default block size and with small
# blocks and a shallow queue; then single files and several files into a
# directory.
#   bash test-tree.sh URING_CP METHOD [--direct]
source "$(dirname "$0")/lib.sh"
method=${1:?method}
shift
extra=("$@")

if [[ " ${extra[*]-} " == *" --direct "* ]]; then
  o_direct_works "$WORK" || skip "O_DIRECT is not supported on the build filesystem ($(stat -f -c %T "$WORK"))"
fi

check_copy() { # SRC DST
  same_tree "$1" "$2"
  still_sparse "$1/sparse" "$2/sparse"
  still_sparse "$1/sub/sparse-leading-hole" "$2/sub/sparse-leading-hole"
  [[ $(blocks "$2/all-hole") -le 8 ]] || fail "$2/all-hole got blocks allocated"
  [[ $(readlink "$2/link-dangling") == /nonexistent/target ]] || fail "dangling link not kept as a link"
  [[ -L $2/link-to-dir ]] || fail "link to a directory was followed"
  no_temporaries "$2"
}

# Default block size (1 MiB): sizes around it.
make_tree "$WORK/src" $((1024 * 1024))
note "tree, default blocks"
run 0 -r -v --method="$method" "${extra[@]}" "$WORK/src" "$WORK/dst1"
check_copy "$WORK/src" "$WORK/dst1"
if [[ $method == auto ]]; then expect_out "(auto: "; else expect_out "method: $method"; fi
expect_out "copied "
files=$(find "$WORK/src" -type f | wc -l)
expect_out "in $files of $files files"
if [[ " ${extra[*]-} " == *" --direct "* ]]; then
  nonempty=$(find "$WORK/src" -type f -size +0 | wc -l)
  expect_out "$nonempty with O_DIRECT"
fi

# Small blocks, shallow queue: many blocks per file, the pool runs dry, a
# file's blocks complete out of order.
rm -rf "$WORK/src"
make_tree "$WORK/src" 65536
note "tree, 64 KiB blocks, queue depth 3"
run 0 -r --method="$method" --block-size=64K --queue-depth=3 "${extra[@]}" "$WORK/src" "$WORK/dst2"
check_copy "$WORK/src" "$WORK/dst2"

note "tree into an existing directory"
mkdir "$WORK/into"
run 0 -r --method="$method" "${extra[@]}" "$WORK/src" "$WORK/into"
check_copy "$WORK/src" "$WORK/into/src"

note "single files, every size"
for f in "$WORK"/src/size-*; do
  run 0 --method="$method" --block-size=64K "${extra[@]}" "$f" "$WORK/one"
  same_file "$f" "$WORK/one"
done

note "several files into a directory"
mkdir "$WORK/several"
run 0 --method="$method" "${extra[@]}" "$WORK/src/size-0" "$WORK/src/size-65537" \
  "$WORK/src/with space/a file" "$WORK/several"
same_file "$WORK/src/size-65537" "$WORK/several/size-65537"
same_file "$WORK/src/with space/a file" "$WORK/several/a file"
[[ -f $WORK/several/size-0 && ! -s $WORK/several/size-0 ]] || fail "empty file not copied"

note "a symlink operand without -r is followed"
run 0 --method="$method" "${extra[@]}" "$WORK/src/link-relative" "$WORK/followed"
[[ ! -L $WORK/followed ]] || fail "symlink operand was copied as a link without -r"
same_file "$WORK/src/size-4096" "$WORK/followed"

note "overwriting an existing file"
random_file "$WORK/existing" 5000000
run 0 --method="$method" "${extra[@]}" "$WORK/src/size-4097" "$WORK/existing"
same_file "$WORK/src/size-4097" "$WORK/existing"
no_temporaries "$WORK"
echo PASS
