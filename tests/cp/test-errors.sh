# cp's error cases: clear messages, exit status 1, nothing created, and in a
# tree the failing item is reported while the rest is copied.
#   bash test-errors.sh URING_CP METHOD
source "$(dirname "$0")/lib.sh"
method=${1:?method}
cd "$WORK"

random_file a 100000
mkdir -p d/sub e/a
echo f >f

note "missing source"
run 1 --method="$method" nope x
expect_err "uring-cp: cannot stat 'nope': No such file or directory"
[[ ! -e x ]] || fail "created x"

note "source and destination the same file"
run 1 --method="$method" a a
expect_err "uring-cp: 'a' and 'a' are the same file"
ln a hard
run 1 --method="$method" a hard
expect_err "are the same file"
same_file hard a

note "a directory into itself"
run 1 -r --method="$method" d d/sub
expect_err "uring-cp: cannot copy a directory, 'd', into itself, 'd/sub/d'"
[[ ! -e d/sub/d ]] || fail "copied into itself"

run 1 -r --method="$method" d d/new
expect_err "uring-cp: cannot copy a directory, 'd', into itself, 'd/new'"
[[ ! -e d/new ]] || fail "created d/new"

note "a directory without -r"
run 1 --method="$method" d x
expect_err "uring-cp: -r not specified; omitting directory 'd'"

note "a file onto a directory"
run 1 --method="$method" a e
expect_err "uring-cp: cannot overwrite directory 'e/a' with non-directory"
[[ -d e/a ]] || fail "e/a replaced"

note "a directory onto a file"
run 1 -r --method="$method" d f
expect_err "uring-cp: cannot overwrite non-directory 'f' with directory 'd'"
[[ $(cat f) == f ]] || fail "f changed"

note "several sources, target not a directory"
run 1 --method="$method" a f x
expect_err "uring-cp: target 'x': No such file or directory"
run 1 --method="$method" a d f
expect_err "uring-cp: target 'f' is not a directory"

note "destination directory missing"
run 1 --method="$method" a no/such/dir/x
expect_err "uring-cp: cannot create regular file 'no/such/dir/x': No such file or directory"

note "one bad item in a tree: reported, the rest copied, status 1"
mkdir -p t/src/k t/dst/src/conflict
random_file t/src/k/good1 70000
random_file t/src/conflict 1000
random_file t/src/good2 3000
run 1 -r --method="$method" t/src t/dst
expect_err "uring-cp: cannot overwrite directory 't/dst/src/conflict' with non-directory"
same_file t/src/k/good1 t/dst/src/k/good1
same_file t/src/good2 t/dst/src/good2

note "a missing source among several: others copied"
mkdir into
run 1 --method="$method" a nope f into
expect_err "cannot stat 'nope'"
same_file a into/a
same_file f into/f
no_temporaries "$WORK"
echo PASS
