# -t/--target-directory, -T/--no-target-directory, -u/--update and
# --parents, each compared with GNU cp on the same operands: the same files
# made (or left alone), the same exit status; conflicting options are usage
# errors.
#   bash test-target-options.sh URING_CP METHOD
source "$(dirname "$0")/lib.sh"
method=${1:?method}
cd "$WORK"

mkdir -p src/a/b src/other
random_file src/a/b/f 5000
random_file src/a/g 3000
random_file src/top 100
random_file src/other/h 200

# both ARGS... : cp and uring-cp with ARGS, where the word OUT stands for
# their own output directory (cp/ and ours/, made empty first, then
# $SETUP run in each): same status, same tree.
both() {
  local cp_status=0 status=0 a cp_args=() our_args=()
  rm -rf cp ours
  mkdir cp ours
  (cd cp && eval "${SETUP:-}")
  (cd ours && eval "${SETUP:-}")
  for a in "$@"; do
    cp_args+=("${a//OUT/cp}")
    our_args+=("${a//OUT/ours}")
  done
  cp "${cp_args[@]}" >/dev/null 2>"$WORK/cp.err" || cp_status=$?
  "$URING_CP" --method="$method" "${our_args[@]}" >"$WORK/out" 2>"$WORK/err" || status=$?
  [[ $status == "$cp_status" ]] ||
    fail "$*: exit $status, cp exits $cp_status; ours: $(cat "$WORK/err") cp: $(cat "$WORK/cp.err")"
  DESCRIBE_MTIME=no same_description cp ours "$*"
  no_temporaries ours
}

note "-t DIR: sources before and after it"
both -t OUT src/top src/a/g
both src/top -t OUT src/other/h
both --target-directory=OUT src/top
both -r -t OUT src/a
note "-t: a target that is not a directory is an error"
run 1 -t src/top src/a/g
expect_err "target directory 'src/top': Not a directory"
run 1 -t nowhere src/top
expect_err "target directory 'nowhere': No such file or directory"
note "-t with -T: a usage error"
run 1 -t ours -T src/top
expect_err "cannot combine --target-directory (-t) and --no-target-directory (-T)"

note "-T: the destination itself, never a directory to copy into"
both -r -T src/a OUT/a-copy
both -r -T src/a OUT # an existing directory: its contents become a copy of src/a
both -T src/top OUT/file
SETUP="mkdir x" both -T src/top OUT/x # a directory in the way: an error for both
expect_err "cannot overwrite directory 'ours/x' with non-directory"
SETUP="mkdir a-copy; echo keep >a-copy/extra" both -r -T src/a OUT/a-copy
run 1 -T src/top src/a/g extra
expect_err "extra operand 'extra'"

note "--parents: the full source name under the directory"
both --parents src/a/b/f src/top OUT
both -r --parents src/a OUT
both -a --parents src/a/b/f OUT
[[ -f ours/src/a/b/f && -d ours/src/a ]] || fail "--parents made no src/a/b/f"
run 1 --parents src/top src/a/g
expect_err "with --parents, the destination must be a directory"

note "-u: only sources newer than the destination, or missing ones"
rm -rf cp ours
mkdir -p cp ours
for d in cp ours; do
  echo old-newer >"$d/top"
  touch -d '2030-01-01' "$d/top" # newer than the source: kept
  echo old-older >"$d/g"
  touch -d '2000-01-01' "$d/g" # older: replaced
done
cp -u src/top src/a/g src/other/h cp
run 0 -u --method="$method" src/top src/a/g src/other/h ours
DESCRIBE_MTIME=no same_description cp ours "-u"
[[ $(cat ours/top) == old-newer ]] || fail "-u replaced a newer destination"
same_file src/a/g ours/g
same_file src/other/h ours/h
touch -d '2040-01-01' src/top
run 0 -u --method="$method" src/top ours
same_file src/top ours/top
echo PASS
