# Attributes: -p keeps mode, times and (as root) owner; -a also for
# directories and symlinks; without -p new files get mode & ~umask and an
# overwritten file keeps its own mode.
#   bash test-preserve.sh URING_CP METHOD
source "$(dirname "$0")/lib.sh"
method=${1:?method}

attrs() { stat -c '%a %u %g %Y' -- "$1"; }
mtime_ns() { stat -c '%.9Y' -- "$1"; }

mkdir -p "$WORK/src/dir"
random_file "$WORK/src/exec" 70000
random_file "$WORK/src/private" 1000
random_file "$WORK/src/dir/inner" 3000
: >"$WORK/src/empty"
chmod 751 "$WORK/src/exec"
chmod 600 "$WORK/src/private"
chmod 2750 "$WORK/src/dir"
ln -s exec "$WORK/src/link"
if [[ $(id -u) == 0 ]]; then
  chown 65534:65534 "$WORK/src/exec" "$WORK/src/dir/inner"
  chmod 4755 "$WORK/src/private"
fi
touch -h -d '2001-02-03 04:05:06.123456789' "$WORK/src/exec" "$WORK/src/private" \
  "$WORK/src/dir/inner" "$WORK/src/empty" "$WORK/src/link"
touch -d '2002-03-04 05:06:07.5' "$WORK/src/dir"
touch -d '2003-01-01 00:00:00' "$WORK/src"

note "-p on files"
mkdir "$WORK/dst-p"
run 0 -p --method="$method" "$WORK/src/exec" "$WORK/src/private" "$WORK/src/empty" "$WORK/dst-p"
for f in exec private empty; do
  [[ $(attrs "$WORK/src/$f") == "$(attrs "$WORK/dst-p/$f")" ]] ||
    fail "-p: $f has '$(attrs "$WORK/dst-p/$f")', source '$(attrs "$WORK/src/$f")'"
  [[ $(mtime_ns "$WORK/src/$f") == "$(mtime_ns "$WORK/dst-p/$f")" ]] ||
    fail "-p: $f mtime $(mtime_ns "$WORK/dst-p/$f") != $(mtime_ns "$WORK/src/$f")"
  same_file "$WORK/src/$f" "$WORK/dst-p/$f"
done

note "-a on a tree: directories and symlinks too"
run 0 -a --method="$method" "$WORK/src" "$WORK/dst-a"
same_tree "$WORK/src" "$WORK/dst-a"
for f in "" /exec /private /empty /dir /dir/inner; do
  [[ $(attrs "$WORK/src$f") == "$(attrs "$WORK/dst-a$f")" ]] ||
    fail "-a: '$f' has '$(attrs "$WORK/dst-a$f")', source '$(attrs "$WORK/src$f")'"
done
[[ -L $WORK/dst-a/link ]] || fail "-a followed a symlink"
[[ $(stat -c %Y "$WORK/src/link") == "$(stat -c %Y "$WORK/dst-a/link")" ]] ||
  fail "-a: symlink mtime not preserved"

note "without -p: mode & ~umask, times new"
umask 027
run 0 -r --method="$method" "$WORK/src" "$WORK/dst-plain"
umask 022
[[ $(stat -c %a "$WORK/dst-plain/exec") == 750 ]] || fail "new file mode $(stat -c %a "$WORK/dst-plain/exec"), want 750"
[[ $(stat -c %a "$WORK/dst-plain/dir") == 750 ]] || fail "new dir mode $(stat -c %a "$WORK/dst-plain/dir"), want 750"
[[ $(stat -c %u "$WORK/dst-plain/exec") == "$(id -u)" ]] || fail "owner kept without -p"
[[ $(stat -c %Y "$WORK/dst-plain/exec") != "$(stat -c %Y "$WORK/src/exec")" ]] ||
  fail "mtime preserved without -p"

note "overwriting keeps the destination's mode"
random_file "$WORK/target" 10
chmod 604 "$WORK/target"
run 0 --method="$method" "$WORK/src/exec" "$WORK/target"
same_file "$WORK/src/exec" "$WORK/target"
[[ $(stat -c %a "$WORK/target") == 604 ]] || fail "overwritten file mode $(stat -c %a "$WORK/target"), want 604"
no_temporaries "$WORK"
echo PASS
