# How new files get their mode, owner, group and ACLs, against cp on the
# same tree. uring-cp creates a new file with its final mode where nothing
# later changes it (no chmod), skips the chown where the owner and group are
# already right, skips the ACL calls where there is no ACL to copy or to
# remove, and gives files that one block holds an anonymous (O_TMPFILE)
# temporary on tmpfs; whatever it skips, the result must be cp's: under
# several umasks, in a plain directory, in one with a default ACL and in a
# set-group-ID one of another group (as root); on the build's filesystem
# (named temporaries) and on /dev/shm where it is a tmpfs (anonymous ones).
#   bash test-new-files.sh URING_CP METHOD
source "$(dirname "$0")/lib.sh"
method=${1:?method}
need_getfattr
places=("$WORK")
if [[ $(stat -f -c %T /dev/shm 2>/dev/null) == tmpfs ]] && SHM=$(mktemp -d /dev/shm/uring-cp-new-files.XXXXXX); then
  CLEANUP+=("rm -rf '$SHM'")
  chmod 755 "$SHM"
  places+=("$SHM")
else
  echo "--- /dev/shm is not a writable tmpfs: anonymous temporaries not covered"
fi
for place in "${places[@]}"; do
cd "$place"
echo "--- in $place ($(stat -f -c %T .))"

mkdir src src/sub
for m in 644 600 444 664 640 755 700 4755 2755 1755 000 666 777; do
  random_file "src/m$m" 100
  chmod "$m" "src/m$m"
done
random_file src/sub/big 20000 # more than one 4 KiB block: a named temporary
chmod 640 src/sub/big
: >src/sub/empty
ln src/m644 src/sub/hard
have_acl=no
if command -v setfacl >/dev/null && setfacl -m u:nobody:r src/m640 2>/dev/null; then
  have_acl=yes
  setfacl -d -m u:nobody:rx src/sub
else
  echo "--- no ACLs here (setfacl missing or refused): ACL cases not covered"
fi
dests=(plain)
if [[ $(id -u) == 0 ]]; then
  random_file src/by-nobody 100
  chown 65534:65534 src/by-nobody
  random_file src/group-nobody 100
  chgrp 65534 src/group-nobody
  mkdir setgid
  chgrp 65534 setgid
  chmod 2775 setgid
  dests+=(setgid)
fi
mkdir plain
if [[ $have_acl == yes ]]; then
  mkdir acl
  setfacl -d -m u:nobody:rw,g::r,o::- acl
  dests+=(acl)
fi

i=0
for mask in 022 077; do
  for args in "-a" "-r" "-rp" "-r --preserve=ownership" "-r --preserve=mode,xattr"; do
    for dest in "${dests[@]}"; do
      i=$((i + 1))
      note "umask $mask, $args, into the $dest directory"
      mtime=no
      [[ $args == -a || $args == -rp ]] && mtime=yes
      umask "$mask"
      cp $args src "$dest/cp$i"
      run 0 $args --method="$method" --block-size=4K src "$dest/ours$i"
      umask 022
      DESCRIBE_MTIME=$mtime same_description "$dest/cp$i" "$dest/ours$i" "umask $mask, $args, $dest"
      no_temporaries "$dest/ours$i"
    done
  done
done

# The files really were made anew (not hard-linked to the source, nor to
# each other beyond the source's own link).
[[ $(stat -c %h plain/ours1/m600) == 1 ]] || fail "a copy shares its inode"
[[ $(stat -c %i plain/ours1/m644) == $(stat -c %i plain/ours1/sub/hard) ]] ||
  fail "-a did not keep the hard link"
done
echo PASS
