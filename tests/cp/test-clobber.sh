# -n never overwrites, the default and -f replace; a destination symlink is
# written through; nothing half-written either way.
#   bash test-clobber.sh URING_CP METHOD
source "$(dirname "$0")/lib.sh"
method=${1:?method}

random_file "$WORK/new" 300000
echo old >"$WORK/old"
cp "$WORK/old" "$WORK/keep"

note "-n keeps an existing file, exits 0"
run 0 -n --method="$method" "$WORK/new" "$WORK/keep"
same_file "$WORK/old" "$WORK/keep"

note "-n copies what does not exist yet"
run 0 -n --method="$method" "$WORK/new" "$WORK/fresh"
same_file "$WORK/new" "$WORK/fresh"

note "-n in a tree: existing files kept, others copied"
mkdir -p "$WORK/t/src" "$WORK/t/dst/src"
random_file "$WORK/t/src/a" 5000
random_file "$WORK/t/src/b" 5000
cp "$WORK/old" "$WORK/t/dst/src/a"
run 0 -rn --method="$method" "$WORK/t/src" "$WORK/t/dst"
same_file "$WORK/old" "$WORK/t/dst/src/a"
same_file "$WORK/t/src/b" "$WORK/t/dst/src/b"

note "default replaces"
run 0 --method="$method" "$WORK/new" "$WORK/keep"
same_file "$WORK/new" "$WORK/keep"

note "-f replaces"
cp "$WORK/old" "$WORK/keep"
run 0 -f --method="$method" "$WORK/new" "$WORK/keep"
same_file "$WORK/new" "$WORK/keep"

note "a symlink destination is written through"
cp "$WORK/old" "$WORK/link-target"
ln -s link-target "$WORK/dst-link"
run 0 --method="$method" "$WORK/new" "$WORK/dst-link"
[[ -L $WORK/dst-link ]] || fail "the destination symlink was replaced"
same_file "$WORK/new" "$WORK/link-target"

note "-n with a dangling symlink destination: skipped"
ln -s nowhere "$WORK/dangling"
run 0 -n --method="$method" "$WORK/new" "$WORK/dangling"
[[ -L $WORK/dangling && ! -e $WORK/nowhere ]] || fail "-n wrote through a dangling symlink"
no_temporaries "$WORK"
echo PASS
