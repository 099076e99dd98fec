# Extended attributes and ACLs, compared with GNU cp on the same tree: -a
# and --preserve=xattr copy every xattr (user.*, and trusted.* / security.*
# as root) of files, directories, symlinks and FIFOs; ACLs follow the mode
# (-p, --preserve=mode), not --preserve=xattr; -p alone and
# --no-preserve=xattr copy no xattrs. Skips where the scratch filesystem
# refuses user xattrs.
#   bash test-xattrs.sh URING_CP METHOD
source "$(dirname "$0")/lib.sh"
method=${1:?method}
need_getfattr
command -v setfattr >/dev/null || skip "setfattr not installed (Debian package attr)"
cd "$WORK"

: >probe
setfattr -n user.probe -v 1 probe 2>"$WORK/probe.err" ||
  skip "the scratch filesystem refuses user xattrs: $(cat "$WORK/probe.err")"

mkdir -p src/dir/sub
random_file src/file 70000
setfattr -n user.text -v "some value" src/file
setfattr -n user.binary -v 0x00ff10fe00 src/file
setfattr -n user.empty src/file
random_file src/read-only 3000
setfattr -n user.ro -v 1 src/read-only
chmod 444 src/read-only
random_file src/plain 100
setfattr -n user.dir -v "on a directory" src/dir
random_file src/dir/sub/deep 5000
setfattr -n user.deep -v "$(printf 'v%.0s' $(seq 1 300))" src/dir/sub/deep # a longer value
mkfifo src/fifo
setfattr -n user.fifo -v 1 src/fifo 2>/dev/null || true # refused for FIFOs on some kernels
ln -s file src/link
if [[ $(id -u) == 0 ]]; then
  setfattr -n trusted.t -v 1 src/file
  setfattr -h -n trusted.on-link -v 1 src/link
  setfattr -n security.test -v 1 src/plain 2>/dev/null || true
fi
have_acl=no
if command -v setfacl >/dev/null && setfacl -m u:nobody:r src/file 2>/dev/null; then
  have_acl=yes
  setfacl -m u:nobody:rwx src/dir
  setfacl -d -m u:nobody:r src/dir/sub
else
  echo "--- no ACLs here (setfacl missing or refused): ACL cases not covered"
fi
touch -h -d '2001-02-03 04:05:06.123456789' src/file src/read-only src/plain src/dir/sub/deep \
  src/link src/dir/sub src/dir

# MTIME:ARGS (mtimes compared when the arguments preserve them)
for case in "yes:-a" "no:-r --preserve=xattr" "yes:-rp" "no:-r --preserve=mode" \
  "yes:-a --no-preserve=xattr" "yes:-r --preserve=all" "no:-r"; do
  mtime=${case%%:*}
  args=${case#*:}
  note "$args: the same xattrs and ACLs as cp $args"
  name=${args// /}
  cp $args src "cp$name"
  run 0 $args --method="$method" src "ours$name"
  DESCRIBE_MTIME=$mtime same_description "cp$name" "ours$name" "$args"
  no_temporaries "ours$name"
done

getfattr -h -d -m - --absolute-names ours-a/file | grep -q '^user.binary=' ||
  fail "-a did not copy user.binary"
getfattr -h -d -m - --absolute-names ours-a/dir/sub/deep | grep -q '^user.deep=' ||
  fail "-a did not copy a large value"
getfattr -h -d -m - --absolute-names ours-a/dir | grep -q '^user.dir=' ||
  fail "-a did not copy a directory's xattr"
getfattr -h -d -m - --absolute-names ours-rp/file | grep -q '^user' &&
  fail "-p copied xattrs"
if [[ $have_acl == yes ]]; then
  getfattr -h -d -m - --absolute-names ours-rp/file | grep -q '^system.posix_acl_access=' ||
    fail "-p did not copy the ACL"
  getfattr -h -d -m - --absolute-names ours-a/dir/sub | grep -q '^system.posix_acl_default=' ||
    fail "-a did not copy a default ACL"
fi
echo PASS
