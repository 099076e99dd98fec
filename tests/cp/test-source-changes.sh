# A source written to while it is copied (truncated, appended to, rewritten in
# place): the copy is refused with "source changed during copy", status 1,
# nothing under the destination name and no temporary. A run that ends with
# status 0 must hold the source as it was before or after the change, never a
# mix, a prefix presented as complete, or zeros where data was (and the source
# as it was before, when the change was started mid-copy: the copy then ended
# before the change landed).
#   bash test-source-changes.sh URING_CP METHOD
source "$(dirname "$0")/lib.sh"
method=${1:?method}

# Small blocks and one block in flight make the copy slow enough to catch.
slow=(--method="$method" --block-size=4K --queue-depth=1)

# ~32 MiB of non-zero data (128 MiB for copy_file_range, which is faster),
# quick to make: a random chunk whose size is not a multiple of any block
# size, repeated (a misplaced block or a zero-filled one does not compare
# equal).
random_file "$WORK/chunk" 1048573
chunks=32
[[ $method == kernel ]] && chunks=128
for i in $(seq 1 $chunks); do cat "$WORK/chunk"; done >"$WORK/original"
size=$(stat -c %s "$WORK/original")
mkdir "$WORK/dst"

# change_midway CHANGE : copies src to dst/copy; once the temporary holds
# 256 KiB (and far less than the source: the source is not all read yet),
# runs CHANGE on src. Sets $status, and $caught=1 if the change came while the
# copy was still reading.
change_midway() {
  local change=$1 i t tsize
  cp "$WORK/original" "$WORK/src"
  rm -f "$WORK/dst/copy"
  "$URING_CP" "${slow[@]}" "$WORK/src" "$WORK/dst/copy" >"$WORK/out" 2>"$WORK/err" </dev/null &
  local pid=$!
  CLEANUP+=("kill -KILL $pid 2>/dev/null")
  caught=0
  for i in $(seq 1 1000); do
    t=$({ find "$WORK/dst" -name '.*.uring-cp.*' 2>/dev/null || true; } | head -1)
    tsize=0
    [[ -n $t ]] && tsize=$(stat -c %s -- "$t" 2>/dev/null || echo 0)
    if ((tsize >= 262144)); then
      ((tsize < size - 4 * 1048576)) && kill -0 $pid 2>/dev/null && caught=1
      break
    fi
    kill -0 $pid 2>/dev/null || break
    sleep 0.01
  done
  eval "$change"
  status=0
  wait $pid || status=$?
}

# check_outcome NAME : the rules above, against $WORK/src as it is now.
check_outcome() {
  local name=$1
  no_temporaries "$WORK/dst"
  if [[ $status == 1 ]]; then
    expect_err "source changed during copy"
    [[ ! -e $WORK/dst/copy ]] || fail "$name: refused, yet dst/copy exists"
  elif [[ $status == 0 ]]; then
    cmp -s "$WORK/original" "$WORK/dst/copy" || cmp -s "$WORK/src" "$WORK/dst/copy" ||
      fail "$name: dst/copy is neither the source before nor after the change"
    if ((caught)); then
      # The change was started while the copy was reading, but the test
      # cannot hold the copy at that point: a fast copy (copy_file_range)
      # may finish its reads and its last look at the source before the
      # change lands. Status 0 is then right only if dst/copy is the source
      # as it was before; such a run does not count as caught.
      cmp -s "$WORK/original" "$WORK/dst/copy" ||
        fail "$name: changed while being read, yet copied without an error"
      caught=0
    fi
  else
    fail "$name: exit status $status: $(cat "$WORK/err")"
  fi
  echo "    status $status, caught mid-copy: $caught"
}

tried=0
for change in "truncate -s $((size / 3)) '$WORK/src'" \
  "truncate -s 0 '$WORK/src'" \
  "head -c 3000000 /dev/urandom >>'$WORK/src'" \
  "dd if=/dev/urandom of='$WORK/src' bs=4096 count=1 conv=notrunc status=none" \
  "dd if=/dev/urandom of='$WORK/src' bs=4096 count=1 seek=$((size / 4096 - 2)) conv=notrunc status=none"; do
  note "$change"
  change_midway "$change"
  check_outcome "$change"
  tried=$((tried + caught))
done
((tried > 0)) || skip "every copy ended before its source could be changed"

note "a source that does not change is copied as before"
cp "$WORK/original" "$WORK/src"
run 0 --method="$method" "$WORK/src" "$WORK/dst/copy"
same_file "$WORK/original" "$WORK/dst/copy"
echo "PASS ($tried of 5 changes came mid-copy)"
