# Hard links: with -a or --preserve=links, the names of one source inode are
# one inode in the copy (as GNU cp makes them), across directories, for
# files named separately on the command line, for symlinks and FIFOs; not
# with -p or --no-preserve=links. Each case is compared with what cp does.
#   bash test-links.sh URING_CP METHOD
source "$(dirname "$0")/lib.sh"
method=${1:?method}
need_getfattr
cd "$WORK"

mkdir -p src/a src/b/c outside
random_file src/a/three 70000
ln src/a/three src/b/three-again
ln src/a/three src/b/c/three-deep
random_file src/a/pair 3000
ln src/a/pair src/a/pair-2
random_file outside/shared 5000 # one name inside the tree, one outside
ln outside/shared src/b/shared
: >src/empty
ln src/empty src/b/empty-2
random_file src/single 100
ln -s a/three src/sym
ln -P src/sym src/b/sym-2 # a hard link to the symlink itself
mkfifo src/fifo
ln src/fifo src/b/fifo-2
touch -h -d '2001-02-03 04:05:06.123456789' src/a/three src/sym src/b src/a

note "-a on a tree: the same inode sharing as cp -a"
cp -a src cp-a
run 0 -a --method="$method" src ours-a
same_description cp-a ours-a "-a"
[[ $(stat -c %h ours-a/a/three) == 3 ]] || fail "a/three has $(stat -c %h ours-a/a/three) links"
[[ $(stat -c %i ours-a/a/three) == "$(stat -c %i ours-a/b/c/three-deep)" ]] ||
  fail "a/three and b/c/three-deep are different files"
same_file src/a/three ours-a/b/three-again
no_temporaries ours-a

note "-a again over the copy: still one inode per source inode"
cp -a src/. cp-a
run 0 -a --method="$method" src/. ours-a
same_description cp-a ours-a "-a over an existing copy"
no_temporaries ours-a

note "--preserve=links, sources named separately"
mkdir cp-named ours-named
cp --preserve=links src/a/three src/b/three-again src/single src/b/c/three-deep cp-named
run 0 --preserve=links --method="$method" src/a/three src/b/three-again src/single \
  src/b/c/three-deep ours-named
DESCRIBE_MTIME=no same_description cp-named ours-named "--preserve=links"
[[ $(stat -c %h ours-named/three) == 3 ]] || fail "three, three-again and three-deep are not one file"

note "-p and --no-preserve=links: separate copies, as with cp"
cp -rp src cp-p
run 0 -rp --method="$method" src ours-p
same_description cp-p ours-p "-rp"
cp -a --no-preserve=links src cp-nolinks
run 0 -a --no-preserve=links --method="$method" src ours-nolinks
same_description cp-nolinks ours-nolinks "-a --no-preserve=links"
[[ $(stat -c %h ours-nolinks/a/three) == 1 ]] || fail "--no-preserve=links linked"
echo PASS
