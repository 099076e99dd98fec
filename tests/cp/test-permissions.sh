# Permission denied (read, create, overwrite without -f; single files and
# within trees, where each failure is reported and the rest copied) and
# RLIMIT_MEMLOCK,
# run as an unprivileged user: root drops to nobody with setpriv; a
# non-root run uses itself.
#   bash test-permissions.sh URING_CP
source "$(dirname "$0")/lib.sh"

if [[ $(id -u) == 0 ]]; then
  command -v setpriv >/dev/null || skip "setpriv (util-linux) is needed to drop root to nobody"
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
  as_user=()
fi
# A scratch directory and a copy of the tool that the user can reach (the
# build tree may sit under a private home directory).
PERM=$(mktemp -d /tmp/uring-cp-permissions.XXXXXX)
CLEANUP+=("rm -rf '$PERM'")
chmod 755 "$PERM"
cp "$URING_CP" "$PERM/uring-cp"
mkdir "$PERM/w"
[[ $(id -u) == 0 ]] && chown 65534:65534 "$PERM/w"
"${as_user[@]}" "$PERM/uring-cp" --version >/dev/null 2>&1 ||
  skip "the unprivileged user cannot run the tool in $PERM"
cd "$PERM/w"
"${as_user[@]}" touch probe 2>/dev/null || skip "the unprivileged user cannot write in $PERM/w"

# as_run EXPECTED ARGS... : like run, as the unprivileged user.
as_run() {
  local expected=$1 status=0
  shift
  "${as_user[@]}" "$PERM/uring-cp" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null || status=$?
  [[ $status == "$expected" ]] || {
    cat "$WORK/out" "$WORK/err" >&2
    fail "uring-cp $* exited $status, expected $expected"
  }
}
mk() { "${as_user[@]}" "$@"; }

mk bash -c 'head -c 200000 /dev/urandom > data; echo secret > unreadable; chmod 000 unreadable'

for method in fixed posix; do
  note "$method: unreadable source"
  as_run 1 --method=$method unreadable out
  expect_err "uring-cp: cannot open 'unreadable': Permission denied"
  [[ ! -e out ]] || fail "created out"

  note "$method: a tree with an unreadable file and directory: rest copied"
  mk bash -c 'chmod -R u+rwx t t2 2>/dev/null; rm -rf t t2; mkdir -p t/ok t/closed; head -c 70000 /dev/urandom > t/ok/a;
    echo secret > t/secret; chmod 000 t/secret; echo x > t/closed/x; chmod 000 t/closed'
  as_run 1 -r --method=$method t t2
  expect_err "cannot open 't/secret': Permission denied"
  expect_err "cannot access 't/closed': Permission denied"
  same_file t/ok/a t2/ok/a
  [[ ! -e t2/secret ]] || fail "t2/secret created"

  note "$method: a tree into directories that are not writable: rest copied"
  mk bash -c 'chmod -R u+rwx s d 2>/dev/null; rm -rf s d; mkdir -p s/ro/newdir s/ok d/s/ro;
    for f in s/top s/ro/x s/ro/y s/ro/newdir/z s/ok/w; do head -c 30000 /dev/urandom > $f; done
    chmod 555 d/s/ro'
  as_run 1 -r --method=$method s d
  expect_err "cannot create regular file 'd/s/ro/x': Permission denied"
  expect_err "cannot create regular file 'd/s/ro/y': Permission denied"
  expect_err "cannot create directory 'd/s/ro/newdir': Permission denied"
  same_file s/top d/s/top
  same_file s/ok/w d/s/ok/w
  [[ -z $(ls -A d/s/ro) ]] || fail "something was created in d/s/ro: $(ls -A d/s/ro)"

  note "$method: destination directory not writable"
  mk bash -c 'rm -rf ro; mkdir ro; chmod 555 ro'
  as_run 1 --method=$method data ro/x
  expect_err "uring-cp: cannot create regular file 'ro/x': Permission denied"
  [[ -z $(ls -A ro) ]] || fail "something was created in ro"

  note "$method: read-only destination: refused without -f, replaced with -f"
  mk bash -c 'echo old > rofile; chmod 444 rofile'
  as_run 1 --method=$method data rofile
  expect_err "uring-cp: cannot create regular file 'rofile': Permission denied"
  [[ $(cat rofile) == old ]] || fail "rofile changed without -f"
  as_run 0 -f --method=$method data rofile
  same_file data rofile
  mk rm -f rofile
done
no_temporaries "$PERM/w"

note "RLIMIT_MEMLOCK too small to register: --method=fixed fails clearly, auto copes"
command -v prlimit >/dev/null || skip "prlimit (util-linux) is needed for the memlock case"
mk bash -c 'head -c 4194304 /dev/urandom > big'
memlock=(prlimit --memlock=65536)
status=0
"${memlock[@]}" "${as_user[@]}" "$PERM/uring-cp" -v --method=fixed big big.fixed \
  >"$WORK/out" 2>"$WORK/err" || status=$?
if [[ ${ASIO_URING_FIXED_BACKEND:-} == portable ]]; then
  # The portable backend has no ring: buffers are plain memory under every mode.
  [[ $status == 0 ]] || fail "portable backend: --method=fixed exited $status: $(cat "$WORK/err")"
  expect_out "not registered"
else
  [[ $status == 1 ]] || fail "--method=fixed under a 64 KiB memlock exited $status, want 1"
  grep -qE "RLIMIT_MEMLOCK|needs io_uring" "$WORK/err" ||
    fail "no clear message: $(cat "$WORK/err")"
  [[ ! -e big.fixed ]] || fail "big.fixed created"
fi
"${memlock[@]}" "${as_user[@]}" "$PERM/uring-cp" -v --direct big big.auto >"$WORK/out" 2>"$WORK/err" ||
  fail "auto --direct under a 64 KiB memlock failed: $(cat "$WORK/err")"
expect_out "not registered"
same_file big big.auto
no_temporaries "$PERM/w"
echo PASS
