# SIGKILL in the middle of a copy (nothing can be cleaned up by the dying
# process): the destination holds nothing or its previous complete contents;
# the temporary left behind is removed by the next run to that destination,
# and nothing that only looks like a stale temporary is touched.
#   bash test-kill.sh URING_CP METHOD
source "$(dirname "$0")/lib.sh"
method=${1:?method}

# Small blocks and one block in flight make the copy slow enough to catch.
slow=(--method="$method" --block-size=4K --queue-depth=1)

# temporary_in DIR : the first temporary below DIR, if any.
temporary_in() { { find "$1" -name '.*.uring-cp.*' -type f 2>/dev/null || true; } | head -1; }

# kill_midway DIR BYTES ARGS... : starts uring-cp, waits until a temporary
# below DIR holds at least BYTES, kills it with SIGKILL; sets $killed_pid and
# $left (the temporary); returns 1 if the copy ended before it was killed.
kill_midway() {
  local dir=$1 least=$2 i t size status=0
  shift 2
  "$URING_CP" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null &
  killed_pid=$!
  CLEANUP+=("kill -KILL $killed_pid 2>/dev/null")
  for i in $(seq 1 1000); do
    t=$(temporary_in "$dir")
    size=0
    [[ -n $t ]] && size=$(stat -c %s -- "$t" 2>/dev/null || echo 0)
    ((size >= least)) && break
    kill -0 $killed_pid 2>/dev/null || break
    sleep 0.01
  done
  kill -KILL $killed_pid 2>/dev/null || true
  wait $killed_pid || status=$?
  [[ $status == 137 ]] || return 1
  left=$(temporary_in "$dir")
  [[ -z $left || $(basename "$left") == *".uring-cp.$killed_pid."* ]] ||
    fail "the temporary $left does not name the process ($killed_pid) that made it"
}
must_have_left() {
  [[ -n $left ]] || fail "no temporary after SIGKILL: the test did not kill the copy mid-way"
}

mkdir "$WORK/dst"
dd if=/dev/zero of="$WORK/big" bs=1M count=128 status=none
random_file "$WORK/old" 100000
random_file "$WORK/small" 5000

note "new destination: nothing under its name"
kill_midway "$WORK/dst" 1048576 "${slow[@]}" "$WORK/big" "$WORK/dst/new" ||
  skip "the copy of 128 MiB ended before SIGKILL could be sent"
must_have_left
[[ ! -e $WORK/dst/new ]] || fail "a partial destination is visible after SIGKILL"

note "the next run removes the dead temporary, and only that"
# Look-alikes that must survive: another name's, a live process's, one still
# locked by a live writer (as in another PID namespace), a symlink.
dead=$killed_pid
# (Helpers run detached from the test's output, which ctest waits on.)
sleep 60 >/dev/null 2>&1 &
live=$!
CLEANUP+=("kill $live 2>/dev/null")
touch "$WORK/dst/.other.uring-cp.$dead.aaaaaa" "$WORK/dst/.new.uring-cp.$live.bbbbbb" \
  "$WORK/dst/.new.uring-cp.$dead.cccccc" "$WORK/dst/.new.uring-cp.nopid.dddddd"
(
  exec 9<"$WORK/dst/.new.uring-cp.$dead.cccccc"
  flock 9
  exec sleep 60
) >/dev/null 2>&1 &
locker=$!
CLEANUP+=("kill $locker 2>/dev/null")
ln -s ../old "$WORK/dst/.new.uring-cp.$dead.eeeeee"
for i in $(seq 1 100); do # until flock holds the lock
  flock -n "$WORK/dst/.new.uring-cp.$dead.cccccc" true || break
  sleep 0.01
done
run 0 -v --method="$method" "$WORK/big" "$WORK/dst/new"
same_file "$WORK/big" "$WORK/dst/new"
[[ ! -e $left ]] || fail "the dead temporary $left is still there"
expect_out "removed stale temporary '$left'"
for keep in ".other.uring-cp.$dead.aaaaaa" ".new.uring-cp.$live.bbbbbb" \
  ".new.uring-cp.$dead.cccccc" ".new.uring-cp.nopid.dddddd" ".new.uring-cp.$dead.eeeeee"; do
  [[ -e $WORK/dst/$keep || -L $WORK/dst/$keep ]] || fail "removed $keep, which is not provably dead"
done
kill $locker $live
wait $locker $live 2>/dev/null || true
rm -f "$WORK"/dst/.*.uring-cp.*

note "existing destination: keeps its previous contents"
cp "$WORK/old" "$WORK/dst/existing"
kill_midway "$WORK/dst" 1048576 "${slow[@]}" "$WORK/big" "$WORK/dst/existing" ||
  skip "the copy of 128 MiB ended before SIGKILL could be sent"
must_have_left
same_file "$WORK/old" "$WORK/dst/existing"
note "the next run to it removes the temporary"
run 0 --method="$method" "$WORK/small" "$WORK/dst/existing"
same_file "$WORK/small" "$WORK/dst/existing"
no_temporaries "$WORK/dst"

note "a tree: files in place are complete; a second run completes it"
mkdir -p "$WORK/tree/sub"
for i in 1 2 3 4; do dd if=/dev/zero of="$WORK/tree/sub/f$i" bs=1M count=32 status=none; done
cp "$WORK/small" "$WORK/tree/a-first"
for attempt in 1 2 3 4; do # the kernel method may copy it all before the kill
  rm -rf "$WORK/dst/tree"
  kill_midway "$WORK/dst/tree" 1 "${slow[@]}" -r "$WORK/tree" "$WORK/dst/tree" && break
  ((attempt < 4)) || skip "the tree copy ended before SIGKILL could be sent, 4 times"
done
# (Killed between two files, it leaves no temporary: fine too.)
for f in "$WORK/tree/a-first" "$WORK"/tree/sub/*; do
  d=$WORK/dst/tree/${f#"$WORK/tree/"}
  [[ ! -e $d ]] || same_file "$f" "$d"
done
run 0 -r --method="$method" "$WORK/tree" "$WORK/dst"
same_tree "$WORK/tree" "$WORK/dst/tree"
no_temporaries "$WORK/dst"
echo PASS
