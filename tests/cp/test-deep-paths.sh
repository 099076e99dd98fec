# Paths of any length: a tree deeper than PATH_MAX (4096 bytes from its top)
# is walked and written relative to directory descriptors, so it is copied
# whole: contents, modes, owners, mtimes, symlinks and hard links at the
# bottom (checked with listings and contents from tar, which walks it the
# same way, and by cd-ing down level by level). GNU cp 9.1 fails here ("File name too long"),
# so the source is the reference. A stale temporary at the bottom is
# removed by the next run, -n included.
#   bash test-deep-paths.sh URING_CP METHOD
source "$(dirname "$0")/lib.sh"
method=${1:?method}
cd "$WORK"
command -v tar >/dev/null || skip "tar not installed"

part=$(printf 'd%.0s' $(seq 1 200))
levels=24 # 24 * 201 bytes > 4096
mkdir src
random_file src/top 3000
(
  cd src
  for i in $(seq 1 $levels); do
    mkdir "$part"
    cd "$part"
  done
  random_file leaf 70000
  ln leaf leaf-2
  ln -s leaf sym
  mkfifo fifo
  chmod 640 leaf
  touch -h -d '2001-02-03 04:05:06.123456789' leaf sym
)
# listing DIR / contents DIR : what tar sees of DIR: names, types, modes,
# owners, mtimes (seconds), sizes, link targets and hard links / the bytes
# of its files, in name order.
listing() { tar --sort=name -C "$1" -cf - . | tar --full-time -tvf -; }
contents() { tar --sort=name -C "$1" -cf - . | tar -xOf - | md5sum; }
same_as_source() {
  [[ $(contents src) == "$(contents dst)" ]] || fail "$1: the files' contents differ"
  [[ ${2:-} == contents ]] && return
  diff <(listing src) <(listing dst) | sed 's/d\{20,\}/D/g' | head -5 >&2
  [[ $(listing src) == "$(listing dst)" ]] || fail "$1: the trees differ (D = $part)"
}
# down DIR : cd to the bottom of the deep chain below DIR.
down() {
  cd "$1"
  local i
  for i in $(seq 1 $levels); do cd "$part"; done
}

note "-a: the whole tree, bottom included"
run 0 -a --method="$method" src dst
same_as_source "-a"
(
  down dst
  [[ $(stat -c %h leaf) == 2 && $(stat -c %i leaf) == "$(stat -c %i leaf-2)" ]] ||
    fail "the hard link at the bottom was not kept"
  [[ $(readlink sym) == leaf && -p fifo ]] || fail "symlink or FIFO at the bottom missing"
  [[ $(stat -c '%a %.9Y' leaf) == "640 981173106.123456789" ]] ||
    fail "leaf at the bottom has $(stat -c '%a %.9Y' leaf)"
) || exit 1

note "-a over it again: still the same, no temporaries at the bottom"
run 0 -a --method="$method" src/. dst
(
  down dst
  [[ -z $(ls -A | grep uring-cp || true) ]] || fail "temporaries left at the bottom: $(ls -A)"
) || exit 1
same_as_source "-a over the copy"

note "-n: a stale temporary at the bottom is removed, the destination kept"
true &
dead=$!
wait $dead
(
  down dst
  echo precious >leaf
  echo stale >".leaf.uring-cp.$dead.aaaaaa"
) || exit 1
run 0 -r -n -v --method="$method" src/. dst
expect_out "removed stale temporary"
(
  down dst
  [[ ! -e .leaf.uring-cp.$dead.aaaaaa ]] || fail "-n left the stale temporary"
  [[ $(cat leaf) == precious ]] || fail "-n overwrote the destination"
) || exit 1
echo PASS
