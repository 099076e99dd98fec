# --reflink=WHEN against cp on the same filesystem: auto clones where it can
# and copies otherwise; always clones or fails each file as cp does ("failed
# to clone 'DST' from 'SRC': ...", exit 1; uring-cp leaves nothing under the
# name, where cp leaves an empty file); a bare --reflink is always; never
# copies with pread/pwrite (no FICLONE, no copy_file_range, which may clone);
# bad values and impossible combinations are usage errors.
#   bash test-reflink.sh URING_CP
source "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir -p src/sub
random_file src/a 300000
random_file src/sub/b 5000
: >src/sub/empty

note "bad values and combinations"
run 1 --reflink=sometimes src/a x
expect_err "--reflink"
run 1 --reflink=never --method=kernel src/a x
expect_err "--reflink=never cannot be used with --method=kernel"
for m in fixed plain posix; do
  run 1 --reflink=always --method="$m" src/a x
  expect_err "--reflink=always needs the kernel method"
done
[[ ! -e x ]] || fail "a usage error created the destination"

note "never: a copy of its own, by pread/pwrite"
run 0 -v -r --reflink=never src never
same_tree src never
expect_out "method: posix (auto: --reflink=never"

note "auto: the same bytes, whichever way"
run 0 -r --reflink=auto src auto
same_tree src auto

note "always: as cp --reflink=always on this filesystem"
cp_status=0
cp --reflink=always src/a cp-probe 2>"$WORK/cp-err" || cp_status=$?
for form in --reflink=always --reflink; do
  rm -rf always
  if [[ $cp_status == 0 ]]; then
    run 0 -r "$form" src always
    same_tree src always
  else
    reason=$(sed -n 's/^cp: failed to clone .* from .*: //p' "$WORK/cp-err")
    [[ -n $reason ]] || fail "cp --reflink=always failed without 'failed to clone': $(cat "$WORK/cp-err")"
    echo "--- (cp cannot clone here either: $reason)"
    run 1 -r "$form" src always
    expect_err "failed to clone 'always/a' from 'src/a': $reason"
    expect_err "failed to clone 'always/sub/b' from 'src/sub/b': $reason"
    [[ ! -e always/a && ! -e always/sub/b ]] || fail "a file that was not cloned is in place"
    no_temporaries always
  fi
done
echo PASS
