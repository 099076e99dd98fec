# Helpers for the uring-cp integration tests. Source it from a test script
# run as: bash test-NAME.sh /path/to/uring-cp [args...]
#
# Exit codes follow the liburing/automake convention: 0 pass, 1 fail,
# 77 skipped (with the reason printed). Scratch space is made under
# $CP_TEST_TMPDIR (the build tree, so O_DIRECT is tried on the build
# filesystem) and removed on exit.

set -euo pipefail

URING_CP=${1:?usage: $0 /path/to/uring-cp}
shift
[[ -x $URING_CP ]] || { echo "FAIL: $URING_CP is not executable" >&2; exit 1; }

TEST_NAME=$(basename "$0" .sh)
mkdir -p "${CP_TEST_TMPDIR:=${TMPDIR:-/tmp}}"
WORK=$(mktemp -d "$CP_TEST_TMPDIR/$TEST_NAME.XXXXXX")
chmod 755 "$WORK"
CLEANUP=()
cleanup() {
  local c
  for c in "${CLEANUP[@]}"; do eval "$c" || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
umask 022

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "--- $*"; }

# run EXPECTED_STATUS ARGS... : runs uring-cp with ARGS, leaving its output in
# $WORK/out and $WORK/err; fails unless it exits with EXPECTED_STATUS.
run() {
  local expected=$1 status=0
  shift
  "$URING_CP" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null || status=$?
  if [[ $status != "$expected" ]]; then
    echo "uring-cp $*" >&2
    echo "exited $status, expected $expected; stdout:" >&2
    cat "$WORK/out" >&2
    echo "stderr:" >&2
    cat "$WORK/err" >&2
    exit 1
  fi
}

# expect_err TEXT : the last run's stderr contains TEXT (a fixed string).
expect_err() {
  grep -qF -- "$1" "$WORK/err" || fail "stderr lacks '$1'; it was: $(cat "$WORK/err")"
}
expect_out() {
  grep -qF -- "$1" "$WORK/out" || fail "stdout lacks '$1'; it was: $(cat "$WORK/out")"
}

# same_tree A B : identical trees (contents, symlink targets, file types).
same_tree() {
  diff -r --no-dereference "$1" "$2" >/dev/null || {
    diff -r --no-dereference "$1" "$2" | head -20 >&2
    fail "trees $1 and $2 differ"
  }
}

same_file() { cmp -- "$1" "$2" || fail "$2 differs from $1"; }

# no_temporaries DIR : no '.NAME.uring-cp.PID.XXXXXX' left anywhere below DIR.
no_temporaries() {
  local left
  left=$(find "$1" -name '.*.uring-cp.*' 2>/dev/null | head -5)
  [[ -z $left ]] || fail "temporary files left behind: $left"
}

# blocks FILE : 512-byte blocks allocated.
blocks() { stat -c %b -- "$1"; }

# still_sparse SRC DST : DST allocates no more than SRC plus 256 KiB slack
# (O_DIRECT rounds regions to its alignment) and far less than its size.
still_sparse() {
  local s d size
  s=$(blocks "$1")
  d=$(blocks "$2")
  size=$(stat -c %s -- "$2")
  ((d <= s + 512)) || fail "$2 allocates $d blocks, source $s: holes were filled"
  ((d * 512 < size / 4)) || fail "$2 allocates $d blocks for $size bytes: not sparse"
}

# random_file PATH BYTES
random_file() { head -c "$2" /dev/urandom >"$1"; }

# make_tree DIR BLOCK : every case the copy must get right, with file sizes
# around BLOCK (the block size the run will use).
make_tree() {
  local dir=$1 block=$2 s
  mkdir -p "$dir/sub/deeper/deepest" "$dir/empty dir" "$dir/with space"
  for s in 0 1 511 512 4095 4096 4097 $((block - 1)) $block $((block + 1)) \
    $((3 * block + 7)) $((3 * 1024 * 1024 + 123)); do
    random_file "$dir/size-$s" "$s"
  done
  random_file "$dir/with space/a file" 10000
  random_file "$dir/sub/it's quoted" 777
  random_file "$dir/sub/deeper/deepest/leaf" 65536
  for s in $(seq 1 40); do random_file "$dir/sub/small-$s" $((s * 97)); done
  # Sparse: data, hole, data, trailing hole; and one that starts with a hole.
  truncate -s 24M "$dir/sparse"
  dd if=/dev/urandom of="$dir/sparse" bs=64K count=2 conv=notrunc status=none
  dd if=/dev/urandom of="$dir/sparse" bs=64K count=3 seek=160 conv=notrunc status=none
  truncate -s 16M "$dir/sub/sparse-leading-hole"
  dd if=/dev/urandom of="$dir/sub/sparse-leading-hole" bs=4K count=5 seek=2048 conv=notrunc \
    status=none
  truncate -s 8M "$dir/all-hole"
  ln -s size-4096 "$dir/link-relative"
  ln -s "/nonexistent/target" "$dir/link-dangling"
  ln -s ../size-1 "$dir/sub/link-up"
  ln -s sub "$dir/link-to-dir"
}

# o_direct_works DIR : whether O_DIRECT writes work in DIR.
o_direct_works() {
  dd if=/dev/zero of="$1/.o_direct_probe" bs=4096 count=1 oflag=direct status=none 2>/dev/null
  local ok=$?
  rm -f "$1/.o_direct_probe"
  return $ok
}

# describe DIR : one line per entry below DIR, in name order: its relative
# name, type, mode, owner, size (not for directories), mtime in ns, link
# count, the first name (in that order) of its inode, and its xattrs (hex),
# ACLs included. Two trees with the same description agree on everything
# cp -a preserves (but atimes, which reading them changes). With
# DESCRIBE_MTIME=no, mtimes are left out (copies made without -p).
describe() {
  local p ino xattrs size format='%F %a %u:%g %.9Y links:%h'
  [[ ${DESCRIBE_MTIME:-yes} == no ]] && format='%F %a %u:%g links:%h' 
  local -A first=()
  while IFS= read -r -d '' p; do
    ino=$(stat -c %i -- "$1/$p")
    [[ -n ${first[$ino]:-} ]] || first[$ino]=$p
    size=$(stat -c %s -- "$1/$p")
    [[ -d $1/$p && ! -L $1/$p ]] && size=-
    xattrs=$(getfattr -h -d -m - -e hex --absolute-names -- "$1/$p" 2>/dev/null |
      grep -v '^# file:' | grep . | tr '\n' ' ' || true)
    printf '%q %s size:%s first:%q xattrs: %s\n' "$p" \
      "$(stat -c "$format" -- "$1/$p")" "$size" "${first[$ino]}" "$xattrs"
  done < <(cd "$1" && find . -mindepth 1 -printf '%P\0' | LC_ALL=C sort -z)
}

# same_description A B WHAT : describe A and describe B are the same.
same_description() {
  describe "$1" >"$WORK/describe.a"
  describe "$2" >"$WORK/describe.b"
  diff "$WORK/describe.a" "$WORK/describe.b" >"$WORK/describe.diff" || {
    head -20 "$WORK/describe.diff" | cut -c1-300 >&2
    fail "$3: $2 differs from $1 (< $1, > $2)"
  }
}

# need_getfattr : skip unless getfattr (package attr) is installed.
need_getfattr() {
  command -v getfattr >/dev/null || skip "getfattr not installed (Debian package attr)"
}
